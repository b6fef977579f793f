// Projection, Arrow output, the decoded-block cache and pruning statistics.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { open, createPool, type CompareOp } from 'backtracedb';

const pool = createPool(2);
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
const SYMS = ['AAPL', 'MSFT', 'BTC', 'ETH'];

function cols(from: number, n: number, symbols = SYMS) {
  return {
    ts: Array.from({ length: n }, (_, i) => BigInt(from + i)),
    symbol: Array.from({ length: n }, (_, i) => symbols[(from + i) % symbols.length]),
    price: Array.from({ length: n }, (_, i) => 100 + ((from + i) * 7919) % 1000),
    volume: Array.from({ length: n }, (_, i) => BigInt(1 + ((from + i) % 10_000))),
    buy: Array.from({ length: n }, (_, i) => (from + i) % 3 === 0),
  };
}

async function withDb<T>(opts: { cacheBytes?: number }, fn: (db: Awaited<ReturnType<typeof open>>, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-q-'));
  const db = await open(dir, { pool, ...opts });
  try {
    return await fn(db, dir);
  } finally {
    await db.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('projection and Arrow output', () => {
  it('select, toArrow and batches give the same rows as toArray', async () => {
    await withDb({}, async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 1000, useDiskStorage: true });
      t.appendBatch(cols(0, 3500));
      await t.flush();
      t.appendBatch(cols(3500, 300)); // some rows stay in the active block
      const r = () => t.reader().filter('price', '>', 500).select(['volume', 'symbol', 'ts', 'buy']);
      const rows = await r().toArray();
      expect(rows.length).toBeGreaterThan(0);
      expect(Object.keys(rows[0])).toEqual(['volume', 'symbol', 'ts', 'buy']);
      const table = await r().toArrow();
      expect(table.numRows).toBe(rows.length);
      expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['volume:Int64', 'symbol:Dictionary<Int32, Utf8>', 'ts:Int64', 'buy:Bool']);
      expect(table.toArray().map((x) => x.toJSON())).toEqual(rows);
      let n = 0;
      for await (const b of r().batches()) {
        expect(b).toBeInstanceOf(arrow.RecordBatch);
        n += b.numRows;
      }
      expect(n).toBe(rows.length);
      const none = await t.reader().filter('price', '>', 1e9).toArrow();
      expect(none.numRows).toBe(0);
      expect(none.schema.fields.map((f) => f.name)).toEqual(['ts', 'symbol', 'price', 'volume', 'buy']);
    });
  });
});

