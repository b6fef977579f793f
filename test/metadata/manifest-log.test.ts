// Issue 9 item 4: the manifest costs the same per block however many blocks there are, stays
// small with large distinct strings, drops a torn last record, reports a bad one in the middle.
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { nodeStorage, type FileHandle, type Storage } from '@backtracedb/engine';
import { open, createPool } from 'backtracedb';
import { btdb, cleanDirs, makeTable, rows, schema, tempDir } from './helpers.js';

const pool = createPool(1);
afterAll(() => pool.destroy());
afterEach(cleanDirs);

/** The real file system, counting the bytes written to manifest files. */
function countingStorage(): { storage: Storage; manifestBytes: () => number } {
  let n = 0;
  const storage: Storage = {
    ...nodeStorage,
    async openWrite(path, opts): Promise<FileHandle> {
      const fh = await nodeStorage.openWrite(path, opts);
      if (!/manifest/.test(path)) return fh;
      return { ...fh, path: fh.path, write: (data, pos) => { n += data.byteLength; return fh.write(data, pos); }, sync: () => fh.sync(), truncate: (s) => fh.truncate(s), close: () => fh.close() };
    },
  };
  return { storage, manifestBytes: () => n };
}

const manifestSize = (tdir: string) => readdirSync(tdir).filter((f) => f.startsWith('manifest')).reduce((s, f) => s + statSync(join(tdir, f)).size, 0);

describe('manifest log', () => {
  it('bytes written to the manifest per block do not grow with the number of blocks', async () => {
    const dir = tempDir();
    const { storage, manifestBytes } = countingStorage();
    const db = await open(dir, { pool, storage });
    const t = await db.createTable(schema, { enableWal: false, useDiskStorage: true, maxBlockSize: 20 });
    const perBlock: number[] = [];
    for (let b = 0; b < 240; b++) {
      const before = manifestBytes();
      t.appendBatch(rows(b * 20, 20));
      await t.sync();
      perBlock.push(manifestBytes() - before);
    }
    await db.close();
    const avg = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    // Amortized: the last 80 blocks cost about what the first 80 did (a rewrite-whole manifest
    // costs 3× more there), and the log stays within a few snapshots' size.
    expect(avg(perBlock.slice(160))).toBeLessThan(1.6 * avg(perBlock.slice(0, 80)));
    expect(manifestSize(join(dir, 'm'))).toBeLessThan(4 * 240 * perBlock[1]);
  });

  it('40 KB distinct strings: the manifest stays small and every block is written', async () => {
    const dir = tempDir();
    const big = (k: number) => `${String(k).padStart(8, '0')}${'x'.repeat(40_000)}`;
    await makeTable(dir, pool, 12, 10, big);
    const tdir = join(dir, 'm');
    // 12 blocks of 10 rows.
    expect(readdirSync(tdir).filter((f) => f.endsWith('.parquet')).length).toBe(12);
    expect(manifestSize(tdir)).toBeLessThan(64 * 1024);
    const db = await open(dir, { pool });
    const t = await db.openTable('m');
    expect(t.rowCount).toBe(120);
    // Pruning by a long string still finds its row (min/max are bounds, not the values).
    expect(await t.reader().filter('s', '==', big(57)).count()).toBe(1);
    expect(await t.reader().filter('s', '>', big(57)).count()).toBe(62);
    expect(await t.reader().filter('s', '<=', big(57)).count()).toBe(58);
    await db.close();
  });

  it('a torn last record is dropped (its rows come back from the WAL); a bad record in the middle is an error', async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 4);
    const tdir = join(dir, 'm');
    const log = readdirSync(tdir).find((f) => /^manifest-\d+\.log$/.test(f)) as string;
    // An append cut short: a header promising more bytes than follow.
    appendFileSync(join(tdir, log), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 123]));
    let db = await open(dir, { pool });
    let t = await db.openTable('m');
    expect(t.rowCount).toBe(400);
    expect(db.lastRecovery?.manifestTail).toMatch(/incomplete/);
    expect(db.lastRecovery?.unexpectedFiles).toEqual([]);
    await db.close();
    expect(btdb('verify', dir).code).toBe(0);
    // An append whose end the file system shows as zeros is torn too.
    appendFileSync(join(tdir, readdirSync(tdir).find((f) => /^manifest-\d+\.log$/.test(f)) as string), Buffer.alloc(100));
    db = await open(dir, { pool });
    t = await db.openTable('m');
    expect(t.rowCount).toBe(400);
    expect(db.lastRecovery?.manifestTail).toMatch(/100 bytes .*incomplete/);
    await db.close();

    // Flip one byte inside the first block's record: the records after it make this damage.
    const cur = readdirSync(tdir).find((f) => /^manifest-\d+\.log$/.test(f)) as string;
    const bytes = readFileSync(join(tdir, cur));
    const at = bytes.indexOf('00000000000000000000.parquet') + 3;
    bytes[at] = '9'.charCodeAt(0);
    writeFileSync(join(tdir, cur), bytes);
    db = await open(dir, { pool });
    await expect(db.openTable('m')).rejects.toThrow(new RegExp(`manifest ${join(tdir, cur)} is damaged at byte \\d+: record 1 fails its checksum`));
    await db.close();
    const v = btdb('verify', dir);
    expect(v.code).toBe(1);
    expect(v.out).toContain('fails its checksum');
  });
});
