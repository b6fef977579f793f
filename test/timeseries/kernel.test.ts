// The aggregation kernel on its own, where the property test's small tables cannot reach:
// int64 sums over more than 2^21 rows of one group (past what float64 halves hold exactly) (the carry out of the float64 halves),
// at the int64 extremes; bucket floors; and Arrow output with the nulls that fill makes.
import { describe, expect, it } from 'vitest';
import { aggregateRows, bucketStart, type ColumnView } from '@backtracedb/engine';
import { open } from 'backtracedb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

describe('int64 sums stay exact past 2^21 rows of one group', () => {
  for (const [label, value] of [['-1', -1n], ['INT64_MAX', INT64_MAX], ['INT64_MIN', INT64_MIN], ['2^32 - 1', 2n ** 32n - 1n]] as const) {
    it(`${label} × 2,500,000`, () => {
      const n = 2_500_000;
      const ts = new BigInt64Array(n); // all at time 0
      const vol = new BigInt64Array(n).fill(value);
      const views: ColumnView[] = [{ type: 'int64', values: ts }, { type: 'int64', values: vol }];
      const sel = new Uint32Array(Array.from({ length: 1000 }, (_, j) => j * 3));
      const whole = aggregateRows(views, 0, n, null, { every: null, origin: 0n, by: [], values: [{ fn: 'sum', column: 1 }, { fn: 'count', column: null }] }, 0);
      expect(whole).toEqual([{ bucket: null, key: [], rows: n, states: [value * BigInt(n), null], counts: [n, n] }]);
      // A selection, offset by lo.
      const some = aggregateRows(views, 5, n, sel, { every: 10n, origin: 3n, by: [], values: [{ fn: 'sum', column: 1 }] }, 0);
      expect(some).toEqual([{ bucket: -7n, key: [], rows: 1000, states: [value * 1000n], counts: [1000] }]);
    });
  }
});

it('bucket starts floor toward minus infinity', () => {
  expect([-11n, -10n, -1n, 0n, 9n, 10n].map((t) => bucketStart(t, 0n, 10n))).toEqual([-20n, -10n, -10n, 0n, 0n, 10n]);
  expect([-11n, -7n, 2n, 3n].map((t) => bucketStart(t, 3n, 10n))).toEqual([-17n, -7n, -7n, 3n]);
  expect(bucketStart(INT64_MIN, 0n, 2n ** 62n)).toBe(INT64_MIN);
});

it('toArrow of aggregate (with fill nulls) and latest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-tsk-'));
  const db = await open(dir, { poolSize: 0 });
  try {
    const t = await db.createTable({ name: 'q', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 's', type: 'string' }, { name: 'x', type: 'float64' }, { name: 'v', type: 'int64' }] } as const);
    t.appendBatch({ ts: [0n, 1n, 35n], s: ['a', 'b', 'a'], x: [1.5, 2, 3], v: [1n, 2n, 3n] });
    const tbl = await t.reader().aggregate({ every: 10n, by: 's', fill: 'null', values: { hi: ['max', 'x'], v: ['sum', 'v'], n: ['count'] } }).toArrow();
    expect(tbl.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['ts:Int64', 's:Utf8', 'hi:Float64', 'v:Int64', 'n:Float64']);
    expect(tbl.toArray().map((r) => r.toJSON())).toEqual([
      { ts: 0n, s: 'a', hi: 1.5, v: 1n, n: 1 }, { ts: 0n, s: 'b', hi: 2, v: 2n, n: 1 },
      { ts: 10n, s: 'a', hi: null, v: 0n, n: 0 }, { ts: 20n, s: 'a', hi: null, v: 0n, n: 0 }, { ts: 30n, s: 'a', hi: 3, v: 3n, n: 1 },
    ]);
    const latest = await t.reader().select(['s', 'v']).latest('s').toArrow();
    expect(latest.toArray().map((r) => r.toJSON())).toEqual([{ s: 'a', v: 3n }, { s: 'b', v: 2n }]);
    expect(() => t.reader().aggregate({ every: 5n, by: 'ts', values: { n: ['count'] } })).toThrow(/table "q", column "ts": the time column carries the bucket/);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the kernel refuses rows out of time order rather than answer wrongly', () => {
  const views: ColumnView[] = [{ type: 'int64', values: BigInt64Array.from([1n, 5n, 3n]) }];
  const agg = { every: 2n, origin: 0n, by: [], values: [{ fn: 'first' as const, column: 0 }] };
  expect(() => aggregateRows(views, 0, 3, null, agg, 0)).toThrow(/not in time order/);
  expect(aggregateRows(views, 0, 2, null, agg, 0).map((p) => p.bucket)).toEqual([0n, 4n]);
  // -1 then 0: the high halves differ, the low halves compare the other way.
  expect(aggregateRows([{ type: 'int64', values: BigInt64Array.from([-1n, 0n]) }], 0, 2, null, agg, 0).map((p) => p.bucket)).toEqual([-2n, 0n]);
});
