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
import { LateOracle, lateRowsSchema, type LateRow } from './oracle.js';
import { expectReads, plain } from './reads.js';

/** Size knob: random tables in CI; BTDB_LATE_SEEDS=500 for a long run. */
const SEEDS = Number(process.env.BTDB_LATE_SEEDS ?? 12);
const pool = createPool(2);
afterAll(() => pool.destroy());

const schema = lateRowsSchema;
const SYMS = ['a', 'b', 'c', 'ü'];
type Tbl = Awaited<ReturnType<Database['createTable']>>;

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
