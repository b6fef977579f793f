// Issue 8: count() over-counted once a row query had put a multi-row-group block in the
// decoded-block cache (rows proven by zone maps were added to a scan of the whole block).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';

const pool = createPool(2);
afterAll(() => pool.destroy());

const schema = {
  name: 'small', timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'x', type: 'float64' }],
} as const;

for (const cacheBytes of [0, 1 << 20]) {
  it(`count after a row query is exact (cacheBytes ${cacheBytes})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-reg8-'));
    const db = await open(dir, { pool, cacheBytes });
    try {
      const t = await db.createTable(schema, { useDiskStorage: true, maxBlockSize: 4, rowGroupRows: 2 });
      t.appendBatch({ ts: [0n, 1n, 2n, 3n], x: [1, 1, 5, 6] });
      await t.flush();
      expect(await t.reader().filter('x', '>', 0).toArray()).toHaveLength(4);
      expect(await t.reader().filter('ts', '>=', 1n).filter('x', '>=', 1).count()).toBe(3);
      expect(await t.reader().filter('ts', '>=', 1n).filter('x', '>=', 1).toArray()).toHaveLength(3);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
