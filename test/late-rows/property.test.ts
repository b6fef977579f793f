// Property test of late rows: random appends (append, appendBatch unsorted, appendArrow) with
// rows late by up to and beyond the window, against the plain-JS oracle, over memory and disk
// tables, blocks of 1..50 rows, row groups smaller than blocks, the block cache on and off,
// flushes, reopens, and readers in flight while rows arrive and blocks seal.
import { afterAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, createPool, type Database } from 'backtracedb';
import { seededRandom } from 'backtracedb/sample-data';
import { oracleAggregate, oracleLatest, type Row } from '../timeseries/oracle.js';
import { LateOracle, type LateRow } from './oracle.js';

/** Size knob: random tables in CI; BTDB_LATE_SEEDS=500 for a long run. */
const SEEDS = Number(process.env.BTDB_LATE_SEEDS ?? 12);
const pool = createPool(2);
afterAll(() => pool.destroy());

const schema = {
  name: 'lr', timeColumn: 't',
  columns: [{ name: 't', type: 'int64' }, { name: 'id', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'x', type: 'float64' }, { name: 'ok', type: 'bool' }],
} as const;
const SYMS = ['a', 'b', 'c', 'ü'];
type Tbl = Awaited<ReturnType<Database['createTable']>>;

function plain(r: Record<string, unknown>): LateRow {
  return { t: r.t as bigint, id: r.id as bigint, sym: r.sym as string, x: r.x as number, ok: r.ok as boolean };
}

/** Every read path against the oracle's table order. */
async function expectReads(t: Tbl, oracle: LateOracle, where: string): Promise<void> {
  const want = oracle.tableOrder();
  const ids = want.map((r) => r.id);
  expect((await t.reader().toArray()).map(plain), where).toEqual(want);
  expect(await t.reader().count(), where).toBe(want.length);
  expect(t.rowCount, where).toBe(want.length);
  expect(await t.reader().select(['id', 't']).toArray(), where).toEqual(want.map((r) => ({ id: r.id, t: r.t })));
  if (want.length === 0) return;
  const mid = want[Math.floor(want.length / 2)].t;
  const from = want.filter((r) => r.t >= mid);
  expect((await t.reader().filter('t', '>=', mid).toArray()).map(plain), where).toEqual(from);
  expect(await t.reader().filter('t', '<', mid).count(), where).toBe(want.length - from.length);
  const table = await t.reader().toArrow();
  expect(Array.from(table.getChild('id') as arrow.Vector, (v) => v as bigint), where).toEqual(ids);
  const fromBatches: bigint[] = [];
  for await (const b of t.reader().batches()) fromBatches.push(...Array.from(b.getChild('id') as arrow.Vector, (v) => v as bigint));
  expect(fromBatches, where).toEqual(ids);
  const spec = { every: 7n, by: ['sym'], values: { n: ['count'], s: ['sum', 'id'], f: ['first', 'id'], l: ['last', 'id'], lo: ['min', 'x'] } } as const;
  expect(await t.reader().aggregate(spec as never).toArray(), where).toEqual(oracleAggregate(want as unknown as Row[], 't', new Set(['t', 'id']), spec as never));
  expect((await t.reader().latest('sym').toArray()).map(plain), where).toEqual(oracleLatest(want as unknown as Row[], ['sym']));
  for (const n of [1, 3, 17]) {
    expect((await t.reader().order('desc').limit(n).toArray()).map(plain), where).toEqual([...want].reverse().slice(0, n));
    expect((await t.reader().limit(n).toArray()).map(plain), where).toEqual(want.slice(0, n));
  }
}

