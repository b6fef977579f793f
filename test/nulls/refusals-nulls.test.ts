// Nulls only where a column is nullable: a null (or a missing key / column) in any other
// column is refused by every append path with today's messages, naming table and column, and
// the table is unchanged; filters refuse a null operand and a value given to isNull/isNotNull.
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import type { Table, TableSchema } from 'backtracedb';
import { pool, withDb } from '../engine/helpers.js';

afterAll(() => pool.destroy());

const schema = {
  name: 'quotes', timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'int64' }, { name: 'symbol', type: 'string' },
    { name: 'bid', type: 'float64', nullable: true }, { name: 'size', type: 'int64' },
  ],
} as const;

async function expectUnchanged(t: Table<TableSchema>, fn: () => unknown, message: RegExp): Promise<void> {
  const before = await t.reader().toArray();
  const n = t.rowCount;
  expect(fn).toThrow(message);
  expect(t.rowCount).toBe(n);
  expect(await t.reader().toArray()).toEqual(before);
}

describe('null in a column that is not nullable', () => {
  it('append, appendBatch and appendArrow refuse it; the table is unchanged', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 3 });
      for (let i = 0; i < 5; i++) t.append({ ts: BigInt(i), symbol: 'A', bid: i % 2 === 0 ? null : 1.5, size: 1n });
      const tt = t as unknown as Table<TableSchema>;
      const loose = t as unknown as { append(r: unknown): void; appendBatch(b: unknown): number };
      await expectUnchanged(tt, () => loose.append({ ts: 9n, symbol: null, bid: 1, size: 1n }), /table "quotes", column "symbol": expected a string, got null/);
      await expectUnchanged(tt, () => loose.append({ ts: 9n, symbol: 'A', bid: 1 }), /table "quotes", column "size": missing value/);
      await expectUnchanged(tt, () => loose.append({ ts: 9n, symbol: 'A', bid: 1, size: undefined }), /table "quotes", column "size": expected a bigint or safe-integer number, got undefined/);
      await expectUnchanged(tt, () => loose.appendBatch({ ts: [9n, 10n], symbol: ['A', 'B'], bid: [null, null], size: [1n, null] }), /table "quotes", column "size": row 1: expected a bigint or safe-integer number, got null/);
      await expectUnchanged(tt, () => loose.appendBatch({ ts: [9n], bid: [1], size: [1n] }), /table "quotes", column "symbol": missing column/);
      const withNullSize = new arrow.Table({
        ts: arrow.vectorFromArray([9n, 10n], new arrow.Int64()), symbol: arrow.vectorFromArray(['A', 'B'], new arrow.Utf8()),
        bid: arrow.vectorFromArray([1, 2], new arrow.Float64()), size: arrow.vectorFromArray([1n, null], new arrow.Int64()),
      });
      await expectUnchanged(tt, () => t.appendArrow(withNullSize), /table "quotes", column "size": 1 null values, but the column is not nullable/);
      // A null in a nullable column in the same call does not make the others acceptable: the
      // whole call is refused.
      await expectUnchanged(tt, () => loose.append({ ts: 9n, symbol: 'A', bid: null, size: null }), /column "size"/);
      // A wrong type in a nullable column is refused as ever.
      await expectUnchanged(tt, () => loose.append({ ts: 9n, symbol: 'A', bid: 'x', size: 1n }), /table "quotes", column "bid": expected a number, got string/);
      await expectUnchanged(tt, () => loose.appendBatch({ ts: [9n], symbol: ['A'], bid: ['x'], size: [1n] }), /table "quotes", column "bid": row 0: expected a number, got string/);
      expect(await t.reader().filter('bid', 'isNull').count()).toBe(3);
    });
  });

  it('appendArrow takes Arrow nulls in a nullable column', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema);
      t.appendArrow(new arrow.Table({
        ts: arrow.vectorFromArray([1n, 2n], new arrow.Int64()), symbol: arrow.vectorFromArray(['A', 'B'], new arrow.Utf8()),
        bid: arrow.vectorFromArray([null, 2.5], new arrow.Float64()), size: arrow.vectorFromArray([1n, 2n], new arrow.Int64()),
      }));
      expect(await t.reader().toArray()).toEqual([{ ts: 1n, symbol: 'A', bid: null, size: 1n }, { ts: 2n, symbol: 'B', bid: 2.5, size: 2n }]);
      const out = await t.reader().toArrow();
      expect(out.getChild('bid')?.nullCount).toBe(1);
      expect(out.schema.fields.map((f) => f.nullable)).toEqual([false, false, true, false]);
    });
  });
});

describe('nulls with a timeUnit', () => {
  it('toArrow gives a Timestamp time column and Arrow nulls; appendArrow takes both back', async () => {
    await withDb(async (db) => {
      const s = { ...schema, timeUnit: 'ms' } as const;
      const a = await db.createTable(s, { maxBlockSize: 2 });
      a.appendBatch({ ts: [1704067200000n, 1704067260000n, 1704067320000n], symbol: ['A', 'B', 'A'], bid: [null, 2.5, null], size: [1n, 2n, 3n] });
      const out = await a.reader().filter('ts', '>=', '2024-01-01T00:01:00Z').toArrow();
      expect(String(out.schema.fields[0].type)).toBe('Timestamp<MILLISECOND, UTC>');
      expect(out.getChild('bid')?.nullCount).toBe(1);
      const b = await db.createTable({ ...s, name: 'copy' });
      expect(b.appendArrow(out)).toBe(2);
      expect(await b.reader().toArray()).toEqual([
        { ts: 1704067260000n, symbol: 'B', bid: 2.5, size: 2n },
        { ts: 1704067320000n, symbol: 'A', bid: null, size: 3n },
      ]);
    });
  });
});

describe('filters and nulls', () => {
  it('a comparison refuses a null operand; isNull/isNotNull take no value', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema);
      const r = t.reader() as unknown as { filter(c: string, op: string, v?: unknown): unknown };
      expect(() => r.filter('bid', '==', null)).toThrow(/table "quotes", column "bid": filter value does not fit the column: expected a number, got null \(comparisons never match a null; filter with 'isNull' or 'isNotNull'\)/);
      expect(() => r.filter('bid', 'isNull', 1)).toThrow(/table "quotes", column "bid": filter isNull takes no value, got 1/);
      expect(() => r.filter('bid', 'isnull')).toThrow(/unknown filter operator "isnull" \(expected one of == != > >= < <= isNull isNotNull\)/);
      // On a column that is not nullable, isNull matches nothing and isNotNull everything.
      t.append({ ts: 1n, symbol: 'A', bid: null, size: 1n });
      expect(await t.reader().filter('size', 'isNull').count()).toBe(0);
      expect(await t.reader().filter('size', 'isNotNull').count()).toBe(1);
      expect(await t.reader().filter('ts', 'isNull').count()).toBe(0);
      expect(await t.reader().filter('ts', 'isNotNull').count()).toBe(1);
    });
  });
});
