// Build-time refusals of the time-series queries (each names the table and the column), and
// how much a limited read touches: a small limit reads the newest (or oldest) blocks only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, type Database, type Table } from 'backtracedb';
import { columnsOf, randomRows, schema } from './data.js';

let dir: string;
let db: Database;
let t: Table<typeof schema>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'btdb-tse-'));
  db = await open(dir, { poolSize: 1 });
  t = await db.createTable(schema, { maxBlockSize: 100 });
  t.appendBatch(columnsOf(randomRows(3, 1050)));
  await t.flush();
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('refused when the query is built', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['negative limit', () => t.reader().limit(-1), /table "ticks".*limit must be a non-negative integer/],
    ['fractional limit', () => t.reader().limit(1.5), /table "ticks".*limit/],
    ['unknown order', () => t.reader().order('up' as never), /table "ticks".*order must be 'asc' or 'desc'/],
    ['unknown function', () => t.reader().aggregate({ values: { x: ['median' as never, 'price'] } }), /table "ticks".*unknown function "median"/],
    ['unknown column', () => t.reader().aggregate({ values: { x: ['sum', 'nope' as never] } }), /table "ticks", column "nope"/],
    ['sum of a string', () => t.reader().aggregate({ values: { x: ['sum', 'sym'] } }), /table "ticks", column "sym": cannot sum a string column/],
    ['avg of a bool', () => t.reader().aggregate({ values: { x: ['avg', 'flag'] } }), /table "ticks", column "flag": cannot avg a bool column/],
    ['every 0', () => t.reader().aggregate({ every: 0n, values: { n: ['count'] } }), /table "ticks", column "ts": aggregate every must be > 0/],
    ['every negative', () => t.reader().aggregate({ every: -5, values: { n: ['count'] } }), /table "ticks", column "ts": aggregate every must be > 0/],
    ['every fractional', () => t.reader().aggregate({ every: 1.5, values: { n: ['count'] } }), /table "ticks".*every must be a bigint or a safe integer/],
    ['every as a duration without timeUnit', () => t.reader().aggregate({ every: '1m' as never, values: { n: ['count'] } }), /table "ticks".*timeUnit/],
    ['by a float64', () => t.reader().aggregate({ by: ['price'], values: { n: ['count'] } }), /table "ticks", column "price": cannot group by a float64 column/],
    ['unknown by', () => t.reader().aggregate({ by: ['nope' as never], values: { n: ['count'] } }), /table "ticks", column "nope"/],
    ['unknown fill', () => t.reader().aggregate({ every: 5n, fill: 'linear' as never, values: { n: ['count'] } }), /table "ticks".*fill must be/],
    ['output name clash', () => t.reader().aggregate({ by: 'sym', values: { sym: ['count'] } }), /table "ticks".*"sym" is already a key/],
    ['latest of a float64', () => t.reader().latest('price'), /table "ticks", column "price": latest keys/],
    ['latest of an unknown column', () => t.reader().latest('nope' as never), /table "ticks", column "nope"/],
  ];
  for (const [what, build, message] of cases) it(what, () => expect(build).toThrow(message));
});

describe('limited reads touch only what they need', () => {
  it('desc limit 10 reads the active block only; asc limit 10 the first block only', async () => {
    const all = await t.reader().toArray();
    const r = t.reader().order('desc').limit(10);
    expect(await r.toArray()).toEqual(all.slice(-10).reverse());
    expect(r.stats.scansStarted).toBe(1);
    const a = t.reader().limit(10);
    expect(await a.toArray()).toEqual(all.slice(0, 10));
    expect(a.stats.scansStarted).toBe(1);
    const wide = t.reader().order('desc').limit(250);
    expect(await wide.toArray()).toEqual(all.slice(-250).reverse());
    expect(wide.stats.scansStarted).toBeLessThan(11);
    expect(await t.reader().limit(0).toArray()).toEqual([]);
    const arrowTail = await t.reader().order('desc').limit(3).select(['ts', 'sym']).toArrow();
    expect(arrowTail.toArray().map((r) => ({ ts: r.ts as bigint, sym: String(r.sym) }))).toEqual(all.slice(-3).reverse().map((r) => ({ ts: r.ts, sym: r.sym })));
    const streamed: unknown[] = [];
    for await (const row of t.reader().order('desc').limit(4)) streamed.push(row);
    expect(streamed).toEqual(all.slice(-4).reverse());
    expect(await t.reader().limit(7).count()).toBe(7);
  });

  it('reads that stop early do not count as touches for the decoded-block cache', async () => {
    const d = mkdtempSync(join(tmpdir(), 'btdb-tsc-'));
    const db2 = await open(d, { poolSize: 1, cacheBytes: 64 * 1024 * 1024 });
    try {
      const c = await db2.createTable({ ...schema, name: 'c' }, { maxBlockSize: 100, useDiskStorage: true });
      c.appendBatch(columnsOf(randomRows(4, 1000)));
      await c.flush();
      for (let i = 0; i < 2; i++) { await c.reader().order('desc').limit(5).toArray(); await c.reader().latest('sym').toArray(); }
      // The cache admits a block on its second touch: the first full read touches, the second fills.
      const first = c.reader();
      await first.toArray();
      expect(first.stats.rowGroupsDecoded).toBeGreaterThan(0);
      const second = c.reader();
      await second.toArray();
      expect(second.stats.rowGroupsDecoded).toBeGreaterThan(0);
      const third = c.reader();
      await third.toArray();
      expect(third.stats.rowGroupsDecoded).toBe(0);
    } finally {
      await db2.close();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('latest stops once every key of the zone maps has its row', async () => {
    const r = t.reader();
    const got = await r.latest('sym').toArray();
    expect(got.length).toBe(6);
    // Six symbols, each in every block of 100 random rows: a couple of blocks suffice.
    expect(r.stats.scansStarted).toBeLessThanOrEqual(3);
    expect(r.stats.blocks).toBe(11);
    // With a filter, a key may have no matching row anywhere: every block is read.
    const f = t.reader().filter('price', '>', -1e9);
    expect(await f.latest('sym').toArray()).toEqual(got);
    expect(f.stats.scansStarted).toBe(11);
    // order and limit apply to the keys.
    expect(await t.reader().order('desc').limit(2).latest('sym').toArray()).toEqual(got.slice().reverse().slice(0, 2));
    const perKey = await t.reader().aggregate({ by: 'sym', values: { n: ['count'] } }).toArray();
    expect(await t.reader().order('desc').limit(4).aggregate({ by: 'sym', values: { n: ['count'] } }).toArray()).toEqual(perKey.reverse().slice(0, 4));
  });

  it('equal times come back later-appended first under order desc', async () => {
    const d2 = await db.createTable({ ...schema, name: 'eq' }, { maxBlockSize: 3 });
    d2.appendBatch({ ts: [5n, 5n, 5n, 5n, 5n], sym: ['a', 'b', 'c', 'd', 'e'], flag: [true, true, true, true, true], acct: [1n, 1n, 1n, 1n, 1n], price: [1, 2, 3, 4, 5], vol: [1n, 2n, 3n, 4n, 5n] });
    expect((await d2.reader().order('desc').select(['sym']).toArray()).map((x) => x.sym)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(await d2.reader().select(['sym', 'acct']).latest('acct').toArray()).toEqual([{ sym: 'e', acct: 1n }]);
    expect(await d2.reader().aggregate({ values: { f: ['first', 'sym'], l: ['last', 'sym'] } }).toArray()).toEqual([{ f: 'a', l: 'e' }]);
  });
});
