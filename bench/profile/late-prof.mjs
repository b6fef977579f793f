// appendBatch of 100k-row batches in order under an outOfOrderWindow (5000), WAL + disk, 100k-row blocks, then sync().
import { open } from 'backtracedb';
import { tradesSchema, trades } from '../dist/data.js';
import { rmSync } from 'node:fs';
const window = BigInt(process.env.WINDOW ?? 5000);
const batches = []; for (let at = 0; at < 2_000_000; at += 100_000) batches.push(trades(at, 100_000));
for (let r = 0; r < Number(process.env.RUNS ?? 3); r++) {
  const dir = '/tmp/prof/late'; rmSync(dir, { recursive: true, force: true });
  const db = await open(dir);
  const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 100_000, outOfOrderWindow: window });
  const t0 = performance.now();
  for (const b of batches) t.appendBatch(b);
  const t1 = performance.now();
  await t.sync();
  const ms = performance.now() - t0;
  console.log(`window ${window}: loop ${(t1 - t0).toFixed(0)} ms, total ${ms.toFixed(0)} ms, ${(2e6 / ms / 1000).toFixed(2)} M rows/s`);
  await db.close();
}
