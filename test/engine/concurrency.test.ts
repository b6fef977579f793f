// Readers against moving tables: a reader sees exactly the rows appended before it started
// iterating, while appends, rotations and encodings go on.
import { afterAll, describe, expect, it } from 'vitest';
import { pool, withDb } from './helpers.js';

afterAll(() => pool.destroy());

const schema = {
  name: 'ticks',
  timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'v', type: 'float64' }],
} as const;
const row = (k: number) => ({ ts: BigInt(k), sym: `s${k % 7}`, v: k / 4 });

describe('readers during appends', () => {
  it('sees the rows appended before iteration began, not later ones, across rotations', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 50 });
      for (let k = 0; k < 1234; k++) t.append(row(k));
      const it = t.reader().filter('sym', '!=', 's3')[Symbol.asyncIterator]();
      const first = await it.next(); // iteration began: the snapshot is 1234 rows
      for (let k = 1234; k < 3000; k++) t.append(row(k)); // 35 more rotations
      const got = [first.value];
      for (let r = await it.next(); !r.done; r = await it.next()) got.push(r.value);
      const want = Array.from({ length: 1234 }, (_, k) => row(k)).filter((r) => r.sym !== 's3');
      expect(got).toEqual(want);
      expect(await t.reader().count()).toBe(3000);
    });
  });

  it('many concurrent counts agree while blocks are still being encoded', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 1000 });
      const cols = { ts: [] as bigint[], sym: [] as string[], v: [] as number[] };
      for (let k = 0; k < 20_000; k++) { const r = row(k); cols.ts.push(r.ts); cols.sym.push(r.sym); cols.v.push(r.v); }
      t.appendBatch(cols); // 20 seals; encoding runs in the pool while we read
      const counts = await Promise.all(Array.from({ length: 12 }, () => t.reader().filter('sym', '==', 's1').filter('v', '>=', 100).count()));
      const want = cols.sym.filter((s, i) => s === 's1' && cols.v[i] >= 100).length;
      expect(counts).toEqual(Array(12).fill(want));
      await t.flush();
      expect(await t.reader().filter('sym', '==', 's1').filter('v', '>=', 100).count()).toBe(want);
    });
  });

  it('appends interleaved with reads: every read is an exact prefix', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema, { maxBlockSize: 64 });
      let k = 0;
      for (let round = 0; round < 30; round++) {
        const n = 1 + ((round * 37) % 90);
        for (let i = 0; i < n; i++) t.append(row(k++));
        const pending = t.reader().toArray();
        for (let i = 0; i < 10; i++) t.append(row(k++)); // after the reader was created, before it ran
        const rows = await pending;
        expect(rows.length).toBeGreaterThanOrEqual(k - 10);
        rows.forEach((r, j) => { if (r.ts !== BigInt(j)) expect(r).toEqual(row(j)); });
      }
    });
  });
});
