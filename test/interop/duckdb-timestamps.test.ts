// With a timeUnit, block files and exports carry the Parquet TIMESTAMP logical type: DuckDB
// reads a timestamp column with the right instants in every unit ('s' is stored as
// milliseconds), and the engine reads its own files back in the table's unit, by every path
// (column chunks after reopen, whole files in memory, the parquet-wasm fallback).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { open } from 'backtracedb';
import { seededRandom } from 'backtracedb/sample-data';
import { scanBlock, type ParquetScanTask } from '@backtracedb/workers';
import { resolveSchema } from '@backtracedb/engine';

const UNITS = ['s', 'ms', 'us', 'ns'] as const;
const NS_PER: Record<(typeof UNITS)[number], bigint> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n };
const root = mkdtempSync(join(tmpdir(), 'btdb-ts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function duckRows(sql: string): Promise<unknown[][]> {
  const duck = await DuckDBInstance.create(':memory:');
  const c = await duck.connect();
  try {
    return (await c.runAndReadAll(sql)).getRows();
  } finally {
    c.closeSync();
    duck.closeSync();
  }
}

/** Sorted random times from 1900 to 2200 (negative ones too), in `unit`. */
function times(unit: (typeof UNITS)[number], n: number, seed: number): bigint[] {
  const next = seededRandom(seed);
  const perSecond = 1_000_000_000n / NS_PER[unit];
  const out = Array.from({ length: n }, () => BigInt(Math.floor((next() * 300 - 70) * 31_557_600)) * perSecond + BigInt(Math.floor(next() * Number(perSecond))));
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe.each(UNITS)("timeUnit '%s'", (unit) => {
  it('DuckDB reads block files and an export as a TIMESTAMP with the right instants; the engine reads them back', async () => {
    const dir = join(root, unit);
    const ts = times(unit, 900, unit.length * 7 + 1);
    const schema = { name: 'q', timeColumn: 'ts', timeUnit: unit, columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'int64' }] } as const;
    let db = await open(dir, { poolSize: 1 });
    const t = await db.createTable(schema, { useDiskStorage: true, maxBlockSize: 300, rowGroupRows: 100 });
    t.appendBatch({ ts, v: ts.map((_, i) => BigInt(i)) });
    await t.flush();
    const exported = join(dir, 'export.parquet');
    expect(await t.exportParquet(exported)).toBe(ts.length);
    await db.close();
    const files = readdirSync(join(dir, 'q')).filter((f) => f.endsWith('.parquet')).map((f) => `'${join(dir, 'q', f)}'`);
    expect(files.length).toBe(3);
    for (const source of [`read_parquet([${files.join(', ')}])`, `read_parquet('${exported}')`]) {
      const types = await duckRows(`DESCRIBE SELECT ts FROM ${source}`);
      expect(String(types[0][1])).toMatch(/^TIMESTAMP/);
      const got = await duckRows(`SELECT epoch_ns(ts)::VARCHAR, v FROM ${source} ORDER BY v`);
      // Every unit arrives exact: ms and us as TIMESTAMP WITH TIME ZONE (isAdjustedToUTC), ns as
      // TIMESTAMP_NS (not marked: DuckDB's zoned type holds microseconds and cut them before).
      expect(got.map((r) => BigInt(r[0] as string))).toEqual(ts.map((x) => x * NS_PER[unit]));
      if (unit === 'ns') expect(String(types[0][1])).toBe('TIMESTAMP_NS');
    }
    const logical = await duckRows(`SELECT logical_type, converted_type FROM parquet_schema(${files[0]}) WHERE name = 'ts'`);
    expect(String(logical[0][0])).toMatch(new RegExp(`isAdjustedToUTC=${unit === 'ns' ? 0 : 1}.*${unit === 'ns' ? 'NANOS=NanoSeconds' : unit === 'us' ? 'MICROS=MicroSeconds' : 'MILLIS=MilliSeconds'}`));
    expect(logical[0][1]).toBe(unit === 'ns' ? null : unit === 'us' ? 'TIMESTAMP_MICROS' : 'TIMESTAMP_MILLIS');

    // Reopened: the engine reads its block files (column chunks) in the table's unit, and filters
    // and zone-map pruning work in that unit.
    db = await open(dir, { poolSize: 1 });
    const t2 = await db.openTable(schema);
    expect(t2.schema.timeUnit).toBe(unit);
    expect((await t2.reader().toArray()).map((r) => r.ts)).toEqual(ts);
    const from = ts[250];
    const to = ts[620];
    expect(await t2.reader().filter('ts', '>=', from).filter('ts', '<', to).count()).toBe(ts.filter((x) => x >= from && x < to).length);
    // Aggregates (some answered from zone maps alone) against buckets computed here.
    let fromMetadata = 0;
    for (const days of [365n, 100_000n]) {
      const every = days * 86_400n * (1_000_000_000n / NS_PER[unit]);
      const want = new Map<bigint, { n: number; lo: bigint; hi: bigint }>();
      for (const x of ts) {
        const b = x - (((x % every) + every) % every);
        const g = want.get(b) ?? { n: 0, lo: x, hi: x };
        want.set(b, { n: g.n + 1, lo: g.lo < x ? g.lo : x, hi: g.hi > x ? g.hi : x });
      }
      const q = t2.reader().aggregate({ every: `${days}d`, values: { n: ['count'], lo: ['min', 'ts'], hi: ['max', 'ts'] } });
      expect(await q.toArray()).toEqual([...want].map(([b, g]) => ({ ts: b, ...g })));
      fromMetadata += q.stats.blocksFromMetadata;
    }
    expect(fromMetadata).toBeGreaterThan(0);
    await db.close();
  });
});

