// Read-only opens (issue 12): a read-only open + first query on a live database (a writer
// holds it, with rows only its WAL has) against the same on a closed one, and the cost of a
// long-lived reader catching up 1M new WAL rows.
import { open } from 'backtracedb';
import { tradesSchema, trades } from './data.js';
import { freshDir } from './dirs.js';
import { fmtMs, fmtRate, type ResultRow } from './measure.js';

async function fill(dir: string, rows: number, walRows: number) {
  const db = await open(dir);
  const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: rows / 20 });
  for (let at = 0; at < rows; at += 100_000) t.appendBatch(trades(at, Math.min(100_000, rows - at)));
  await t.flush();
  t.maxBlockSize = 10_000_000; // the WAL rows stay in the active block
  for (let at = 0; at < walRows; at += 100_000) t.appendBatch(trades(rows + at, Math.min(100_000, walRows - at)));
  await t.sync();
  return { db, t };
}

/** One read-only open + openTable + filtered count, in ms. */
async function firstQueryMs(dir: string): Promise<number> {
  const t0 = performance.now();
  const db = await open(dir, { readOnly: true });
  const t = await db.openTable(tradesSchema);
  await t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900).count();
  const ms = performance.now() - t0;
  await db.close();
  return ms;
}

export async function readOnlySuite(rows: number, runs: number): Promise<ResultRow[]> {
  const walRows = rows / 20;
  const closedDir = freshDir('ro-closed');
  await (await fill(closedDir, rows + walRows, 0)).db.close();
  const liveDir = freshDir('ro-live');
  const { db: writer, t: table } = await fill(liveDir, rows, walRows);
  // Interleaved, best of `runs` each: neither side pays the JIT warm-up alone.
  let closedMs = Infinity;
  let liveMs = Infinity;
  await firstQueryMs(closedDir);
  for (let r = 0; r < runs; r++) {
    closedMs = Math.min(closedMs, await firstQueryMs(closedDir));
    liveMs = Math.min(liveMs, await firstQueryMs(liveDir));
  }

  // Catching up: a long-lived reader, then 1M rows appended and synced by the writer.
  const catchUpRows = rows / 2;
  const ro = await open(liveDir, { readOnly: true });
  const rt = await ro.openTable(tradesSchema);
  const before = await rt.reader().count();
  for (let at = 0; at < catchUpRows; at += 100_000) table.appendBatch(trades(rows + walRows + at, 100_000));
  await table.sync();
  const t0 = performance.now();
  const after = await rt.reader().count();
  const catchUpMs = performance.now() - t0;
  if (after !== before + catchUpRows) throw new Error(`catch-up saw ${after - before} new rows, expected ${catchUpRows}`);
  await ro.close();
  await writer.close();
  const m = ((rows + walRows) / 1e6).toFixed(1);
  return [
    {
      workload: `read-only open + first filtered count, live database (${m}M rows, ${(walRows / 1e3).toFixed(0)}k only in the writer's WAL)`,
      ours: fmtMs(liveMs), reference: `same rows, closed database ${fmtMs(closedMs)}`, ratio: liveMs / closedMs, target: '≤ 1.2', met: liveMs / closedMs <= 1.2,
      note: `time ratio, best of ${runs} interleaved; in this process, a fresh open each run (cache cold), the writer idle`,
    },
    {
      workload: `a long-lived read-only reader catching up ${(catchUpRows / 1e6).toFixed(1)}M new WAL rows (its next count)`,
      ours: `${fmtMs(catchUpMs)} (${fmtRate(catchUpRows, catchUpMs)})`, reference: '—', ratio: NaN, target: 'record', met: true,
      note: 'reads only the WAL past what the reader holds, decodes and applies it, then counts',
    },
  ];
}
