// Property test for nullable columns: ~30% nulls in every type (string, int64, float64, bool),
// appended as rows (null or a missing key) and batches (null entries, a missing column), in
// random layouts (memory or disk, cache on or off, WAL on or off, row groups smaller than
// blocks, pages uncompressed, snappy or zstd). Every form — count, rows, select, toArrow — under random filter chains with
// comparisons, isNull and isNotNull, with order('desc') and limit; aggregates (by a nullable key, in time buckets) and
// latest(by); live, after flush and after reopen, against the plain-JS oracle.
// BTDB_NULL_SEEDS sets how many seeds run (default 4).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool, type Table } from 'backtracedb';
import { mulberry32 } from '../engine/helpers.js';
import { OPS } from '../engine/oracle.js';
import { aggregateOf, batchOf, groupsBy, makeRows, matches, NULLABLE, nullSchema, rowInput, type Filter, type NullRow } from './nulls-oracle.js';

const pool = createPool(2);
afterAll(() => pool.destroy());

type T = Table<typeof nullSchema>;
const COLS: Array<keyof NullRow> = ['t', 'sym', 'big', 'x', 'ok', 'tag'];
const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

function reader(t: T, filters: readonly Filter[]) {
  let r = t.reader();
  for (const [c, op, v] of filters) r = (op === 'isNull' || op === 'isNotNull') ? r.filter(c, op) : r.filter(c, op, v as never);
  return r;
}

async function checkForms(t: T, rows: NullRow[], filters: readonly Filter[], sel: Array<keyof NullRow>, label: string): Promise<void> {
  const want = rows.filter((r) => filters.every((f) => matches(r, f)));
  expect(await reader(t, filters).count(), `${label} count`).toBe(want.length);
  expect(await reader(t, filters).toArray(), `${label} rows`).toEqual(want);
  expect(await reader(t, filters).select(sel).toArray(), `${label} select`).toEqual(want.map((r) => Object.fromEntries(sel.map((c) => [c, r[c]]))));
  const k = want.length === 0 ? 0 : 1 + (want.length % 37);
  expect(await reader(t, filters).order('desc').limit(k).toArray(), `${label} desc limit ${k}`).toEqual([...want].reverse().slice(0, k));
  expect(await reader(t, filters).limit(k).select(sel).toArray(), `${label} limit ${k}`).toEqual(want.slice(0, k).map((r) => Object.fromEntries(sel.map((c) => [c, r[c]]))));
  const arrow = await reader(t, filters).toArrow();
  expect(arrow.toArray().map((x) => x.toJSON() as unknown), `${label} arrow`).toEqual(want);
  for (const c of NULLABLE) {
    const nulls = want.filter((r) => r[c] === null).length;
    expect(arrow.getChild(c)?.nullCount ?? 0, `${label} arrow null count of ${c}`).toBe(nulls);
  }
}

async function checkAggregates(t: T, rows: NullRow[], by: 'sym' | 'ok' | 'big', every: bigint | null, label: string): Promise<void> {
  const values = {
    n: ['count'], nx: ['count', 'x'], nsym: ['count', 'sym'], sx: ['sum', 'x'], sb: ['sum', 'big'], ax: ['avg', 'x'],
    lo: ['min', 'big'], hi: ['max', 'sym'], f: ['first', 'x'], l: ['last', 'ok'], fs: ['first', 'sym'],
  } as const;
  const got = await t.reader().aggregate({ by, ...(every === null ? {} : { every }), values }).toArray();
  const want: unknown[] = [];
  const buckets = every === null ? [[null, rows] as const] : [...groupsByBucket(rows, every)];
  for (const [bucket, inBucket] of buckets) {
    for (const [key, g] of groupsBy(inBucket, by)) {
      const row: Record<string, unknown> = {};
      if (bucket !== null) row.t = bucket;
      row[by] = key;
      for (const [name, [fn, col]] of Object.entries(values) as Array<[string, readonly [string, string?]]>) row[name] = aggregateOf(fn as never, (col ?? null) as never, g);
      want.push(row);
    }
  }
  expect(got, `${label} aggregate by ${by} every ${String(every)}`).toEqual(want);
}

