// Child process of the bounded-memory benchmark: ingest N rows with disk storage and
// 1M-row blocks, then print the peak RSS. Run alone so nothing else inflates its memory.
import { open } from 'backtracedb';
import { tradesSchema, trades } from './data.js';
import { freshDir } from './dirs.js';

const rows = Number(process.argv[2] ?? 20_000_000);
const BATCH = 100_000;
const db = await open(freshDir('rss'));
const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 1_000_000 });
const batch = trades(0, BATCH);
const t0 = performance.now();
// RSS sampled at every sync(): the peak of the first half of the run against the peak of the
// second half shows whether memory follows the rows or stays put.
let firstHalfPeak = 0;
let secondHalfPeak = 0;
for (let at = 0; at < rows; at += BATCH) {
  // Same shape every batch, fresh timestamps: the data volume is what matters here.
  for (let i = 0; i < BATCH; i++) batch.ts[i] = BigInt(at + i);
  t.appendBatch(batch);
  if ((at / BATCH) % 10 === 9) {
    await t.sync();
    const rss = process.memoryUsage().rss;
    if (at < rows / 2) firstHalfPeak = Math.max(firstHalfPeak, rss); else secondHalfPeak = Math.max(secondHalfPeak, rss);
  }
}
await t.sync();
await t.flush();
const ms = performance.now() - t0;
const blocks = t.blockCount;
await db.close();
process.stdout.write(JSON.stringify({ rows, ms, blocks, maxRssBytes: process.resourceUsage().maxRSS * 1024, firstHalfPeak, secondHalfPeak }) + '\n');