function runSeed(seed: number): Promise<void> {
  return (async () => {
    const next = seededRandom(seed);
    const disk = next() < 0.5;
    const wal = disk || next() < 0.5;
    const cacheBytes = next() < 0.5 ? 0 : 64 << 20;
    const maxBlockSize = 1 + Math.floor(next() * 50);
    const rowGroupRows = 1 + Math.floor(next() * maxBlockSize);
    const window = BigInt(1 + Math.floor(next() * 2 * maxBlockSize));
    const where0 = `seed ${seed}: disk ${disk} wal ${wal} cache ${cacheBytes} block ${maxBlockSize} group ${rowGroupRows} window ${window}`;
    const dir = mkdtempSync(join(tmpdir(), 'btdb-late-'));
    let db = await open(dir, { pool, cacheBytes });
    let t: Tbl = await db.createTable(schema, { useDiskStorage: disk, enableWal: wal, maxBlockSize, rowGroupRows, outOfOrderWindow: window });
    const oracle = new LateOracle(window);
    let base = 0n;
    let id = 0n;
    const makeRow = (): LateRow => {
      base += BigInt(Math.floor(next() * 4));
      let time = base;
      // Late: within the window, and now and then on its edge or up to two past it.
      if (next() < 0.2 && oracle.newest !== null) {
        const back = next() < 0.1 ? window + BigInt(Math.floor(next() * 3)) : BigInt(Math.floor(next() * (Number(window) + 1)));
        time = oracle.newest - back;
      }
      return { t: time, id: id++, sym: SYMS[Math.floor(next() * SYMS.length)], x: Math.round((next() - 0.5) * 1000) / 4, ok: next() < 0.5 };
    };
    const attempt = (rows: LateRow[], call: () => void, what: string): void => {
      const refused = oracle.firstRefused(rows);
      const before = t.rowCount;
      let err: Error | null = null;
      try { call(); } catch (e) { err = e as Error; }
      const where = `${where0} ${what} ${JSON.stringify(rows.map((r) => String(r.t)))} newest ${oracle.newest}`;
      if (err === null) {
        expect(refused, where).toBe(-1);
        oracle.accept(rows);
        return;
      }
      expect(t.rowCount, where).toBe(before);
      if (refused >= 0) {
        expect(err.message, where).toMatch(/^table "lr", column "t": (row \d+: )?time -?\d+ is too late: /);
        expect(err.message, where).toContain(`time ${rows[refused].t} is too late`);
      } else {
        expect(err.message, where).toMatch(/^table "lr": the active block is full/);
        expect(oracle.mayBeFull(rows, 2 * maxBlockSize), where).toBe(true);
      }
    };
    let inFlight: { it: AsyncIterator<Record<string, unknown>>; got: LateRow[]; want: LateRow[] } | null = null;
    const total = 150 + Math.floor(next() * 250);
    for (let step = 0; oracle.appended.length < total && step < 2000; step++) {
      const r = next();
      if (r < 0.45) {
        const row = makeRow();
        attempt([row], () => t.append({ ...row, t: next() < 0.5 ? Number(row.t) : row.t }), 'append');
      } else if (r < 0.78) {
        const rows = Array.from({ length: Math.floor(next() * 25) }, makeRow);
        if (next() < 0.1) rows.reverse(); // a batch need not be sorted
        const typed = next() < 0.5;
        attempt(rows, () => t.appendBatch({
          t: typed ? BigInt64Array.from(rows.map((x) => x.t)) : rows.map((x) => x.t),
          id: rows.map((x) => x.id), sym: rows.map((x) => x.sym),
          x: typed ? Float64Array.from(rows.map((x) => x.x)) : rows.map((x) => x.x),
          ok: rows.map((x) => x.ok),
        }), 'appendBatch');
      } else if (r < 0.86) {
        const rows = Array.from({ length: 1 + Math.floor(next() * 12) }, makeRow);
        const table = arrow.tableFromArrays({ t: BigInt64Array.from(rows.map((x) => x.t)), id: BigInt64Array.from(rows.map((x) => x.id)), sym: rows.map((x) => x.sym), x: Float64Array.from(rows.map((x) => x.x)), ok: rows.map((x) => x.ok) });
        attempt(rows, () => t.appendArrow(table), 'appendArrow');
      } else if (r < 0.9) {
        await expectReads(t, oracle, `${where0} mid-way at ${id}`);
      } else if (r < 0.92) {
        expect((await t.reader().toArray()).map(plain), `${where0} at ${id}`).toEqual(oracle.tableOrder());
      } else if (r < 0.95) {
        // A reader in flight: it took its snapshot; rows and seals that come after must not show.
        if (inFlight === null) {
          const it = t.reader()[Symbol.asyncIterator]();
          const first = await it.next();
          inFlight = { it, got: first.done === true ? [] : [plain(first.value)], want: oracle.tableOrder() };
        } else {
          for (let n = await inFlight.it.next(); n.done !== true; n = await inFlight.it.next()) inFlight.got.push(plain(n.value));
          expect(inFlight.got, `${where0} reader in flight`).toEqual(inFlight.want);
          inFlight = null;
        }
      } else if (r < 0.96) {
        await t.flush();
        oracle.sealAll();
      } else if (inFlight === null) {
        await db.close();
        if (!wal) oracle.sealAll(); // without a WAL, close seals every row
        db = await open(dir, { pool, cacheBytes });
        t = await db.openTable(schema);
        expect(t.lastTimestamp, where0).toBe(oracle.newest);
      }
    }
    if (inFlight !== null) {
      for (let n = await inFlight.it.next(); n.done !== true; n = await inFlight.it.next()) inFlight.got.push(plain(n.value));
      expect(inFlight.got, `${where0} reader in flight`).toEqual(inFlight.want);
    }
    await expectReads(t, oracle, `${where0} at the end`);
    await db.close();
    db = await open(dir, { pool, cacheBytes });
    t = await db.openTable(schema);
    if (!wal) oracle.sealAll();
    await expectReads(t, oracle, `${where0} after reopen`);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  })();
}

describe('late rows against the oracle', () => {
  for (let s = Number(process.env.BTDB_LATE_FIRST ?? 1); s <= SEEDS; s++) {
    it(`seed ${s}`, { timeout: 60_000 }, () => runSeed(s));
  }
});
