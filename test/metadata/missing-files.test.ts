// Issue 9 item 1: a table directory whose metadata is missing or that holds files the engine
// did not write is never taken for an empty table, and nothing the user made is removed.
import { existsSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';
import { btdb, cleanDirs, makeTable, schema, tempDir } from './helpers.js';

const pool = createPool(1);
afterAll(() => pool.destroy());
afterEach(cleanDirs);

const manifestFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('manifest'));

describe('missing metadata', () => {
  it('a missing manifest is an error naming the block files, and nothing is removed', async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 3);
    const tdir = join(dir, 'm');
    for (const f of manifestFiles(tdir)) unlinkSync(join(tdir, f));
    const before = readdirSync(tdir).sort();
    expect(before.filter((f) => f.endsWith('.parquet'))).toHaveLength(3);
    const db = await open(dir, { pool });
    await expect(db.openTable('m')).rejects.toThrow(/manifest is missing.*00000000000000000000\.parquet.*wal\/0/);
    await db.close();
    expect(readdirSync(tdir).sort()).toEqual(before);
    const v = btdb('verify', dir);
    expect(v.code).toBe(1);
    expect(v.out).toContain('manifest is missing');
  });

  it('a missing table.json is an error naming the data, not "does not exist"; create refuses too', async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 2);
    const tdir = join(dir, 'm');
    unlinkSync(join(tdir, 'table.json'));
    const before = readdirSync(tdir).sort();
    const db = await open(dir, { pool });
    const err = await db.openTable('m').then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/table\.json is missing but the directory holds data: .*00000000000000000000\.parquet/);
    expect(err?.message).not.toMatch(/does not exist/);
    await expect(db.createTable(schema, { enableWal: true, useDiskStorage: true })).rejects.toThrow(/has no table\.json but holds data/);
    await db.close();
    expect(readdirSync(tdir).sort()).toEqual(before);
    expect(btdb('verify', dir).code).toBe(1);
  });

  it("a user's folder and files in the table directory are kept, named in the open report and by verify", async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 2);
    const tdir = join(dir, 'm');
    mkdirSync(join(tdir, 'keep.tmp'));
    writeFileSync(join(tdir, 'keep.tmp', 'notes.txt'), 'mine');
    writeFileSync(join(tdir, 'README.txt'), 'mine too');
    const v = btdb('verify', dir);
    expect(v.code).toBe(1);
    expect(v.out).toContain(`${join(tdir, 'keep.tmp')}: orphaned`);
    const db = await open(dir, { pool });
    const t = await db.openTable('m');
    expect(t.rowCount).toBe(200);
    expect(db.lastRecovery?.unexpectedFiles).toEqual([join(tdir, 'README.txt'), join(tdir, 'keep.tmp')].sort());
    await db.close();
    expect(existsSync(join(tdir, 'keep.tmp', 'notes.txt'))).toBe(true);
    expect(existsSync(join(tdir, 'README.txt'))).toBe(true);
  });

  it('a block file the manifest does not list, below its end (not a write in flight), is an error, and is kept', async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 2);
    const tdir = join(dir, 'm');
    // Blocks at or past the manifest's end are writes in flight (a group written before its
    // manifest record); one below it can only be data the manifest lost.
    const stray = '00000000000000000050.parquet';
    writeFileSync(join(tdir, stray), 'PAR1');
    const db = await open(dir, { pool });
    await expect(db.openTable('m')).rejects.toThrow(new RegExp(`not listed in the manifest.*${stray}`));
    await db.close();
    expect(existsSync(join(tdir, stray))).toBe(true);
  });

  it("the engine's own leftovers are removed: temp files, and the block a crash left unrecorded", async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 2);
    const tdir = join(dir, 'm');
    // As a crash between the block's rename and its manifest record leaves it (rows in the WAL).
    writeFileSync(join(tdir, 'table.json.tmp'), '{');
    writeFileSync(join(tdir, '00000000000000000200.parquet.tmp'), 'x');
    writeFileSync(join(tdir, '00000000000000000200.parquet'), 'PAR1 never recorded');
    writeFileSync(join(tdir, '00000000000000000300.parquet'), 'PAR1 the next block of the same group');
    const db = await open(dir, { pool });
    const t = await db.openTable('m');
    expect(t.rowCount).toBe(200);
    expect(db.lastRecovery?.removedFiles.sort()).toEqual(['00000000000000000200.parquet', '00000000000000000200.parquet.tmp', '00000000000000000300.parquet', 'table.json.tmp'].map((f) => join(tdir, f)));
    expect(db.lastRecovery?.unexpectedFiles).toEqual([]);
    t.appendBatch({ ts: new BigInt64Array([300n]), s: ['a'], x: new Float64Array([1]) });
    await db.close();
    expect(readdirSync(tdir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(btdb('verify', dir).code).toBe(0);
  });
});
