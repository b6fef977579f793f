// Ingest as a backfill script writes it: appendBatch (100k-row batches) or append() in a plain
// loop that never awaits, then one sync(); WAL and disk storage on; default open() options.
// Block sizes 10k, 100k and 1M; DuckDB's appender on the same rows is the reference. Also
// reports the share of sealed blocks the appending thread had to encode itself (issue 10).
import { open } from 'backtracedb';
import { tradesSchema, trades, type TradeColumns } from './data.js';
import { appendTrades, createTrades, openDuck } from './duck.js';
import { bestOfMs, fmtRate, type ResultRow } from './measure.js';
import { freshDir } from './dirs.js';

const BATCH = 100_000;

async function tightLoop(batches: readonly TradeColumns[], blockRows: number, rowByRow: boolean): Promise<{ ms: number; sealed: number; inline: number }> {
  const db = await open(freshDir('tight'));
  const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: blockRows });
  const t0 = performance.now();
  for (const b of batches) {
    if (!rowByRow) { t.appendBatch(b); continue; }
    for (let i = 0; i < b.ts.length; i++) t.append({ ts: b.ts[i], symbol: b.symbol[i], price: b.price[i], volume: b.volume[i] });
  }
  await t.sync();
  const ms = performance.now() - t0;
  const s = t.sealStats;
  await db.close();
  return { ms, sealed: s.blocksSealed, inline: s.blocksEncodedInline };
}

export async function tightLoopSuite(rows: number, runs: number, blockSizes: readonly number[]): Promise<ResultRow[]> {
  const batches: TradeColumns[] = [];
  for (let at = 0; at < rows; at += BATCH) batches.push(trades(at, Math.min(BATCH, rows - at)));
  const duckMs = await bestOfMs(runs, async () => {
    const duck = await openDuck(`${freshDir('duck-tight')}/d.duckdb`, 2);
    await createTrades(duck);
    await appendTrades(duck, batches);
    duck.close();
  });
  const out: ResultRow[] = [];
  const m = (rows / 1e6).toFixed(1);
  for (const rowByRow of [false, true]) {
    for (const blockRows of blockSizes) {
      let best = { ms: Infinity, sealed: 0, inline: 0 };
      for (let r = 0; r < runs; r++) { const x = await tightLoop(batches, blockRows, rowByRow); if (x.ms < best.ms) best = x; }
      const ratio = duckMs / best.ms;
      const target = rowByRow ? 1.5 : 3;
      const measured = !rowByRow && blockRows < 100_000 ? 'record' : `≥ ${target}`;
      out.push({
        workload: `${rowByRow ? 'append()' : 'appendBatch() (100k rows)'} in a loop that never awaits, ${blockRows.toLocaleString('en-US')}-row blocks, then sync() (${m}M rows)`,
        ours: fmtRate(rows, best.ms), reference: `DuckDB appender ${fmtRate(rows, duckMs)}`, ratio,
        target: rowByRow && blockRows < 100_000 ? 'record' : measured, met: measured === 'record' || (rowByRow && blockRows < 100_000) || ratio >= target,
        note: `rows/s ratio; default options, WAL + disk; ${best.inline} of ${best.sealed} blocks encoded on the appending thread`,
      });
    }
  }
  return out;
}
