// Durability costs: WAL throughput by sync() frequency, peak memory of a long ingest, reopen time.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { open } from 'backtracedb';
import { tradesSchema, trades } from './data.js';
import { freshDir } from './dirs.js';
import { fmtMs, fmtRate, type ResultRow } from './measure.js';
import { appendBatchRowsPerSec } from './ingest.js';

async function walSyncEvery(rows: number, every: number): Promise<number> {
  const db = await open(freshDir('wal'));
  const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 1_000_000 });
  const src = trades(0, rows);
  const t0 = performance.now();
  for (let i = 0; i < rows; i++) {
    t.append({ ts: src.ts[i], symbol: src.symbol[i], price: src.price[i], volume: src.volume[i] });
    if (i % every === every - 1) await t.sync();
  }
  await t.sync();
  const ms = performance.now() - t0;
  await db.close();
  return ms;
}

export async function durabilitySuite(quick: boolean): Promise<ResultRow[]> {
  const out: ResultRow[] = [];
  for (const [every, rows] of [[1, quick ? 500 : 3_000], [100, quick ? 20_000 : 200_000], [10_000, quick ? 200_000 : 2_000_000]] as const) {
    const ms = await walSyncEvery(rows, every);
    out.push({ workload: `WAL: append() with sync() every ${every} rows (${rows.toLocaleString()} rows)`, ours: fmtRate(rows, ms), reference: '—', ratio: NaN, target: 'record', met: true, note: `${fmtMs(ms / (rows / every))} per sync()` });
  }
  // Peak RSS over the first and the second half of one long ingest: bounded memory means the
  // second half, with twice the rows behind it, peaks no higher than the first.
  const child = spawnSync(process.execPath, [fileURLToPath(new URL('./rss-child.js', import.meta.url)), String(quick ? 4_000_000 : 20_000_000)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`rss child failed: ${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { rows: number; ms: number; blocks: number; maxRssBytes: number; firstHalfPeak: number; secondHalfPeak: number };
  const blockBytes = 1_000_000 * (8 + 4 + 8 + 8);
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const growth = r.secondHalfPeak - r.firstHalfPeak;
  const half = (r.rows / 2e6).toFixed(0);
  out.push({
    workload: `bounded memory: ${(r.rows / 1e6).toFixed(0)}M rows, WAL + disk storage, 1M-row blocks (appendBatch 100k, sync() every 1M)`,
    ours: `peak RSS ${mib(r.maxRssBytes)}; rows ${half}M–${(r.rows / 1e6).toFixed(0)}M: ${mib(r.secondHalfPeak)}`, reference: `rows 0–${half}M: ${mib(r.firstHalfPeak)}; the ${(r.rows / 2e6).toFixed(0)}M rows added meanwhile: ${mib((r.rows / 2e6) * blockBytes)} raw`,
    ratio: growth / blockBytes, target: 'growth ≤ a few blocks', met: growth / blockBytes <= 4,
    note: `ratio = growth of the sampled peak from the first to the second half, in 1M-row raw blocks (${mib(blockBytes)}); ${r.blocks} blocks written at ${fmtRate(r.rows, r.ms)}`,
  });
  out.push({
    workload: `peak RSS of the same ${(r.rows / 1e6).toFixed(0)}M-row ingest (issue 10)`, ours: mib(r.maxRssBytes), reference: '500 MiB',
    ratio: r.maxRssBytes / (500 * 2 ** 20), target: '< 1', met: r.maxRssBytes < 500 * 2 ** 20,
    note: 'ratio of the process\'s peak RSS (all threads) to 500 MiB; default options',
  });
  // Reopen: 100 blocks + a 1M-row WAL.
  const dir = freshDir('reopen');
  const walRows = quick ? 100_000 : 1_000_000;
  {
    const db = await open(dir);
    const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: quick ? 1_000 : 10_000 });
    for (let at = 0; at < (quick ? 100_000 : 1_000_000); at += 100_000) t.appendBatch(trades(at, 100_000));
    await t.flush();
    t.maxBlockSize = 2_000_000;
    const base = t.rowCount;
    for (let at = 0; at < walRows; at += 100_000) { const b = trades(base + at, 100_000); t.appendBatch(b); }
    await t.sync();
    // Leave without close(): what a crash leaves, and what reopen must replay. The lock of this
    // abandoned instance goes with it (a killed process's lock would be taken over).
    const { readdirSync, rmSync } = await import('node:fs');
    for (const f of readdirSync(dir)) if (f.startsWith('LOCK')) rmSync(`${dir}/${f}`);
  }
  const t0 = performance.now();
  const db = await open(dir);
  const t = await db.openTable(tradesSchema);
  const ms = performance.now() - t0;
  const replayed = db.lastRecovery?.replayedRows ?? 0;
  const replayRate = (replayed / ms) * 1000;
  const ratio = replayRate / appendBatchRowsPerSec;
  out.push({
    workload: `reopen: ${t.blockCount} blocks + ${(replayed / 1e6).toFixed(1)}M-row WAL replay`, ours: `${fmtMs(ms)} (${fmtRate(replayed, ms)})`,
    reference: Number.isNaN(ratio) ? '(run with the ingest suite)' : `appendBatch ${(appendBatchRowsPerSec / 1e6).toFixed(2)} M rows/s`,
    ratio, target: '≥ 0.5', met: ratio >= 0.5, note: 'replayed rows/s over appendBatch rows/s; open and openTable included',
  });
  await db.close();
  return out;
}
