// table/manifest-follower.ts on its own: a read-only table's manifest, read whole once, then
// only the records appended since; the same object while nothing changed; whole again after
// forget() or a new generation file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ManifestFollower, nodeStorage, type Storage } from '@backtracedb/engine';
import { createPool, open } from 'backtracedb';

const pool = createPool(1);
afterAll(() => pool.destroy());
const schema = { name: 'f', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }] } as const;
const rows = (from: number, n: number) => ({ ts: BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)) });

it('reads the manifest whole once, then what was appended, and whole again after forget() or compaction', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-follower-'));
  let bytesRead = 0;
  const counting: Storage = {
    ...nodeStorage,
    readFile: async (p) => { const b = await nodeStorage.readFile(p); bytesRead += b.byteLength; return b; },
    readRange: async (p, o, n) => { const b = await nodeStorage.readRange(p, o, n); bytesRead += b.byteLength; return b; },
  };
  try {
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { maxBlockSize: 10, useDiskStorage: true });
    t.appendBatch(rows(0, 100));
    await t.flush();
    const follower = new ManifestFollower(counting, join(dir, 'f'), 'f');
    const first = await follower.load();
    expect(first?.manifest.blocks).toHaveLength(10);
    const whole = bytesRead;
    expect(whole).toBeGreaterThan(0);
    bytesRead = 0;
    expect(await follower.load()).toBe(first); // nothing appended: the same object, nothing read
    expect(bytesRead).toBe(0);
    t.appendBatch(rows(100, 10));
    await t.flush();
    const more = await follower.load();
    expect(more?.manifest.blocks).toHaveLength(11);
    expect(bytesRead).toBeGreaterThan(0);
    expect(bytesRead).toBeLessThan(whole / 2); // one record and a header, not the log
    expect(follower.latest).toBe(more);
    follower.forget();
    expect(follower.latest).toBeNull();
    bytesRead = 0;
    expect((await follower.load())?.manifest.blocks).toHaveLength(11);
    expect(bytesRead).toBeGreaterThan(whole);
    t.maxBlockSize = 1000;
    await t.compact();
    const compacted = await follower.load(); // a new generation file: read whole
    expect(compacted?.manifest.blocks.length).toBeLessThan(11);
    expect(compacted?.manifest.durableRowCount).toBe(110);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
