// Every rejection of schemas, appends, batches and filters — each followed by a check that
// the table is exactly as before.
import { afterAll, describe, expect, it } from 'vitest';
import type { Table, TableSchema } from 'backtracedb';
import { pool, withDb } from './helpers.js';

afterAll(() => pool.destroy());

const schema = {
  name: 'trades',
  timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'int64' },
    { name: 'symbol', type: 'string' },
    { name: 'price', type: 'float64' },
    { name: 'volume', type: 'int64' },
    { name: 'buy', type: 'bool' },
  ],
} as const;

const good = { ts: 100n, symbol: 'BTC', price: 1.5, volume: 3n, buy: true };

/** A table with rows in two sealed blocks and the active one. */
async function seeded(db: Parameters<Parameters<typeof withDb>[0]>[0]) {
  const t = await db.createTable(schema, { maxBlockSize: 4 });
  for (let i = 0; i < 10; i++) t.append({ ...good, ts: 100n + BigInt(i), volume: BigInt(i) });
  return t;
}

async function expectUnchanged(t: Table<TableSchema>, before: unknown[], fn: () => unknown, message: RegExp): Promise<void> {
  expect(fn).toThrow(message);
  expect(t.rowCount).toBe(before.length);
  expect(await t.reader().toArray()).toEqual(before);
}

describe('schema validation', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['empty table name', { ...schema, name: '' }, /table name must be a non-empty string/],
    ['no columns', { ...schema, columns: [] }, /table "trades": schema must have at least one column/],
    ['empty column name', { ...schema, columns: [...schema.columns, { name: '', type: 'bool' }] }, /table "trades": column 5 has an empty name/],
    ['duplicate column', { ...schema, columns: [...schema.columns, { name: 'price', type: 'float64' }] }, /table "trades", column "price": duplicate/],
    ['missing time column', { ...schema, timeColumn: 'when' }, /table "trades", column "when": time column is not in the schema/],
    ['time column not int64', { ...schema, timeColumn: 'price' }, /table "trades", column "price": time column must be int64/],
    ['unknown type', { ...schema, columns: [...schema.columns, { name: 'q', type: 'decimal' }] }, /table "trades", column "q": unknown type "decimal"/],
  ];
  for (const [label, s, re] of bad) {
    it(`rejects ${label}`, async () => {
      await withDb(async (db) => { await expect(db.createTable(s as TableSchema)).rejects.toThrow(re); });
    });
  }
  for (const name of ['../evil', 'a/b', 'a\\b', '..', '.', 'with space', 'nul\0', 'x'.repeat(129), '-lead', 'é']) {
    it(`rejects the unsafe table name ${JSON.stringify(name)}`, async () => {
      await withDb(async (db) => { await expect(db.createTable({ ...schema, name })).rejects.toThrow(/invalid table name/); });
    });
    it(`rejects the unsafe column name ${JSON.stringify(name)}`, async () => {
      await withDb(async (db) => {
        await expect(db.createTable({ ...schema, columns: [...schema.columns, { name, type: 'bool' }] })).rejects.toThrow(/table "trades", column .*invalid column name/);
      });
    });
  }
  it('a closed table rejects appends, readers and flushes with its name', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema);
      await db.close();
      expect(() => t.append(good)).toThrow(/table "trades": the table is closed/);
      expect(() => t.reader()).toThrow(/table "trades": the table is closed/);
      await expect(t.flush()).rejects.toThrow(/table "trades": the table is closed/);
      await expect(db.createTable({ ...schema, name: 'other' })).rejects.toThrow(/the database is closed/);
    });
  });
  it('rejects a table that already exists', async () => {
    await withDb(async (db) => {
      await db.createTable(schema);
      await expect(db.createTable(schema)).rejects.toThrow(/table "trades": already exists/);
    });
  });
});

describe('append rejections leave the table unchanged', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['missing column', { ts: 200n, symbol: 'A', price: 1, volume: 1n }, /table "trades", column "buy": missing value/],
    ['unknown column', { ...good, ts: 200n, extra: 1 }, /table "trades", column "extra": unknown column/],
    ['null value', { ...good, ts: 200n, price: null }, /column "price": expected a number, got null/],
    ['undefined value', { ...good, ts: 200n, symbol: undefined }, /column "symbol": (missing value|expected a string)/],
    ['string for float64', { ...good, ts: 200n, price: '1.5' }, /column "price": expected a number, got string/],
    ['number for string', { ...good, ts: 200n, symbol: 7 }, /column "symbol": expected a string, got number/],
    ['number for bool', { ...good, ts: 200n, buy: 1 }, /column "buy": expected a boolean, got number/],
    ['string for int64', { ...good, ts: 200n, volume: '3' }, /column "volume": expected a bigint or safe-integer number, got string/],
    ['non-integer number for int64', { ...good, ts: 200n, volume: 1.5 }, /column "volume": 1.5 is not a safe integer/],
    ['unsafe integer number for int64', { ...good, ts: 200n, volume: 2 ** 53 }, /column "volume": 9007199254740992 is not a safe integer/],
    ['bigint above int64', { ...good, ts: 200n, volume: 2n ** 63n }, /column "volume": 9223372036854775808n is outside the int64 range/],
    ['bigint below int64', { ...good, ts: 200n, volume: -(2n ** 63n) - 1n }, /column "volume": -9223372036854775809n is outside the int64 range/],
    ['time going backwards', { ...good, ts: 50n }, /column "ts": time goes backwards: 50 after 109/],
    ['not an object', 42, /table "trades": append expects a row object, got number/],
    ['an array', [1, 2], /table "trades": append expects a row object, got array/],
  ];
  for (const [label, row, re] of cases) {
    it(label, async () => {
      await withDb(async (db) => {
        const t = await seeded(db);
        const before = await t.reader().toArray();
        await expectUnchanged(t as unknown as Table<TableSchema>, before, () => t.append(row as typeof good), re);
        t.append({ ...good, ts: 500n }); // and it still takes good rows
        expect(t.rowCount).toBe(11);
      });
    });
  }
});

