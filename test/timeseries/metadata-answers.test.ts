// Aggregates answered from zone maps (issue 11 item 2): blocks and row groups whose rows all
// pass the filters, lie in one bucket and hold one key give count/min/max (and first/last/int64
// sum of a constant column) without decoding. Answers must equal the oracle's whether or not a
// block was answered that way; stats.blocksFromMetadata says how many were.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';
import { seededRandom } from 'backtracedb/sample-data';
import { applyFilters, oracleAggregate, type AggSpec, type Filter, type Row } from './oracle.js';
import { INT_COLS, columnsOf, schema } from './data.js';

const pool = createPool(2);
afterAll(() => pool.destroy());

/** Runs of one symbol/flag/acct, times climbing in steps, so whole blocks and row groups hold one key and one bucket. */
function clumpedRows(seed: number, n: number): Row[] {
  const next = seededRandom(seed);
  const rows: Row[] = [];
  let t = -1000n;
  let sym = 'a', flag = false, acct = 3n;
  for (let i = 0; i < n; i++) {
    if (i % 30 === 0) { sym = ['a', 'B', 'ü', ''][Math.floor(next() * 4)]; flag = next() < 0.5; acct = [3n, -7n][Math.floor(next() * 2)]; }
    t += next() < 0.3 ? 0n : BigInt(1 + Math.floor(next() * 3));
    const nan = next() < 0.002;
    rows.push({ ts: t, sym, flag, acct, price: nan ? NaN : Math.round(next() * 400) / 4 - 50, vol: i % 60 < 30 ? 5n : BigInt(Math.floor(next() * 100)) });
  }
  return rows;
}

const specs: AggSpec[] = [
  { values: { n: ['count'], lo: ['min', 'price'], hi: ['max', 'price'] } },
  { every: 1000n, by: ['sym'], values: { n: ['count'], lo: ['min', 'price'], hi: ['max', 'price'], minTs: ['min', 'ts'], maxTs: ['max', 'ts'] } },
  { every: 500n, origin: -3n, by: ['flag', 'acct'], values: { n: ['count', 'vol'], firstSym: ['first', 'sym'], lastFlag: ['last', 'flag'], lo: ['min', 'sym'], hi: ['max', 'flag'] } },
  { every: 250n, by: ['acct'], values: { n: ['count'], v: ['sum', 'vol'], a: ['avg', 'vol'], f: ['first', 'vol'], l: ['last', 'vol'] }, fill: 'previous' },
  { by: ['sym'], values: { n: ['count'], hi: ['max', 'ts'] } },
];
const filterSets: Filter[][] = [[], [['ts', '>=', -800n]], [['sym', '!=', 'B']], [['price', '>', 0]], [['ts', '<', 0n], ['flag', '==', true]]];

describe('aggregates from zone maps', () => {
  for (const disk of [false, true]) {
    for (const rowGroupRows of [20, 1000]) {
      it(`equal the oracle, and some blocks are answered from metadata (${disk ? 'disk' : 'memory'}, row groups of ${rowGroupRows})`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'btdb-zone-agg-'));
        const db = await open(dir, { pool, cacheBytes: 0 });
        try {
          const rows = clumpedRows(rowGroupRows + (disk ? 1 : 0), 2000);
          const t = await db.createTable(schema, { useDiskStorage: disk, maxBlockSize: 40, rowGroupRows });
          t.appendBatch(columnsOf(rows));
          await t.flush();
          let fromMetadata = 0;
          for (const spec of specs) {
            for (const filters of filterSets) {
              let r = t.reader();
              for (const [c, op, v] of filters) r = r.filter(c as 'ts', op, v as bigint);
              const q = r.aggregate(spec as never);
              const where = JSON.stringify({ filters, spec }, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
              expect(await q.toArray(), where).toEqual(oracleAggregate(applyFilters(rows, filters), 'ts', INT_COLS, spec));
              fromMetadata += q.stats.blocksFromMetadata;
            }
          }
          expect(fromMetadata).toBeGreaterThan(50);
        } finally {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }

  it('a block spanning two buckets, holding NaN, or asked for a float sum is scanned, and gives the same answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-zone-agg-'));
    const db = await open(dir, { pool });
    try {
      const t = await db.createTable(schema, { maxBlockSize: 4, rowGroupRows: 4 });
      const rows: Row[] = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n].map((ts, i) => ({ ts, sym: 'a', flag: true, acct: 1n, price: i === 6 ? NaN : i, vol: 2n }));
      t.appendBatch(columnsOf(rows));
      await t.flush();
      const run = async (spec: AggSpec): Promise<number> => {
        const q = t.reader().aggregate(spec as never);
        expect(await q.toArray()).toEqual(oracleAggregate(rows, 'ts', INT_COLS, spec));
        return q.stats.blocksFromMetadata;
      };
      expect(await run({ every: 4n, values: { n: ['count'], hi: ['max', 'price'] } })).toBe(1); // the NaN block is scanned
      expect(await run({ every: 2n, values: { n: ['count'] } })).toBe(0); // each block spans two buckets
      expect(await run({ values: { s: ['sum', 'price'] } })).toBe(0);
      expect(await run({ values: { s: ['sum', 'vol'], f: ['first', 'vol'], n: ['count'] } })).toBe(2);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
