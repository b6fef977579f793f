// Issue 12 item 2: a long-lived read-only database reads only the manifest records appended
// since its last reader — not the whole log — when the writer adds a block; it reads the log
// whole again when the writer replaced it (a new generation: compact) and stops before a torn
// record at the end (an append in progress). BTDB_CATCHUP_BLOCKS sets the log's size in blocks.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { nodeStorage, type Storage } from '@backtracedb/engine';
import { createPool, open } from 'backtracedb';

const BLOCKS = Number(process.env.BTDB_CATCHUP_BLOCKS ?? 1000);
const BLOCK_ROWS = 10;
const schema = { name: 'ticks', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'int64' }] } as const;
const pool = createPool(2);
afterAll(() => pool.destroy());

/** The writer's storage without fsyncs: a 1,000-block table in a second or two (durability is not under test). */
const noSync: Storage = {
  ...nodeStorage,
  openWrite: async (p, o) => ({ ...(await nodeStorage.openWrite(p, o)), sync: async () => undefined }),
  syncDir: async () => undefined,
};

const rows = (from: number, n: number) => {
  const ts = BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i));
  return { ts, v: ts.slice() };
};

const manifestOf = (tdir: string): string => readdirSync(tdir).filter((f) => /^manifest-\d+\.log$/.test(f)).sort().pop() as string;

it(`a long-lived reader reads only the manifest record of a new block (a ${BLOCKS}-block log), and the whole log once it is replaced`, { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-ro-manifest-'));
  const tdir = join(dir, 'ticks');
  let manifestBytesRead = 0;
  const counting: Storage = {
    ...nodeStorage,
    readFile: async (p) => { const b = await nodeStorage.readFile(p); if (p.includes('/manifest-')) manifestBytesRead += b.byteLength; return b; },
    readRange: async (p, o, n) => { const b = await nodeStorage.readRange(p, o, n); if (p.includes('/manifest-')) manifestBytesRead += b.byteLength; return b; },
  };
  const db = await open(dir, { pool, storage: noSync });
  const ro = await open(dir, { readOnly: true, pool, storage: counting });
  try {
    const t = await db.createTable(schema, { enableWal: true, useDiskStorage: true, maxBlockSize: BLOCK_ROWS });
    let n = BLOCKS * BLOCK_ROWS;
    t.appendBatch(rows(0, n));
    await t.flush();
    const r = await ro.openTable(schema);
    expect(await r.reader().count()).toBe(n);
    // One more block, appended to the log as one record (a block that made the writer start a
    // new generation instead — its snapshot rule — is followed by one more).
    for (let tries = 0; tries < 3; tries++) {
      const before = manifestOf(tdir);
      const sizeBefore = statSync(join(tdir, before)).size;
      expect(await r.reader().count()).toBe(n); // caught up with this generation
      t.appendBatch(rows(n, BLOCK_ROWS));
      n += BLOCK_ROWS;
      await t.flush();
      manifestBytesRead = 0;
      expect(await r.reader().count()).toBe(n);
      if (manifestOf(tdir) !== before) continue;
      const record = statSync(join(tdir, before)).size - sizeBefore;
      expect(record).toBeGreaterThan(0);
      expect(sizeBefore).toBeGreaterThan(100 * record); // the log: hundreds of records
      // The new record and the first record's header (the file's identity), nothing else.
      expect(manifestBytesRead).toBe(record + 8);
      break;
    }
    expect(manifestBytesRead).toBeLessThan(10_000);

    // A torn record at the end (an append in progress): the reader stops before it…
    const log = join(tdir, manifestOf(tdir));
    appendFileSync(log, Buffer.from([200, 1, 0])); // part of a record header
    expect(await r.reader().count()).toBe(n);
    // …and reads the record the writer then writes in its place.
    t.appendBatch(rows(n, BLOCK_ROWS));
    n += BLOCK_ROWS;
    await t.flush();
    expect(await r.reader().count()).toBe(n);

    // The writer replaces the log (compact: a new generation listing merged blocks).
    t.maxBlockSize = 1000;
    const c = await t.compact();
    expect(c.blocksAfter).toBeLessThan(c.blocksBefore);
    const all = await r.reader().select(['ts']).toArray();
    expect(all.map((x) => x.ts)).toEqual(Array.from({ length: n }, (_, i) => BigInt(i)));
    // And appends to the new generation are read incrementally again.
    t.appendBatch(rows(n, 1000));
    n += 1000;
    await t.flush();
    expect(await r.reader().count()).toBe(n);
    expect(await r.reader().count()).toBe(await t.reader().count());
  } finally {
    await ro.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
