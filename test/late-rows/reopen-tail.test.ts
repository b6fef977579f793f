// DESIGN.md "Nulls, late rows, real timestamps": a row is refused only when older than
// newest − window. flush(), close() without a WAL and deleteBefore seal every row; a later row
// within the window but older than sealed rows takes the tail blocks back into the active
// block (docs/storage.md "Late rows"). Memory and disk, block cache on and off, every read
// form against the plain-JS oracle, and again after a reopen.
import { afterAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, createPool, type Database } from 'backtracedb';
import { LateOracle, lateRowsSchema, type LateRow } from './oracle.js';
import { expectReads } from './reads.js';

const pool = createPool(2);
afterAll(() => pool.destroy());
const schema = lateRowsSchema;
type Tbl = Awaited<ReturnType<Database['createTable']>>;
const WINDOW = 40n;
const BLOCK = 16;

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-tail-'));
  try { return await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

let nextId = 0n;
function row(t: bigint): LateRow {
  const id = nextId++;
  return { t, id, sym: ['a', 'b', 'ü'][Number(id % 3n)], x: Number(id) / 4, ok: id % 2n === 0n };
}
function batchOf(rows: readonly LateRow[]) {
  return { t: rows.map((r) => r.t), id: rows.map((r) => r.id), sym: rows.map((r) => r.sym), x: rows.map((r) => r.x), ok: rows.map((r) => r.ok) };
}

/** Late rows within the window, all older than the newest (sealed) row, by each append form. */
function appendLate(t: Tbl, oracle: LateOracle): void {
  const newest = oracle.newest as bigint;
  const one = row(newest - 5n);
  t.append({ ...one });
  oracle.accept([one]);
  const batch = [row(newest - WINDOW), row(newest - 17n), row(newest), row(newest - 1n)];
  expect(t.appendBatch(batchOf(batch))).toBe(4);
  oracle.accept(batch);
  const viaArrow = [row(newest - 30n), row(newest - 30n)];
  const b = batchOf(viaArrow);
  t.appendArrow(arrow.tableFromArrays({ t: BigInt64Array.from(b.t), id: BigInt64Array.from(b.id), sym: b.sym, x: Float64Array.from(b.x), ok: b.ok }));
  oracle.accept(viaArrow);
}

/** A row older than newest − window is still refused, and changes nothing. */
async function expectTooLateRefused(t: Tbl, oracle: LateOracle, where: string): Promise<void> {
  const before = t.rowCount;
  const limit = (oracle.newest as bigint) - WINDOW;
  expect(() => t.append({ ...row(limit - 1n) }), where).toThrow(`table "lr", column "t": time ${limit - 1n} is too late: the newest row is at ${oracle.newest} and outOfOrderWindow is ${WINDOW}, so the oldest time accepted is ${limit}`);
  expect(() => t.appendBatch(batchOf([row(limit + 3n), row(limit - 2n)])), where).toThrow(`row 1: time ${limit - 2n} is too late`);
  expect(t.rowCount, where).toBe(before);
  await expectReads(t, oracle, `${where} after the refusals`);
}

type Op = 'flush' | 'close' | 'deleteBefore';

async function scenario(dir: string, op: Op, disk: boolean, cacheBytes: number): Promise<void> {
  const where = `${op} disk ${disk} cache ${cacheBytes}`;
  let db = await open(dir, { pool, cacheBytes });
  let t: Tbl = await db.createTable(schema, { outOfOrderWindow: WINDOW, maxBlockSize: BLOCK, rowGroupRows: 3, useDiskStorage: disk });
  const oracle = new LateOracle(WINDOW);
  // Rows 3 apart, some late: the window holds about 13 rows, blocks 16.
  for (let i = 0; i < 60; i++) {
    const r = row(BigInt(1000 + 3 * i) - (i % 5 === 2 ? 20n : 0n));
    t.append({ ...r });
    oracle.accept([r]);
  }
  for (let round = 0; round < 3; round++) {
    if (op === 'flush') {
      await t.flush();
      oracle.sealAll();
    } else if (op === 'close') {
      await db.close();
      oracle.sealAll(); // no WAL: close seals every row
      db = await open(dir, { pool, cacheBytes });
      t = await db.openTable(schema);
    } else {
      const cutoff = (oracle.newest as bigint) - 50n - BigInt(round * 7);
      expect(await t.deleteBefore(cutoff)).toBe(oracle.deleteBefore(cutoff));
    }
    await expectReads(t, oracle, `${where} round ${round} sealed`);
    appendLate(t, oracle);
    await expectReads(t, oracle, `${where} round ${round} late rows in`);
    await expectTooLateRefused(t, oracle, `${where} round ${round}`);
    // Newer rows seal the taken-back rows again (their blocks replace the old ones).
    for (let i = 0; i < 25; i++) {
      const r = row((oracle.newest as bigint) + 2n - (i % 4 === 1 ? 25n : 0n));
      t.append({ ...r });
      oracle.accept([r]);
    }
    await expectReads(t, oracle, `${where} round ${round} newer rows`);
  }
  await db.close();
  db = await open(dir, { pool, cacheBytes });
  t = await db.openTable(schema);
  await expectReads(t, oracle, `${where} after reopen`);
  if (disk) {
    // Replaced block files are gone; every file is one the manifest lists (or table.json, manifest).
    const files = readdirSync(join(dir, 'lr')).filter((f) => f.endsWith('.parquet'));
    expect(files.length, where).toBe(t.blockCount);
  }
  await db.close();
}

describe('late rows after every row was sealed', () => {
  for (const op of ['flush', 'close', 'deleteBefore'] as const) {
    for (const disk of [false, true]) {
      for (const cacheBytes of [0, 64 << 20]) {
        it(`after ${op}, ${disk ? 'disk' : 'memory'}, cache ${cacheBytes === 0 ? 'off' : 'on'}`, () => withDir((dir) => scenario(dir, op, disk, cacheBytes)));
      }
    }
  }

  it('a read-only open next to the writer places a WAL row older than the newest sealed row', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { outOfOrderWindow: WINDOW, maxBlockSize: BLOCK, enableWal: true, useDiskStorage: true });
    const oracle = new LateOracle(WINDOW);
    const add = (r: LateRow) => { t.append({ ...r }); oracle.accept([r]); };
    for (let i = 0; i < 30; i++) add(row(BigInt(500 + 4 * i)));
    await t.flush();
    oracle.sealAll();
    add(row((oracle.newest as bigint) - 10n));
    add(row((oracle.newest as bigint) - 30n));
    await t.sync();
    const ro = await open(dir, { pool, readOnly: true });
    const r = await ro.openTable('lr');
    await expectReads(r, oracle, 'read-only, late rows only in the WAL');
    // The writer seals them again (one manifest generation replaces the old blocks).
    for (let i = 0; i < 20; i++) add(row((oracle.newest as bigint) + 3n));
    await t.flush();
    oracle.sealAll();
    add(row((oracle.newest as bigint) - 1n));
    await t.sync();
    await expectReads(r, oracle, 'read-only, after the writer sealed them');
    await ro.close();
    await db.close();
  }));

  it('while deleteBefore rewrites the blocks a late row needs back, the row is refused (and taken once it resolved)', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { outOfOrderWindow: WINDOW, maxBlockSize: BLOCK, useDiskStorage: true });
    const oracle = new LateOracle(WINDOW);
    for (let i = 0; i < 40; i++) { const r = row(BigInt(1000 + 3 * i)); t.append({ ...r }); oracle.accept([r]); }
    const newest = oracle.newest as bigint;
    const deleting = t.deleteBefore(newest - 10n); // seals every row now; rewrites the newest block
    const late = row(newest - 20n);
    expect(() => t.append({ ...late })).toThrow(`table "lr": time ${newest - 20n} is within outOfOrderWindow ${WINDOW} of the newest row (at ${newest}), but the`);
    expect(() => t.append({ ...late })).toThrow('which deleteBefore is rewriting; nothing was appended (append it again once deleteBefore has resolved)');
    expect(await deleting).toBe(oracle.deleteBefore(newest - 10n));
    t.append({ ...late }); // the rewritten block comes back from the rows deleteBefore kept
    oracle.accept([late]);
    await expectReads(t, oracle, 'after deleteBefore resolved');
    await db.close();
  }));

  it('a late row that would take back more than the active block holds is refused, changing nothing', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { outOfOrderWindow: 1000n, maxBlockSize: 4 });
    const oracle = new LateOracle(1000n);
    // Equal times seal together: one block of 8 rows; with the row they make 9, past 2 × maxBlockSize.
    const rows = Array.from({ length: 8 }, () => row(100n));
    t.appendBatch(batchOf(rows));
    oracle.accept(rows);
    await t.flush();
    expect(() => t.append({ ...row(99n) })).toThrow('table "lr": the active block is full: time 99 is within outOfOrderWindow 1000 of the newest row (at 100), but the 8 sealed rows newer than it would have to go back into the active block, and it holds 0 rows and takes 8 (2 × maxBlockSize); nothing was appended (raise maxBlockSize or lower outOfOrderWindow)');
    expect(t.rowCount).toBe(8);
    await expectReads(t, oracle, 'after the refusal');
    const ok = row(100n); // not older than any sealed row: no block comes back
    t.append({ ...ok });
    oracle.accept([ok]);
    await expectReads(t, oracle, 'a row at the sealed time');
    await db.close();
  }));
});