function groupsByBucket(rows: readonly NullRow[], every: bigint): Map<bigint, NullRow[]> {
  const m = new Map<bigint, NullRow[]>();
  for (const r of rows) {
    const b = r.t - (((r.t % every) + every) % every);
    const g = m.get(b);
    if (g === undefined) m.set(b, [r]); else g.push(r);
  }
  return m;
}

async function checkLatest(t: T, rows: NullRow[], label: string): Promise<void> {
  const got = await t.reader().latest('sym').toArray();
  const want = groupsBy(rows, 'sym').map(([, g]) => g[g.length - 1]);
  expect(got, `${label} latest(sym)`).toEqual(want);
}

function runSeed(seed: number) {
  const next = mulberry32(seed);
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(next() * xs.length)];
  const useDiskStorage = next() < 0.5;
  const cacheBytes = next() < 0.5 ? 0 : 64 << 20;
  const enableWal = next() < 0.5;
  const maxBlockSize = pick([3, 17, 100, 500]);
  const rowGroupRows = pick([1, 2, 5, 16, 64]);
  const compression = pick(['none', 'snappy', 'zstd'] as const);
  const config = { useDiskStorage, cacheBytes, enableWal, maxBlockSize, rowGroupRows, compression };
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-nulls-'));
    let db = await open(dir, { pool, cacheBytes });
    try {
      let t: T = await db.createTable(nullSchema, { useDiskStorage, enableWal, maxBlockSize, rowGroupRows, compression });
      const rows: NullRow[] = [];
      const total = 400 + Math.floor(next() * 1200);
      while (rows.length < total) {
        const fresh = makeRows(next, next() < 0.3 ? 1 : 1 + Math.floor(next() * 150), rows.length === 0 ? -20n : rows[rows.length - 1].t);
        if (fresh.length === 1) t.append(rowInput(fresh[0], next) as never);
        else t.appendBatch(batchOf(fresh) as never);
        rows.push(...fresh);
      }
      const valueFor = (col: keyof NullRow): unknown => {
        const present = rows.map((r) => r[col]).filter((v) => v !== null);
        return present[Math.floor(next() * present.length)];
      };
      for (const phase of ['live', 'flushed', 'reopened']) {
        if (phase === 'flushed') await t.flush();
        if (phase === 'reopened') {
          await db.close();
          db = await open(dir, { pool, cacheBytes });
          t = await db.openTable(nullSchema);
          expect(t.rowCount).toBe(rows.length);
        }
        const label = `seed ${seed} ${show(config)} ${phase}`;
        for (let q = 0; q < 8; q++) {
          const filters: Filter[] = [];
          for (let k = Math.floor(next() * 3); k > 0; k--) {
            const col = pick(COLS);
            const r = next();
            if (col !== 't' && r < 0.3) filters.push([col, r < 0.15 ? 'isNull' : 'isNotNull']);
            else filters.push([col, col === 'ok' ? pick(['==', '!='] as const) : pick(OPS), valueFor(col)]);
          }
          const sel = COLS.filter(() => next() < 0.5);
          if (sel.length === 0) sel.push('x');
          await checkForms(t, rows, filters, sel, `${label} ${show(filters)}`);
        }
        await checkAggregates(t, rows, pick(['sym', 'ok', 'big'] as const), next() < 0.5 ? null : pick([7n, 50n]), label);
        await checkLatest(t, rows, label);
      }
    } finally {
      await db.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const SEEDS = Number(process.env.BTDB_NULL_SEEDS ?? 4);
describe('property: nullable columns against a JS oracle', () => {
  for (let seed = 1; seed <= SEEDS; seed++) it(`seed ${seed}`, runSeed(seed * 104729));
});
