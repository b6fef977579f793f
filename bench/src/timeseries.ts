// Time-series workloads over 20 disk blocks, DuckDB reading the very same Parquet files:
// OHLCV candles by symbol (all rows, and a 10% time slice), the newest row per symbol,
// the newest 100 rows, and a count per symbol. Each answer is checked against DuckDB's.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'backtracedb';
import { tradesSchema, trades, T0 } from './data.js';
import { openDuck, type Duck } from './duck.js';
import { freshDir } from './dirs.js';
import { fmtMs, timeMs, type ResultRow } from './measure.js';

async function rows(duck: Duck, sql: string): Promise<unknown[][]> {
  return (await duck.conn.runAndReadAll(sql)).getRows();
}

export async function timeseriesSuite(rowCount: number, iterations: number): Promise<ResultRow[]> {
  const dir = freshDir('timeseries');
  {
    const db = await open(dir);
    const t = await db.createTable(tradesSchema, { useDiskStorage: true, maxBlockSize: rowCount / 20 });
    for (let at = 0; at < rowCount; at += 100_000) t.appendBatch(trades(at, Math.min(100_000, rowCount - at)));
    await db.close();
  }
  const files = readdirSync(join(dir, 'trades')).filter((f) => f.endsWith('.parquet')).map((f) => `'${join(dir, 'trades', f)}'`);
  if (files.length !== 20) throw new Error(`expected 20 block files, found ${files.length}`);
  const src = `read_parquet([${files.join(', ')}])`;
  // About 200 buckets over the whole table, 8 symbols each.
  const every = BigInt(rowCount / 200);
  const from = T0 + BigInt(Math.floor(rowCount * 0.45));
  const to = from + BigInt(rowCount / 10);
  const bucket = `ts - ((ts % ${every}) + ${every}) % ${every}`;
  const candleSql = (where: string) => `SELECT ${bucket} AS b, symbol, arg_min(price, ts), max(price), min(price), arg_max(price, ts), sum(volume), count(*) FROM ${src} ${where} GROUP BY b, symbol ORDER BY b, symbol`;
  const sql = {
    candles: candleSql(''),
    slice: candleSql(`WHERE ts >= ${from} AND ts < ${to}`),
    latest: `SELECT symbol, arg_max(ts, ts), arg_max(price, ts) FROM ${src} GROUP BY symbol ORDER BY symbol`,
    tail: `SELECT * FROM ${src} ORDER BY ts DESC LIMIT 100`,
    countBy: `SELECT symbol, count(*) FROM ${src} GROUP BY symbol ORDER BY symbol`,
  };
  const duck = await openDuck(':memory:', 2);
  const ref: Record<keyof typeof sql, number> = { candles: 0, slice: 0, latest: 0, tail: 0, countBy: 0 };
  const refRows: Record<string, number> = {};
  for (const k of Object.keys(sql) as Array<keyof typeof sql>) {
    refRows[k] = (await rows(duck, sql[k])).length;
    ref[k] = await timeMs(`duck ${k}`, () => rows(duck, sql[k]), iterations);
  }
  const duckVolume = Number((await rows(duck, `SELECT sum(volume) FROM ${src}`))[0][0]);
  duck.close();

  const db = await open(dir, { poolSize: 2 });
  const t = await db.openTable(tradesSchema);
  const values = { open: ['first', 'price'], high: ['max', 'price'], low: ['min', 'price'], close: ['last', 'price'], volume: ['sum', 'volume'], trades: ['count'] } as const;
  const ours = {
    candles: () => t.reader().aggregate({ every, by: 'symbol', values }).toArray(),
    slice: () => t.reader().filter('ts', '>=', from).filter('ts', '<', to).aggregate({ every, by: 'symbol', values }).toArray(),
    latest: () => t.reader().latest('symbol').toArray(),
    tail: () => t.reader().order('desc').limit(100).toArray(),
    countBy: () => t.reader().aggregate({ by: 'symbol', values: { n: ['count'] } }).toArray(),
  };
  const mine: Record<string, number> = {};
  // Cold: the first run of each query, right after openTable, before anything is cached.
  const cold: Record<string, number> = {};
  for (const k of Object.keys(ours) as Array<keyof typeof ours>) {
    const t0 = performance.now();
    await ours[k]();
    cold[k] = performance.now() - t0;
  }
  for (const k of Object.keys(ours) as Array<keyof typeof ours>) {
    const got = await ours[k]();
    if (got.length !== refRows[k]) throw new Error(`${k}: ${got.length} rows, DuckDB ${refRows[k]}`);
    mine[k] = await timeMs(`ours ${k}`, ours[k], iterations);
  }
  const total = (await ours.candles()).reduce((a, r) => a + Number(r.volume), 0);
  if (total !== duckVolume) throw new Error(`candle volumes add up to ${total}, DuckDB ${duckVolume}`);
  await db.close();

  const m = (rowCount / 1e6).toFixed(1);
  // Targets of issue 11; the ratio is the warm run's, and the first (cold) run is reported beside it.
  const row = (workload: string, k: keyof typeof ours, target: number, note: string): ResultRow => ({
    workload, ours: `${fmtMs(mine[k])} (first run ${fmtMs(cold[k])}, ${(cold[k] / ref[k]).toFixed(2)}x)`, reference: `DuckDB read_parquet ${fmtMs(ref[k])}`, ratio: mine[k] / ref[k], target: `≤ ${target}`, met: mine[k] / ref[k] <= target, note,
  });
  return [
    row(`OHLCV candles by symbol, all ${m}M rows (${refRows.candles} candles)`, 'candles', 1, 'time ratio; aggregation pushed into the block scans, cache on'),
    row('OHLCV candles by symbol, 10% time slice', 'slice', 1, 'time ratio; zone maps prune the blocks outside the slice'),
    row('latest row per symbol', 'latest', 0.5, 'time ratio; newest blocks first, stops once every symbol of the zone maps is seen'),
    row('order desc limit 100', 'tail', 0.2, 'time ratio; reads the newest block only'),
    row('count by symbol', 'countBy', 1, 'time ratio; reads the symbol column only'),
  ];
}