describe('appendBatch rejections are all-or-nothing', () => {
  const cols = (n: number, from = 200) => ({
    ts: Array.from({ length: n }, (_, i) => BigInt(from + i)),
    symbol: Array.from({ length: n }, (_, i) => `s${i}`),
    price: Array.from({ length: n }, (_, i) => i / 2),
    volume: Array.from({ length: n }, (_, i) => BigInt(i)),
    buy: Array.from({ length: n }, (_, i) => i % 2 === 0),
  });
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['unequal lengths', () => ({ ...cols(9), price: cols(8).price }), /column "price": length 8 differs from the other columns \(9\)/],
    ['missing column', () => { const { buy: _b, ...rest } = cols(9); return rest; }, /column "buy": missing column/],
    ['unknown column', () => ({ ...cols(9), extra: [1] }), /column "extra": unknown column/],
    ['a bad value in the middle', () => { const c = cols(9); (c.price as unknown[])[5] = 'x'; return c; }, /column "price": row 5: expected a number, got string/],
    ['an unsafe number in the middle of int64', () => { const c = cols(9); (c.volume as unknown[])[6] = 2 ** 60; return c; }, /column "volume": row 6: .* is not a safe integer/],
    ['time decreasing inside the batch', () => { const c = cols(9); c.ts[7] = 100n; return c; }, /column "ts": row 7: time goes backwards/],
    ['time before the last row', () => cols(9, 50), /column "ts": row 0: time goes backwards: 50 after 109/],
    ['a wrong typed array kind', () => ({ ...cols(9), volume: new Int32Array(9) }), /column "volume": expected bigint\[\], number\[\] or BigInt64Array, got Int32Array/],
    ['a Uint8Array bool holding 2', () => ({ ...cols(9), buy: Uint8Array.from([0, 1, 2, 0, 0, 0, 0, 0, 0]) }), /column "buy": row 2: a Uint8Array bool column holds only 0 or 1, got 2/],
    ['a column that is not an array', () => ({ ...cols(9), symbol: 'abc' }), /column "symbol": expected an array, got string/],
    ['not an object', () => [1, 2, 3], /table "trades": appendBatch expects an object of columns, got array/],
  ];
  for (const [label, make, re] of cases) {
    it(`${label} (the batch would cross block boundaries)`, async () => {
      await withDb(async (db) => {
        const t = await seeded(db);
        const before = await t.reader().toArray();
        await expectUnchanged(t as unknown as Table<TableSchema>, before, () => t.appendBatch(make() as never), re);
        t.appendBatch(cols(9));
        expect(t.rowCount).toBe(19);
      });
    });
  }
});

describe('filter rejections throw at filter() time', () => {
  const cases: Array<[string, string, string, unknown, RegExp]> = [
    ['unknown column', 'nope', '==', 1, /table "trades", column "nope": unknown column in filter/],
    ['unknown operator', 'price', '=~', 1, /table "trades", column "price": unknown filter operator "=~"/],
    ['string for int64', 'volume', '>', '5', /table "trades", column "volume": filter value does not fit the column/],
    ['bigint for float64', 'price', '>', 5n, /table "trades", column "price": filter value does not fit the column: expected a number, got bigint/],
    ['number for string', 'symbol', '==', 5, /table "trades", column "symbol": filter value does not fit the column/],
    ['ordering on a bool', 'buy', '>', true, /table "trades", column "buy": operator > is not supported on bool columns/],
    ['non-integer for int64', 'ts', '==', 1.5, /table "trades", column "ts": filter value does not fit the column: 1.5 is not a safe integer/],
  ];
  for (const [label, col, op, value, re] of cases) {
    it(label, async () => {
      await withDb(async (db) => {
        const t = await seeded(db);
        const before = await t.reader().toArray();
        await expectUnchanged(t as unknown as Table<TableSchema>, before, () => t.reader().filter(col as 'ts', op as '==', value as bigint), re);
      });
    });
  }
  it('select rejects unknown and repeated columns', async () => {
    await withDb(async (db) => {
      const t = await seeded(db);
      expect(() => t.reader().select(['ts', 'nope' as 'ts'])).toThrow(/table "trades", column "nope": unknown column in select/);
      expect(() => t.reader().select(['ts', 'ts'])).toThrow(/column "ts": selected twice/);
    });
  });
});