it.each(['snappy', 'zstd'] as const)("compressed (%s) block files of a 's' table: DuckDB reads instants, the engine seconds", async (compression) => {
  const dir = join(root, `c-${compression}`);
  const ts = times('s', 400, 9);
  const schema = { name: 'c', timeColumn: 'ts', timeUnit: 's', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'int64' }] } as const;
  let db = await open(dir, { poolSize: 1 });
  const t = await db.createTable(schema, { useDiskStorage: true, maxBlockSize: 200, rowGroupRows: 50, compression });
  t.appendBatch({ ts, v: ts.map((_, i) => BigInt(i)) });
  await db.close();
  const files = readdirSync(join(dir, 'c')).filter((f) => f.endsWith('.parquet')).map((f) => `'${join(dir, 'c', f)}'`);
  const got = await duckRows(`SELECT epoch_ns(ts)::VARCHAR FROM read_parquet([${files.join(', ')}]) ORDER BY v`);
  expect(got.map((r) => BigInt(r[0] as string))).toEqual(ts.map((x) => x * NS_PER.s));
  db = await open(dir, { poolSize: 1 });
  const t2 = await db.openTable(schema);
  expect((await t2.reader().toArray()).map((r) => r.ts)).toEqual(ts);
  expect(await t2.reader().filter('ts', '>=', ts[123]).count()).toBe(ts.length - 123);
  await db.close();
});

it("in-memory blocks (whole-file reads) of a 's' table come back in seconds", async () => {
  const db = await open(join(root, 'mem'), { poolSize: 1 });
  const ts = times('s', 500, 5);
  const t = await db.createTable({ name: 'm', timeColumn: 'ts', timeUnit: 's', columns: [{ name: 'ts', type: 'int64' }] }, { maxBlockSize: 100, rowGroupRows: 30 });
  t.appendBatch({ ts });
  await t.flush();
  expect((await t.reader().toArray()).map((r) => r.ts)).toEqual(ts);
  expect(await t.reader().filter('ts', '>', ts[200]).count()).toBe(ts.filter((x) => x > ts[200]).length);
  await db.close();
});

it("a file outside the fast reader's subset (DuckDB's, gzip, nullable) goes through parquet-wasm and still comes back in seconds", async () => {
  const path = join(root, 'duck-gzip.parquet');
  await duckRows(`COPY (SELECT (TIMESTAMP '1969-12-31 23:59:58' + INTERVAL (i) SECOND)::TIMESTAMP_MS AS ts, i::BIGINT AS v FROM range(5) t(i)) TO '${path}' (FORMAT parquet, COMPRESSION gzip)`);
  const { readFileSync } = await import('node:fs');
  const bytes = new Uint8Array(readFileSync(path));
  const schema = resolveSchema({ name: 'f', timeColumn: 'ts', timeUnit: 's', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'int64' }] });
  const task: ParquetScanTask = {
    kind: 'scan', source: 'parquet', label: 'duckdb file', schema: { name: 'f', timeColumn: 'ts', timeUnit: 's', columns: schema.columns },
    parquet: bytes, origin: { kind: 'memory' }, rowGroups: null, expectedRows: 5, fillCache: false,
    request: { predicates: [], projection: [0, 1], countOnly: false, timeColumn: 0 },
  };
  const out = await scanBlock(task);
  expect([...(out.columns[0].values as BigInt64Array)]).toEqual([-2n, -1n, 0n, 1n, 2n]);
});
