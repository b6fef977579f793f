// The oracle itself, checked against DuckDB SQL on the same rows (a Parquet file the table
// exports): candles by symbol with floor buckets over negative times, and the newest row per
// symbol. The store's own answers are checked against both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { open } from 'backtracedb';
import { oracleAggregate, oracleLatest, type AggSpec, type Val } from './oracle.js';
import { INT_COLS, columnsOf, randomRows, schema } from './data.js';

const order = (a: readonly Val[], b: readonly Val[]): number => {
  for (let i = 0; i < a.length; i++) { if (a[i] < b[i]) return -1; if (b[i] < a[i]) return 1; }
  return 0;
};

it('the oracle agrees with DuckDB SQL, and the store with both', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-tsduck-'));
  const db = await open(dir, { poolSize: 1 });
  try {
    const rows = randomRows(11, 2000);
    const t = await db.createTable(schema, { useDiskStorage: true, maxBlockSize: 300 });
    t.appendBatch(columnsOf(rows));
    const file = join(dir, 'all.parquet');
    expect(await t.exportParquet(file)).toBe(rows.length);
    const every = 37n;
    const origin = -5n;
    const spec: AggSpec = {
      every, origin, by: ['sym'],
      values: { open: ['first', 'price'], high: ['max', 'price'], low: ['min', 'price'], close: ['last', 'price'], volume: ['sum', 'vol'], trades: ['count'], avgPrice: ['avg', 'price'] },
    };
    const want = oracleAggregate(rows, 'ts', INT_COLS, spec);
    const duck = await DuckDBInstance.create(':memory:');
    const c = await duck.connect();
    try {
      const src = `read_parquet('${file}', file_row_number = true)`;
      // DuckDB's % truncates toward zero: ((d % e) + e) % e is the floor remainder.
      const bucket = `ts - (((ts - (${origin})) % ${every}) + ${every}) % ${every}`;
      const candles = (await c.runAndReadAll(`SELECT ${bucket} AS b, sym, arg_min(price, file_row_number), max(price), min(price), arg_max(price, file_row_number), sum(vol)::HUGEINT, count(*), avg(price) FROM ${src} GROUP BY b, sym`)).getRows()
        .map((r) => ({ ts: BigInt(r[0] as bigint), sym: String(r[1]), open: Number(r[2]), high: Number(r[3]), low: Number(r[4]), close: Number(r[5]), volume: BigInt(String(r[6])), trades: Number(r[7]), avgPrice: Number(r[8]) }))
        .sort((a, b) => order([a.ts, a.sym], [b.ts, b.sym]));
      expect(candles.length).toBeGreaterThan(50);
      expect(candles.some((r) => r.ts < 0n) && candles.some((r) => r.volume > 2n ** 63n)).toBe(true);
      expect(want).toEqual(candles);
      const latest = (await c.runAndReadAll(`SELECT sym, arg_max(ts, file_row_number), arg_max(vol, file_row_number), arg_max(price, file_row_number) FROM ${src} GROUP BY sym`)).getRows()
        .map((r) => ({ sym: String(r[0]), ts: BigInt(r[1] as bigint), vol: BigInt(r[2] as bigint), price: Number(r[3]) }))
        .sort((a, b) => order([a.sym], [b.sym]));
      expect(oracleLatest(rows, ['sym']).map((r) => ({ sym: r.sym, ts: r.ts, vol: r.vol, price: r.price }))).toEqual(latest);
      expect(await t.reader().aggregate(spec as never).toArray()).toEqual(want);
      expect(await t.reader().select(['sym', 'ts', 'vol', 'price']).latest('sym').toArray()).toEqual(latest);
    } finally {
      c.closeSync();
      duck.closeSync();
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
