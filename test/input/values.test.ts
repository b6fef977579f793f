// Values that used to be accepted and then changed or lost: lone surrogates, column names
// that are Object.prototype members, getters read twice, and error messages that said
// "got undefined undefined".
import { afterAll, describe, expect, it } from 'vitest';
import type { TableSchema } from 'backtracedb';
import { pool, withDb } from '../engine/helpers.js';

afterAll(() => pool.destroy());

const schema = {
  name: 'trades',
  timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'price', type: 'float64' }],
} as const;

describe('lone surrogates are refused, never stored as U+FFFD', () => {
  const bad = ['x\uD800', '\uDC00', 'a\uDC00\uD800b', '\uD83D'];
  for (const s of bad) {
    it(`append, appendBatch and filter refuse ${JSON.stringify(s)}`, async () => {
      await withDb(async (db) => {
        const t = await db.createTable(schema, { maxBlockSize: 4 });
        for (let i = 0; i < 6; i++) t.append({ ts: BigInt(i), sym: 'ok', price: i });
        const before = await t.reader().toArray();
        expect(() => t.append({ ts: 10n, sym: s, price: 1 })).toThrow(/table "trades", column "sym": .*lone surrogate/);
        expect(() => t.appendBatch({ ts: [10n, 11n], sym: ['fine', s], price: [1, 2] })).toThrow(/table "trades", column "sym": row 1: .*lone surrogate/);
        expect(() => t.reader().filter('sym', '==', s)).toThrow(/table "trades", column "sym": filter value .*lone surrogate/);
        expect(t.rowCount).toBe(6);
        expect(await t.reader().toArray()).toEqual(before);
      });
    });
  }
  it('well-formed pairs are kept exactly, and found again', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 2 });
      const s = 'x\uD83D\uDE42y';
      t.append({ ts: 1n, sym: s, price: 1 });
      t.appendBatch({ ts: [2n, 3n], sym: [s, 'z'], price: [2, 3] });
      expect(await t.reader().filter('sym', '==', s).count()).toBe(2);
      expect((await t.reader().filter('sym', '==', s).toArray()).map((r) => r.sym)).toEqual([s, s]);
    });
  });
});

describe('column names that are Object.prototype members are refused', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
    it(`refuses a column named ${name}`, async () => {
      await withDb(async (db) => {
        const s = { ...schema, columns: [...schema.columns, { name, type: 'float64' }] } as TableSchema;
        await expect(db.createTable(s)).rejects.toThrow(new RegExp(`table "trades", column "${name}": .*reserved`));
      });
    });
  }
});

describe('every value of a row is read exactly once', () => {
  function rowWithGetters(reads: Map<string, number>, values: Record<string, unknown[]>, proto: object = Object.prototype): Record<string, unknown> {
    const row = Object.create(proto) as Record<string, unknown>;
    for (const [k, seq] of Object.entries(values)) {
      Object.defineProperty(row, k, {
        enumerable: true,
        get() { const n = reads.get(k) ?? 0; reads.set(k, n + 1); return seq[Math.min(n, seq.length - 1)]; },
      });
    }
    return row;
  }
  it('a ts getter returning a different value on a second read: the checked value is stored', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema);
      t.append({ ts: 100n, sym: 'a', price: 1 });
      const reads = new Map<string, number>();
      t.append(rowWithGetters(reads, { ts: [200n, 50n], sym: ['b', 'WRONG'], price: [2, -1] }) as never);
      expect(Object.fromEntries(reads)).toEqual({ ts: 1, sym: 1, price: 1 });
      expect(await t.reader().toArray()).toEqual([{ ts: 100n, sym: 'a', price: 1 }, { ts: 200n, sym: 'b', price: 2 }]);
    });
  });
  it('also on the slow path (a row with an inherited enumerable key)', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema);
      t.append({ ts: 100n, sym: 'a', price: 1 });
      const reads = new Map<string, number>();
      t.append(rowWithGetters(reads, { ts: [200n, 50n], sym: ['b', 'WRONG'], price: [2, -1] }, { inherited: 1 }) as never);
      expect(Object.fromEntries(reads)).toEqual({ ts: 1, sym: 1, price: 1 });
      expect(await t.reader().toArray()).toEqual([{ ts: 100n, sym: 'a', price: 1 }, { ts: 200n, sym: 'b', price: 2 }]);
    });
  });
  it('a getter that fails the check the second time is not stored either', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema);
      t.append({ ts: 100n, sym: 'a', price: 1 });
      const reads = new Map<string, number>();
      expect(() => t.append(rowWithGetters(reads, { ts: [50n, 200n], sym: ['b'], price: [2] }) as never)).toThrow(/time goes backwards: 50 after 100/);
      expect(reads.get('ts')).toBe(1);
      expect(t.rowCount).toBe(1);
    });
  });
});

describe('error messages describe the value sensibly', () => {
  it('undefined, objects, long strings', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema);
      const msg = (fn: () => unknown): string => { try { fn(); } catch (err) { return (err as Error).message; } return 'no error'; };
      const m1 = msg(() => t.append({ ts: 1n, sym: 'a', price: undefined } as never));
      expect(m1).toMatch(/table "trades", column "price": /);
      expect(m1).not.toMatch(/undefined undefined/);
      const m2 = msg(() => t.reader().filter('price', '>', undefined as never));
      expect(m2).toMatch(/column "price": filter value does not fit the column: expected a number, got undefined/);
      expect(m2).not.toMatch(/undefined undefined/);
      const m3 = msg(() => t.append({ ts: 1n, sym: null, price: 1 } as never));
      expect(m3).not.toMatch(/null null/);
      const m4 = msg(() => t.append({ ts: 1n, sym: 'a', price: 'x'.repeat(100_000) } as never));
      expect(m4).toMatch(/expected a number, got string "xxx/);
      expect(m4.length).toBeLessThan(300);
      const m5 = msg(() => t.append({ ts: 1n, sym: 'a', price: { a: 1 } } as never));
      expect(m5).toMatch(/expected a number, got (an )?object/);
      expect(m5).not.toMatch(/\[object Object\]/);
    });
  });
});