describe('decoded-block cache', () => {
  it('gives identical answers on and off, and a warm repeat decodes nothing', async () => {
    const queries: Array<Array<[string, CompareOp, bigint | number | string | boolean]>> = [
      [['symbol', '==', 'AAPL'], ['price', '>', 200], ['price', '<', 900]],
      [['buy', '==', true], ['volume', '>=', 5000n]],
      [['ts', '>=', 1234n], ['ts', '<', 5555n], ['symbol', '!=', 'BTC']],
      [],
    ];
    const answers: string[] = [];
    for (const cacheBytes of [0, 64 * 1024 * 1024]) {
      await withDb({ cacheBytes }, async (db) => {
        const t = await db.createTable(schema, { maxBlockSize: 2000, useDiskStorage: true, rowGroupRows: 500 });
        t.appendBatch(cols(0, 10_000));
        await t.flush();
        const got: unknown[] = [];
        for (let rep = 0; rep < 2; rep++) {
          for (const q of queries) {
            let r = t.reader();
            for (const [c, op, v] of q) r = r.filter(c as 'ts', op, v as bigint);
            got.push(await r.toArray());
            if (cacheBytes > 0 && rep === 1 && q.length !== 3) expect(r.stats.rowGroupsDecoded).toBe(0);
          }
        }
        if (cacheBytes > 0) expect(db.cache.hits).toBeGreaterThan(0);
        answers.push(JSON.stringify(got, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
      });
    }
    expect(answers[1]).toBe(answers[0]);
  });
});

describe('disk scans against an oracle', () => {
  it('string-first filter chains (read from dictionary indices) match a plain filter', async () => {
    await withDb({ cacheBytes: 0 }, async (db) => {
      const syms = ['AAPL', 'MSFT', 'BTC', 'ETH', 'ü', ''];
      const t = await db.createTable(schema, { maxBlockSize: 3000, useDiskStorage: true, rowGroupRows: 700 });
      const all = cols(0, 10_000, syms);
      t.appendBatch(all);
      await t.flush();
      const rows = all.ts.map((ts, i) => ({ ts, symbol: all.symbol[i], price: all.price[i], volume: all.volume[i], buy: all.buy[i] }));
      const ops: CompareOp[] = ['==', '!=', '>', '>=', '<', '<='];
      const cmp = (op: CompareOp, a: string | number, b: string | number) => (op === '==' ? a === b : op === '!=' ? a !== b : op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b);
      for (const op of ops) {
        for (const v of ['BTC', 'ü', '', 'ZZZ']) {
          const want = rows.filter((r) => cmp(op, r.symbol, v) && r.price > 300);
          const r = () => t.reader().filter('symbol', op, v).filter('price', '>', 300);
          expect(await r().count(), `${op} ${v}`).toBe(want.length);
          expect((await r().select(['ts', 'price']).toArray()).map((x) => x.ts), `${op} ${v}`).toEqual(want.map((x) => x.ts));
        }
      }
    });
  });
});

describe('a large active block', () => {
  it('is scanned in slices by the pool with the same answers', async () => {
    await withDb({}, async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 1_000_000 });
      const n = 300_001;
      const all = cols(0, n);
      t.appendBatch(all);
      const rows = all.ts.map((ts, i) => ({ ts, symbol: all.symbol[i], price: all.price[i], volume: all.volume[i], buy: all.buy[i] }));
      const want = rows.filter((r) => r.symbol === 'BTC' && r.price < 400 && r.ts >= 1000n && r.ts < 299_000n);
      const r = () => t.reader().filter('symbol', '==', 'BTC').filter('price', '<', 400).filter('ts', '>=', 1000n).filter('ts', '<', 299_000n);
      expect(await r().count()).toBe(want.length);
      expect(await r().toArray()).toEqual(want);
      const q = r();
      await q.count();
      expect(q.stats.activeRows).toBe(n);
      expect(await t.reader().count()).toBe(n);
    });
  });
});

describe('pruning', () => {
  it('a time-range query decodes only the row groups it overlaps', async () => {
    await withDb({ cacheBytes: 0 }, async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 10_000, useDiskStorage: true, rowGroupRows: 1000 });
      t.appendBatch(cols(0, 30_000));
      await t.flush();
      const r = t.reader().filter('ts', '>=', 12_100n).filter('ts', '<', 12_900n);
      expect(await r.count()).toBe(800);
      expect(r.stats).toMatchObject({ blocks: 3, blocksPruned: 2, rowGroupsDecoded: 1 });
      const all = t.reader();
      expect(await all.count()).toBe(30_000);
      expect(all.stats.rowGroupsDecoded).toBe(0); // a bare count never decodes: row counts are known
    });
  });

  it('string equality skips blocks whose dictionary lacks the value', async () => {
    await withDb({ cacheBytes: 0 }, async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 1000, useDiskStorage: true });
      t.appendBatch(cols(0, 1000, ['AAPL']));
      t.appendBatch(cols(1000, 1000, ['MSFT']));
      t.appendBatch(cols(2000, 1000, ['AAPL', 'BTC']));
      await t.flush();
      const r = t.reader().filter('symbol', '==', 'BTC');
      expect(await r.count()).toBe(500);
      expect(r.stats).toMatchObject({ blocks: 3, blocksPruned: 2 });
    });
  });
});
