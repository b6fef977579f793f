// Query workloads over 20 disk blocks, DuckDB reading the very same Parquet files.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'backtracedb';
import { tradesSchema, trades, T0 } from './data.js';
import { openDuck, rowObjects, scalar } from './duck.js';
import { freshDir } from './dirs.js';
import { fmtMs, timeMs, warmUp, type ResultRow } from './measure.js';

const WHERE = "symbol = 'AAPL' AND price > 200 AND price < 900";

export async function querySuite(rows: number, iterations: number): Promise<ResultRow[]> {
  const dir = freshDir('query');
  const blockRows = rows / 20;
  {
    const db = await open(dir);
    const t = await db.createTable(tradesSchema, { useDiskStorage: true, maxBlockSize: blockRows });
    for (let at = 0; at < rows; at += 100_000) t.appendBatch(trades(at, Math.min(100_000, rows - at)));
    await db.close();
  }
  const files = readdirSync(join(dir, 'trades')).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, 'trades', f));
  if (files.length !== 20) throw new Error(`expected 20 block files, found ${files.length}`);
  const list = `[${files.map((f) => `'${f}'`).join(', ')}]`;
  const duck = await openDuck(':memory:', 2);
  const sliceFrom = T0 + BigInt(rows / 2);
  const sliceTo = sliceFrom + BigInt(rows / 100);

  const duckCount = await timeMs('duck count', () => scalar(duck, `SELECT count(*) FROM read_parquet(${list}) WHERE ${WHERE}`), iterations);
  const duckObjects = await timeMs('duck objects', () => rowObjects(duck, `SELECT * FROM read_parquet(${list}) WHERE ${WHERE}`), iterations);
  const duckSlice = await timeMs('duck slice', () => scalar(duck, `SELECT count(*) FROM read_parquet(${list}) WHERE ts >= ${sliceFrom} AND ts < ${sliceTo}`), iterations);
  const expected = await scalar(duck, `SELECT count(*) FROM read_parquet(${list}) WHERE ${WHERE}`);
  const expectedSlice = await scalar(duck, `SELECT count(*) FROM read_parquet(${list}) WHERE ts >= ${sliceFrom} AND ts < ${sliceTo}`);
  duck.close();

  const coldWith = async (poolSize: number): Promise<number> => {
    const db = await open(dir, { poolSize, cacheBytes: 0 });
    const t = await db.openTable(tradesSchema);
    const q = () => t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900);
    const n = await q().count();
    if (n !== expected) throw new Error(`count mismatch: ours ${n}, DuckDB ${expected}`);
    await warmUp(() => q().count());
    const ms = await timeMs(`cold count ${poolSize}`, () => q().count(), iterations);
    await db.close();
    return ms;
  };
  const cold2 = await coldWith(2);
  const cold1 = await coldWith(1);

  const db = await open(dir, { poolSize: 2, cacheBytes: 512 * 1024 * 1024 });
  const t = await db.openTable(tradesSchema);
  const q = () => t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900);
  await warmUp(() => t.reader().filter('price', '==', 500.0001234).count()); // threads up and warm: every block scanned, no row
  const objects = await timeMs('objects', async () => { const r = await q().toArray(); if (r.length !== expected) throw new Error('row mismatch'); }, iterations);
  await q().count(); // fill the cache
  const warm = await timeMs('warm count', () => q().count(), iterations);
  const sliceCount = () => t.reader().filter('ts', '>=', sliceFrom).filter('ts', '<', sliceTo).count();
  if ((await sliceCount()) !== expectedSlice) throw new Error('time-slice count differs from DuckDB');
  const slice = await timeMs('slice', sliceCount, iterations);
  await db.close();

  const row = (workload: string, ours: number, ref: number, refName: string, target: number, note: string): ResultRow => ({
    workload, ours: fmtMs(ours), reference: `${refName} ${fmtMs(ref)}`, ratio: ours / ref, target: `≤ ${target}`, met: ours / ref <= target, note,
  });
  const m = (rows / 1e6).toFixed(1);
  return [
    row(`cold filtered count, ${WHERE}, 20 disk blocks (${m}M rows)`, cold2, duckCount, 'DuckDB read_parquet', 2, 'time ratio; decoded-block cache off, 2 scan workers'),
    row('the same rows materialized as JS objects', objects, duckObjects, 'DuckDB getRowObjectsJS', 1, 'time ratio; cache on (first run fills it)'),
    row('warm repeat of the count (cache on)', warm, duckCount, 'DuckDB read_parquet', 1, 'time ratio'),
    row('1% time-slice count', slice, duckSlice, 'DuckDB read_parquet', 1, 'time ratio; zone maps prune 19 blocks, binary search in the cached one'),
    { workload: '2 scan workers against 1, cold count', ours: `2 workers ${fmtMs(cold2)}`, reference: `1 worker ${fmtMs(cold1)}`, ratio: cold1 / cold2, target: '≥ 1.6', met: cold1 / cold2 >= 1.6, note: 'speed-up; this machine has 2 cores, shared with the main thread' },
  ];
}
