// Late rows, case by case: the window's edge, the errors (both times, table and column), a
// refused row or batch changing nothing, equal times in append order, appendArrow, a window
// holding more rows than the active block takes, readers in flight across seals, read-only
// opens next to the writer, and a table without a window exactly as before.
import { afterAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, createPool, type Database } from 'backtracedb';

const pool = createPool(1);
const BTDB = fileURLToPath(new URL('../node_modules/backtracedb/dist/cli/main.js', import.meta.url));
afterAll(() => pool.destroy());
const schema = { name: 'q', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'int64' }, { name: 's', type: 'string' }] } as const;

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-late-basics-'));
  try { return await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

type Tbl = Awaited<ReturnType<Database['openTable']>>;
const pairs = async (t: Tbl): Promise<string[]> => (await t.reader().toArray()).map((r) => `${String(r.ts)}:${String(r.v)}`);

describe('late rows', () => {
  it('takes rows up to the window older than the newest and refuses older ones, naming both times', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { outOfOrderWindow: 100n, maxBlockSize: 3 });
    t.append({ ts: 1000n, v: 0n, s: 'a' });
    t.append({ ts: 900n, v: 1n, s: 'b' }); // exactly on the edge
    expect(() => t.append({ ts: 899n, v: 2n, s: 'c' })).toThrow('table "q", column "ts": time 899 is too late: the newest row is at 1000 and outOfOrderWindow is 100, so the oldest time accepted is 900');
    // Within a batch, "newest" includes the earlier rows of the batch; one bad row refuses all.
    expect(() => t.appendBatch({ ts: [950n, 1200n, 1099n], v: [3n, 4n, 5n], s: ['x', 'y', 'z'] }))
      .toThrow('table "q", column "ts": row 2: time 1099 is too late: the newest row is at 1200 and outOfOrderWindow is 100, so the oldest time accepted is 1100');
    expect(t.rowCount).toBe(2);
    expect(t.lastTimestamp).toBe(1000n);
    // appendArrow: the same rules, the same error.
    const late = arrow.tableFromArrays({ ts: BigInt64Array.from([990n, 850n]), v: BigInt64Array.from([6n, 7n]), s: ['p', 'q'] });
    expect(() => t.appendArrow(late)).toThrow('table "q", column "ts": row 1: time 850 is too late');
    expect(t.rowCount).toBe(2);
    expect(t.appendArrow(arrow.tableFromArrays({ ts: BigInt64Array.from([990n, 905n]), v: BigInt64Array.from([6n, 7n]), s: ['p', 'q'] }))).toBe(2);
    expect(t.appendBatch({ ts: [1100n, 1000n, 1050n, 1000n], v: [8n, 9n, 10n, 11n], s: ['a', 'a', 'a', 'a'] })).toBe(4);
    expect(await pairs(t)).toEqual(['900:1', '905:7', '990:6', '1000:0', '1000:9', '1000:11', '1050:10', '1100:8']);
    expect(t.lastTimestamp).toBe(1100n);
    await db.close();
  }));

  it('keeps equal times in append order through seals, reopen and WAL replay', () => withDir(async (dir) => {
    let db = await open(dir, { pool });
    const t = await db.createTable(schema, { outOfOrderWindow: 10n, maxBlockSize: 2, enableWal: true, useDiskStorage: true });
    const want: string[] = [];
    for (let i = 0; i < 60; i++) {
      const ts = BigInt(10 * Math.floor(i / 4) - (i % 3 === 0 ? 10 : 0));
      t.append({ ts, v: BigInt(i), s: 'k' });
      want.push(`${ts}:${i}`);
    }
    const sorted = want.map((p, i) => ({ p, i, ts: BigInt(p.split(':')[0]) })).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.i - b.i)).map((e) => e.p);
    expect(await pairs(t)).toEqual(sorted);
    await db.close();
    db = await open(dir, { pool });
    const again = await db.openTable('q');
    expect(await pairs(again)).toEqual(sorted);
    // Late rows still go in after a clean close: the window's rows stayed in the WAL.
    again.append({ ts: 135n, v: 60n, s: 'k' });
    const at = sorted.findIndex((p) => BigInt(p.split(':')[0]) > 135n);
    expect(await pairs(again)).toEqual([...sorted.slice(0, at), '135:60', ...sorted.slice(at)]);
    await db.close();
  }));

  it('readers in flight keep their snapshot while late rows arrive and blocks seal', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { outOfOrderWindow: 12n, maxBlockSize: 4 });
    t.appendBatch({ ts: [10n, 30n, 20n, 40n, 35n], v: [0n, 1n, 2n, 3n, 4n], s: ['a', 'b', 'c', 'd', 'e'] });
    const it1 = t.reader()[Symbol.asyncIterator]();
    const got = [await it1.next()];
    for (let i = 0; i < 40; i++) t.append({ ts: BigInt(40 + 5 * i - (i % 2) * 10), v: BigInt(5 + i), s: 'z' });
    for (let n = await it1.next(); n.done !== true; n = await it1.next()) got.push(n);
    expect(got.map((n) => `${n.value.ts}:${n.value.v}`)).toEqual(['10:0', '20:2', '30:1', '35:4', '40:3']);
    expect(await t.reader().count()).toBe(45);
    await db.close();
  }));

  it('refuses, changing nothing, a row that finds the active block full of rows within the window', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { outOfOrderWindow: 1000n, maxBlockSize: 4 });
    for (let i = 0; i < 8; i++) t.append({ ts: BigInt(i), v: BigInt(i), s: 'a' });
    expect(() => t.append({ ts: 8n, v: 8n, s: 'a' })).toThrow('table "q": the active block is full: its 8 rows are all within outOfOrderWindow 1000 of the newest row (at 7), so none can be sealed; nothing was appended (raise maxBlockSize or lower outOfOrderWindow)');
    expect(() => t.appendBatch({ ts: [5n, 6n], v: [9n, 9n], s: ['b', 'b'] })).toThrow(/the active block is full/);
    expect(t.rowCount).toBe(8);
    // The first batch of an empty table, too big on its own: the message names the batch (it said "at null").
    const e = await db.createTable({ ...schema, name: 'e' }, { outOfOrderWindow: 1000n, maxBlockSize: 4 });
    expect(() => e.appendBatch({ ts: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n], v: Array(9).fill(0n), s: Array(9).fill('a') })).toThrow('table "e": the active block is full: the batch holds more rows within outOfOrderWindow 1000 of its newest row than the 8 the block takes, so none can be sealed; nothing was appended (raise maxBlockSize, lower outOfOrderWindow or append in smaller batches)');
    expect(e.rowCount).toBe(0);
    // A larger maxBlockSize gives the active block room at once, rows and order kept.
    t.maxBlockSize = 6;
    t.append({ ts: 3n, v: 8n, s: 'a' });
    expect(t.rowCount).toBe(9);
    // A row far enough ahead lets the old ones seal, and it goes in.
    for (let i = 0; i < 4; i++) t.append({ ts: BigInt(2000 + i), v: BigInt(9 + i), s: 'a' });
    expect((await t.reader().toArray()).map((r) => Number(r.v))).toEqual([0, 1, 2, 3, 8, 4, 5, 6, 7, 9, 10, 11, 12]);
    await db.close();
  }));

  it('a read-only open next to the writer sees the rows in time order', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { outOfOrderWindow: 20n, maxBlockSize: 3, enableWal: true, useDiskStorage: true });
    const ro = await open(dir, { pool, readOnly: true });
    const r = await ro.openTable('q');
    const want: Array<[bigint, number]> = [];
    for (let i = 0; i < 30; i++) {
      const ts = BigInt(5 * i - (i % 4 === 1 ? 15 : 0));
      t.append({ ts, v: BigInt(i), s: 'r' });
      want.push([ts, i]);
      if (i % 7 === 6) {
        await t.sync();
        const sorted = want.map(([ts2, v], k) => ({ ts2, v, k })).sort((a, b) => (a.ts2 < b.ts2 ? -1 : a.ts2 > b.ts2 ? 1 : a.k - b.k)).map((e) => `${e.ts2}:${e.v}`);
        expect(await pairs(r)).toEqual(sorted);
      }
    }
    await ro.close();
    await db.close();
  }));

  it('btdb info counts the rows only the WAL holds, and verify finds nothing wrong, with rows left unsealed', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { outOfOrderWindow: 10n, maxBlockSize: 4, enableWal: true, useDiskStorage: true });
    for (let i = 0; i < 30; i++) t.append({ ts: BigInt(3 * i - (i % 4 === 3 ? 9 : 0)), v: BigInt(i), s: 'w' });
    await db.close();
    const info = spawnSync(process.execPath, [BTDB, 'info', dir], { encoding: 'utf8' });
    const m = /rows: +(\d+) \((\d+) in blocks, (\d+) only in the WAL\)/.exec(info.stdout);
    expect(m, info.stdout + info.stderr).not.toBeNull();
    expect(m?.slice(1).map(Number)).toEqual([30, 30 - Number(m?.[3]), Number(m?.[3])]);
    expect(Number(m?.[3])).toBeGreaterThan(0);
    const verify = spawnSync(process.execPath, [BTDB, 'verify', dir], { encoding: 'utf8' });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  }));

  it('maxBlockSize lowered while the active block holds more rows than the new size: appends go on, sealing block by block', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { enableWal: true, maxBlockSize: 648, outOfOrderWindow: 50n });
    const ts = (from: number, n: number) => Array.from({ length: n }, (_, i) => BigInt(2 * (from + i)));
    t.appendBatch({ ts: ts(0, 600), v: ts(0, 600), s: Array.from({ length: 600 }, () => 'a') });
    await t.sync();
    t.maxBlockSize = 84; // the active block holds 600 rows; blocks of 84 from now on
    for (let i = 600; i < 700; i++) t.append({ ts: BigInt(2 * i), v: BigInt(2 * i), s: 'b' }); // threw 'internal: block capacity … exceeded' at row 604
    t.appendBatch({ ts: ts(700, 50), v: ts(700, 50), s: Array.from({ length: 50 }, () => 'c') });
    expect(await pairs(t)).toEqual(ts(0, 750).map((x) => `${x}:${x}`));
    await db.close();
    const again = await open(dir, { pool });
    expect(await pairs(await again.openTable('q'))).toEqual(ts(0, 750).map((x) => `${x}:${x}`));
    await again.close();
  }));

  it('without a window a row older than the newest is refused as before', () => withDir(async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { maxBlockSize: 3 });
    expect(t.outOfOrderWindow).toBe(0n);
    t.append({ ts: 10n, v: 0n, s: 'a' });
    expect(() => t.append({ ts: 9n, v: 1n, s: 'a' })).toThrow('table "q", column "ts": time goes backwards: 9 after 10 (the time column must be non-decreasing)');
    expect(() => t.appendBatch({ ts: [11n, 10n], v: [1n, 2n], s: ['a', 'a'] })).toThrow('table "q", column "ts": row 1: time goes backwards: 10 after 11');
    t.append({ ts: 10n, v: 1n, s: 'b' });
    expect(await pairs(t)).toEqual(['10:0', '10:1']);
    await db.close();
  }));
});
