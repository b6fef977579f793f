// The Go seed's own table tests, ported, run with blocks small enough that queries cross
// sealed blocks (before and after encoding) and the active block.
import { afterAll, describe, expect, it } from 'vitest';
import type { CompareOp } from 'backtracedb';
import { tradesSchema } from 'backtracedb/sample-data';
import { pool, withDb } from './helpers.js';

afterAll(() => pool.destroy());

const schema = tradesSchema;

const five = [
  { ts: 100n, symbol: 'AAPL', price: 150.5, volume: 10n },
  { ts: 200n, symbol: 'MSFT', price: 1200.0, volume: 20n },
  { ts: 300n, symbol: 'AAPL', price: 151.0, volume: 30n },
  { ts: 400n, symbol: 'GOOG', price: 980.25, volume: 40n },
  { ts: 500n, symbol: 'MSFT', price: 1210.0, volume: 50n },
];

type Filter = [string, CompareOp, bigint | number | string];
const cases: Array<[string, Filter[], bigint[]]> = [
  ['ts == 300', [['ts', '==', 300n]], [300n]],
  ['ts != 300', [['ts', '!=', 300n]], [100n, 200n, 400n, 500n]],
  ['ts > 300', [['ts', '>', 300n]], [400n, 500n]],
  ['ts >= 300', [['ts', '>=', 300n]], [300n, 400n, 500n]],
  ['ts < 300', [['ts', '<', 300n]], [100n, 200n]],
  ['ts <= 300', [['ts', '<=', 300n]], [100n, 200n, 300n]],
  ['ts > 150 AND price < 1000', [['ts', '>', 150n], ['price', '<', 1000]], [300n, 400n]],
  ["symbol == 'AAPL'", [['symbol', '==', 'AAPL']], [100n, 300n]],
  ["symbol != 'AAPL'", [['symbol', '!=', 'AAPL']], [200n, 400n, 500n]],
  ["ts >= 200 AND ts <= 400 AND symbol != 'MSFT'", [['ts', '>=', 200n], ['ts', '<=', 400n], ['symbol', '!=', 'MSFT']], [300n, 400n]],
  ['a filter that matches nothing', [['price', '>', 5000]], []],
  ['ts as a safe-integer number', [['ts', '>', 250]], [300n, 400n, 500n]],
];

for (const [mode, maxBlockSize] of [['one block', 1000], ['rotating blocks of 2', 2]] as const) {
  describe(`seed table tests (${mode})`, () => {
    for (const flushed of [false, true]) {
      it(`every operator and chain${flushed ? ', after encoding' : ''}`, async () => {
        await withDb(async (db) => {
          const t = await db.createTable(schema, { maxBlockSize });
          for (const r of five) t.append(r);
          if (flushed) await t.flush();
          expect(t.rowCount).toBe(5);
          for (const [label, filters, want] of cases) {
            let r = t.reader();
            for (const [c, op, v] of filters) r = r.filter(c as 'ts', op, v as bigint);
            const rows = await r.toArray();
            expect(rows.map((x) => x.ts), label).toEqual(want);
            expect(await r.count(), label).toBe(want.length);
          }
          const all = await t.reader().toArray();
          expect(all).toEqual(five);
        });
      });
    }

    it('repeated timestamps: ts == 200 matches three rows', async () => {
      await withDb(async (db) => {
        const t = await db.createTable(schema, { maxBlockSize });
        t.append({ ts: 100n, symbol: 'A', price: 1, volume: 1n });
        for (let i = 0; i < 3; i++) t.append({ ts: 200n, symbol: `S${i}`, price: i, volume: BigInt(i) });
        t.append({ ts: 300n, symbol: 'Z', price: 9, volume: 9n });
        const rows = await t.reader().filter('ts', '==', 200n).toArray();
        expect(rows.map((r) => r.symbol)).toEqual(['S0', 'S1', 'S2']);
      });
    });
  });
}

describe('the seed usage example', () => {
  it('symbol == BTC AND volume > 5 AND 20000 < price < 25000 matches a plain filter', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 777 });
      const rows = [];
      const syms = ['BTC', 'ETH', 'SOL'];
      for (let i = 0; i < 5000; i++) {
        rows.push({ ts: 1_673_628_000n + BigInt(i), symbol: syms[i % 3], price: 18_000 + ((i * 37) % 9000), volume: BigInt(i % 11) });
      }
      for (const r of rows.slice(0, 2000)) t.append(r);
      t.appendBatch({ ts: rows.slice(2000).map((r) => r.ts), symbol: rows.slice(2000).map((r) => r.symbol), price: rows.slice(2000).map((r) => r.price), volume: rows.slice(2000).map((r) => r.volume) });
      const want = rows.filter((r) => r.symbol === 'BTC' && r.volume > 5n && r.price > 20000 && r.price < 25000);
      const r = () => t.reader().filter('symbol', '==', 'BTC').filter('volume', '>', 5n).filter('price', '>', 20000).filter('price', '<', 25000);
      const got = [];
      for await (const row of r()) got.push(row);
      expect(got).toEqual(want);
      await t.flush();
      expect(await r().toArray()).toEqual(want);
      expect(await r().count()).toBe(want.length);
    });
  });
});
