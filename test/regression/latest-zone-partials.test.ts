// latest(by) over a block answered from its row groups' zone maps: the block gives one partial
// per row group, in row order, and several may share a key; the newest must win. With
// one-row row groups latest('sym') once gave the oldest row of the block for each key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';

const pool = createPool(1);
afterAll(() => pool.destroy());

it('latest takes the newest row of a block whose row groups share a key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-latest-zone-'));
  try {
    for (const disk of [false, true]) {
      const db = await open(dir, { pool });
      const name = `t${String(disk)}`;
      const t = await db.createTable({ name, timeColumn: 't', columns: [{ name: 't', type: 'int64' }, { name: 'id', type: 'int64' }, { name: 'sym', type: 'string' }] }, { maxBlockSize: 3, rowGroupRows: 1, useDiskStorage: disk });
      t.appendBatch({ t: [143n, 144n, 144n, 145n], id: [95n, 96n, 97n, 98n], sym: ['b', 'b', 'b', 'a'] });
      await t.flush();
      expect((await t.reader().latest('sym').toArray()).map((r) => `${r.sym}@${r.t}:${r.id}`)).toEqual(['a@145:98', 'b@144:97']);
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
