// Issue 12: read-only opens next to a live writer — no lock, no data file changed, every
// acknowledged row seen, writes refused.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool, open } from 'backtracedb';
import { nodeStorage } from '@backtracedb/engine';
import { trades, tradesSchema } from 'backtracedb/sample-data';

const pool = createPool(2);
afterAll(() => pool.destroy());

/**
 * Every file under dir with its size and mtime: a read-only open must change none, but for
 * its read leases (<table>/readers/, docs/readers.md), which exist only while readers run.
 */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => { for (const n of readdirSync(d)) { const p = join(d, n); const s = statSync(p); if (s.isDirectory()) { if (n !== 'readers') walk(p); } else out.push(`${p}:${s.size}:${s.mtimeMs}`); } };
  walk(dir);
  return out.sort();
}

/** The read leases left in a table directory once its readers have finished: none (removal is asynchronous). */
async function leasesLeft(tableDir: string): Promise<string[]> {
  const left = () => (existsSync(join(tableDir, 'readers')) ? readdirSync(join(tableDir, 'readers')) : []);
  for (let i = 0; i < 100 && left().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
  return left();
}

/** A fresh directory for `fn`, removed afterwards whatever happens. */
async function withDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

describe('open(dir, { readOnly: true })', () => {
  it('sees acknowledged rows of a live writer in this process, new ones on each new reader, and changes nothing', () => withDir('btdb-ro-', async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 1000 });
    // Two blocks written (flush waits for them), 500 rows only in the WAL: nothing is still
    // being written when the listing is taken (sync() alone does not wait for block files).
    t.appendBatch(trades(0, 2000));
    await t.flush();
    t.appendBatch(trades(2000, 500));
    await t.sync();
    const before = listing(dir);
    const ro = await open(dir, { readOnly: true, pool });
    const r = await ro.openTable(tradesSchema);
    expect(r.readOnly).toBe(true);
    expect(await r.reader().count()).toBe(2500);
    expect(listing(dir)).toEqual(before);
    expect(await leasesLeft(join(dir, 'trades'))).toEqual([]);
    // More rows, a block sealed and written, WAL segments retired: the next reader sees them.
    t.appendBatch(trades(2500, 1700));
    await t.sync();
    await t.flush();
    expect(await r.reader().count()).toBe(4200);
    const all = await r.reader().select(['ts']).toArray();
    expect(all.map((x) => x.ts)).toEqual(Array.from({ length: 4200 }, (_, i) => trades(0, 1).ts[0] + BigInt(i)));
    // Every write is refused, naming the table or the database.
    expect(() => r.append({ ts: 1n, symbol: 'x', price: 1, volume: 1n })).toThrow(/table "trades": cannot append: the database .* is open read-only/);
    expect(() => r.appendBatch(trades(0, 1))).toThrow(/read-only/);
    expect(() => { r.maxBlockSize = 5; }).toThrow(/read-only/);
    await expect(r.sync()).rejects.toThrow(/read-only/);
    await expect(r.flush()).rejects.toThrow(/read-only/);
    await expect(ro.createTable({ ...tradesSchema, name: 'other' })).rejects.toThrow(/database .*: cannot createTable: the database is open read-only/);
    await ro.close();
    await db.close();
  }));

  it('refuses a missing directory and creates nothing', async () => {
    const dir = join(tmpdir(), `btdb-ro-missing-${process.pid}`);
    await expect(open(dir, { readOnly: true, pool })).rejects.toThrow(/does not exist/);
    expect(() => statSync(dir)).toThrow();
  });
});

