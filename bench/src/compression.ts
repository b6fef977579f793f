// Block compression: for 'none', 'snappy' and 'zstd' on the same trades in 100k-row disk
// blocks — bytes per row on disk, ingest speed (appendBatch loop + sync, as the ingest suite),
// and a cold filtered count — beside DuckDB's own database file for the same rows.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'backtracedb';
import type { Compression } from '@backtracedb/engine';
import { tradesSchema, trades, type TradeColumns } from './data.js';
import { appendTrades, createTrades, openDuck, scalar } from './duck.js';
import { freshDir } from './dirs.js';
import { bestOfMs, fmtMs, fmtRate, timeMs, warmUp, type ResultRow } from './measure.js';

const BLOCK_ROWS = 100_000;
const CODECS: readonly Compression[] = ['none', 'snappy', 'zstd'];

interface Measured { bytesPerRow: number; ingestMs: number; coldMs: number; duckMs: number }

function blockBytes(dir: string): number {
  const tdir = join(dir, tradesSchema.name);
  return readdirSync(tdir).filter((f) => f.endsWith('.parquet')).reduce((n, f) => n + statSync(join(tdir, f)).size, 0);
}

/** Ingest into a fresh table (best of `runs`); the last run's directory is kept for the scan. */
async function ingest(compression: Compression, batches: readonly TradeColumns[], runs: number): Promise<{ ms: number; dir: string }> {
  let dir = '';
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    dir = freshDir(`compression-${compression}`);
    const db = await open(dir);
    const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: BLOCK_ROWS, compression });
    const t0 = performance.now();
    for (const b of batches) t.appendBatch(b);
    await t.sync();
    best = Math.min(best, performance.now() - t0);
    await db.close();
  }
  return { ms: best, dir };
}

async function coldCountMs(dir: string, iterations: number): Promise<{ ms: number; count: number }> {
  const db = await open(dir, { poolSize: 2, cacheBytes: 0 });
  const t = await db.openTable(tradesSchema);
  const q = () => t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900);
  const count = await q().count();
  await warmUp(() => q().count());
  const ms = await timeMs('cold count', () => q().count(), iterations);
  await db.close();
  return { ms, count };
}

/** DuckDB's read_parquet over the same block files, the same filter (it decompresses too). */
async function duckCountMs(dir: string, iterations: number, expected: number): Promise<number> {
  const tdir = join(dir, tradesSchema.name);
  const list = readdirSync(tdir).filter((f) => f.endsWith('.parquet')).map((f) => `'${join(tdir, f)}'`).join(', ');
  const sql = `SELECT count(*) FROM read_parquet([${list}]) WHERE symbol = 'AAPL' AND price > 200 AND price < 900`;
  const duck = await openDuck(':memory:', 2);
  if ((await scalar(duck, sql)) !== expected) throw new Error('DuckDB counts other rows');
  const ms = await timeMs('duck count', () => scalar(duck, sql), iterations);
  duck.close();
  return ms;
}

/** DuckDB's database file after the same rows are appended and checkpointed. */
async function duckFileBytes(batches: readonly TradeColumns[]): Promise<number> {
  const path = join(freshDir('compression-duck'), 'd.duckdb');
  const duck = await openDuck(path, 2);
  await createTrades(duck);
  await appendTrades(duck, batches);
  await duck.conn.run('CHECKPOINT');
  duck.close();
  return statSync(path).size;
}

export async function compressionSuite(rows: number, runs: number, iterations: number): Promise<ResultRow[]> {
  const batches: TradeColumns[] = [];
  for (let at = 0; at < rows; at += BLOCK_ROWS) batches.push(trades(at, Math.min(BLOCK_ROWS, rows - at)));
  const got = new Map<Compression, Measured>();
  let expected: number | null = null;
  for (const c of CODECS) {
    const { ms, dir } = await ingest(c, batches, runs);
    const cold = await coldCountMs(dir, iterations);
    if (expected !== null && cold.count !== expected) throw new Error(`${c}: count ${cold.count}, uncompressed ${expected}`);
    expected = cold.count;
    got.set(c, { bytesPerRow: blockBytes(dir) / rows, ingestMs: ms, coldMs: cold.ms, duckMs: await duckCountMs(dir, iterations, cold.count) });
  }
  const duckPerRow = (await duckFileBytes(batches)) / rows;
  const none = got.get('none') as Measured;
  const m = (rows / 1e6).toFixed(1);
  const out: ResultRow[] = CODECS.map((c) => {
    const r = got.get(c) as Measured;
    return {
      workload: `block files, ${c}: bytes per row on disk (${m}M trades, 100k-row blocks)`,
      ours: `${r.bytesPerRow.toFixed(2)} B/row`, reference: `DuckDB database file ${duckPerRow.toFixed(2)} B/row`,
      ratio: r.bytesPerRow / duckPerRow, target: '—', met: true, note: 'size ratio (lower = smaller); DuckDB: appender, CHECKPOINT, size of the .duckdb file',
    };
  });
  for (const c of CODECS.filter((x) => x !== 'none')) {
    const r = got.get(c) as Measured;
    out.push({
      workload: `ingest with ${c} blocks: appendBatch loop + sync(), WAL + 100k-row disk blocks (${m}M rows)`,
      ours: fmtRate(rows, r.ingestMs), reference: `none ${fmtRate(rows, none.ingestMs)}`,
      ratio: none.ingestMs / r.ingestMs, target: '≥ 0.8', met: none.ingestMs / r.ingestMs >= 0.8, note: 'rows/s ratio against uncompressed blocks',
    });
    out.push({
      workload: `cold filtered count over ${c} blocks (cache off, 2 scan workers)`,
      ours: fmtMs(r.coldMs), reference: `none ${fmtMs(none.coldMs)}`,
      ratio: r.coldMs / none.coldMs, target: '≤ 2', met: r.coldMs / none.coldMs <= 2, note: `time ratio against uncompressed blocks; decompression runs in the scan workers. DuckDB read_parquet on the same files: ${fmtMs(r.duckMs)} (on uncompressed ones ${fmtMs(none.duckMs)})`,
    });
  }
  return out;
}