describe('catching up', () => {
  it('an open does not read WAL segments whose rows are all in the blocks (a live writer retires them later)', () => withDir('btdb-ro-stale-', async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 10_000 });
    for (let at = 0; at < 200_000; at += 10_000) t.appendBatch(trades(at, 10_000));
    await t.flush(); // every row in a durable block; the last segment written stays until a later retire
    t.maxBlockSize = 1_000_000;
    t.appendBatch(trades(200_000, 10_000)); // only in the WAL
    await t.sync();
    const walDir = join(dir, 'trades', 'wal');
    const segments = readdirSync(walDir).sort();
    const liveSegment = segments.find((f) => f.startsWith(String(200_000).padStart(20, '0'))) as string;
    expect(liveSegment).toBeDefined();
    expect(segments.length).toBeGreaterThan(1); // the case under test: a segment of sealed rows is still there
    let walBytesRead = 0;
    const counting = {
      ...nodeStorage,
      readFile: async (p: string) => { const b = await nodeStorage.readFile(p); if (p.includes('/wal/')) walBytesRead += b.byteLength; return b; },
    };
    const ro = await open(dir, { readOnly: true, pool, storage: counting });
    const r = await ro.openTable(tradesSchema);
    expect(walBytesRead).toBe(statSync(join(walDir, liveSegment)).size);
    expect(await r.reader().count()).toBe(210_000);
    expect(await r.reader().filter('ts', '>=', 1_700_000_000_000n + 200_000n).count()).toBe(10_000);
    await ro.close();
    await db.close();
  }));

  it('a reader whose WAL tail spans several blocks answers from their buffers and encodes none (no encoder thread)', () => withDir('btdb-ro-noencode-', async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 10_000 });
    t.appendBatch(trades(0, 20_000));
    await t.flush();
    t.maxBlockSize = 1_000_000; // the writer keeps the next rows in one active block
    t.appendBatch(trades(20_000, 35_000));
    await t.sync();
    t.maxBlockSize = 10_000; // table.json says 10k again; the writer seals at its next append
    await t.sync(); // settings stored
    const readerPool = createPool(2);
    let encodes = 0;
    const counting = {
      ...readerPool,
      submit: (...a: Parameters<typeof readerPool.submit>) => { encodes++; return readerPool.submit(...a); },
      encodeInline: (...a: Parameters<typeof readerPool.encodeInline>) => { encodes++; return readerPool.encodeInline(...a); },
    };
    const ro = await open(dir, { readOnly: true, pool: counting });
    const r = await ro.openTable(tradesSchema);
    const pieces = [trades(0, 20_000), trades(20_000, 35_000)]; // trades(from, n) is seeded per call: the oracle is the pieces
    const aapl = pieces.reduce((n, p) => n + p.symbol.filter((s, i) => s === 'AAPL' && p.price[i] > 500).length, 0);
    expect(await r.reader().count()).toBe(55_000);
    expect(await r.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 500).count()).toBe(aapl);
    const last = pieces[1];
    const tail = await r.reader().filter('ts', '>=', last.ts[34_990]).select(['ts', 'volume']).toArray();
    expect(tail.map((row) => row.volume)).toEqual(Array.from(last.volume.subarray(34_990)));
    t.appendBatch(trades(55_000, 15_000)); // catching up seals more blocks in the reader
    await t.sync();
    expect(await r.reader().count()).toBe(70_000);
    expect(encodes).toBe(0);
    await ro.close();
    await readerPool.destroy();
    await db.close();
  }));

  it('a table dropped and created again under a long-lived reader: its rows exactly with the same schema, a clear error with another', () => withDir('btdb-ro-recreate-', async (dir) => {
    const s1 = { name: 'm', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'int64' }] } as const;
    const s2 = { name: 'm', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'float64' }] } as const;
    const rows = (from: number, n: number) => { const ts = BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)); return { ts, v: ts.map((x) => x * 10n) }; };
    const db = await open(dir, { pool });
    let t = await db.createTable(s1, { enableWal: true, useDiskStorage: true, maxBlockSize: 1000 });
    t.appendBatch(rows(0, 5000));
    await t.flush();
    const ro = await open(dir, { readOnly: true, pool });
    const r = await ro.openTable(s1);
    expect(await r.reader().count()).toBe(5000);
    await db.dropTable('m');
    t = await db.createTable(s1, { enableWal: true, useDiskStorage: true, maxBlockSize: 1000 });
    t.appendBatch(rows(100, 2500));
    await t.flush();
    t.appendBatch(rows(2600, 10)); // only in the WAL
    await t.sync();
    const got = await r.reader().toArray();
    expect(got.map((row) => row.ts)).toEqual(Array.from({ length: 2510 }, (_, i) => BigInt(100 + i)));
    expect(got.every((row) => row.v === (row.ts as bigint) * 10n)).toBe(true);
    // Made again with nothing in it yet: its manifest and WAL carry the names and the bytes
    // the dropped one had when it was empty; the reader showed the dropped rows.
    const ro2 = await open(dir, { readOnly: true, pool });
    await db.dropTable('m');
    t = await db.createTable(s1, { enableWal: true, useDiskStorage: true, maxBlockSize: 1000 });
    t.appendBatch(rows(0, 10));
    await t.sync(); // only in the WAL: the manifest stays the empty table's
    const r2 = await ro2.openTable(s1);
    expect(await r2.reader().count()).toBe(10);
    await db.dropTable('m');
    t = await db.createTable(s1, { enableWal: true, useDiskStorage: true, maxBlockSize: 1000 });
    expect(await r2.reader().count()).toBe(0);
    t.append({ ts: 1000n, v: 1n });
    await t.sync();
    expect(await r2.reader().toArray()).toEqual([{ ts: 1000n, v: 1n }]);
    expect(await r.reader().count()).toBe(1);
    await ro2.close();
    await db.dropTable('m');
    const t2 = await db.createTable(s2, { enableWal: true, useDiskStorage: true, maxBlockSize: 1000 });
    t2.appendBatch({ ts: BigInt64Array.from([1n, 2n]), v: Float64Array.from([1.5, 2.5]) });
    await t2.sync();
    await expect(r.reader().toArray()).rejects.toThrow(/dropped .* created again with another schema/);
    await ro.close();
    await db.close();
  }));

  it('a long-lived reader of a table with a window takes up a maxBlockSize the writer raised', () => withDir('btdb-ro-resize-', async (dir) => {
    const schema = { name: 'w', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'int64' }] } as const;
    const rows = (from: number, n: number) => { const ts = BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)); return { ts, v: ts.slice() }; };
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { enableWal: true, useDiskStorage: true, maxBlockSize: 50, outOfOrderWindow: 1000n });
    t.appendBatch(rows(0, 40));
    await t.sync();
    const ro = await open(dir, { readOnly: true, pool });
    const r = await ro.openTable(schema);
    expect(await r.reader().count()).toBe(40);
    t.maxBlockSize = 500;
    t.appendBatch(rows(40, 300)); // all within the window: none can be sealed yet
    await t.sync();
    // The reader's active block took 100 rows (2 x 50): 'the active block is full' before, then 'a gap' at every later reader.
    expect(await r.reader().count()).toBe(340);
    expect((await r.reader().toArray()).map((row) => row.ts)).toEqual(Array.from(rows(0, 340).ts));
    t.append({ ts: 340n, v: 340n });
    await t.sync();
    expect(await r.reader().count()).toBe(341);
    await ro.close();
    await db.close();
  }));

  it('a long-lived reader reads only the WAL bytes appended since its last reader, and no manifest bytes when none were appended', () => withDir('btdb-ro-inc-', async (dir) => {
    const db = await open(dir, { pool });
    const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 1_000_000 });
    t.appendBatch(trades(0, 200_000)); // all in the WAL: no block sealed
    await t.sync();
    let walBytesRead = 0;
    let manifestBytesRead = 0;
    const counting = {
      ...nodeStorage,
      readFile: async (p: string) => {
        const b = await nodeStorage.readFile(p);
        if (p.includes('/wal/')) walBytesRead += b.byteLength;
        if (p.includes('/manifest')) manifestBytesRead += b.byteLength;
        return b;
      },
      readRange: async (p: string, o: number, n: number) => { const b = await nodeStorage.readRange(p, o, n); if (p.includes('/wal/')) walBytesRead += b.byteLength; return b; },
    };
    const ro = await open(dir, { readOnly: true, pool, storage: counting });
    const r = await ro.openTable(tradesSchema);
    expect(await r.reader().count()).toBe(200_000);
    const first = walBytesRead;
    expect(first).toBeGreaterThan(1_000_000);
    walBytesRead = 0;
    t.appendBatch(trades(200_000, 100));
    await t.sync();
    expect(await r.reader().count()).toBe(200_100);
    expect(walBytesRead).toBeLessThan(first / 100);
    walBytesRead = 0;
    manifestBytesRead = 0;
    expect(await r.reader().count()).toBe(200_100); // nothing new: nothing read
    expect(walBytesRead).toBe(0);
    expect(manifestBytesRead).toBe(0);
    await ro.close();
    await db.close();
  }));
});
