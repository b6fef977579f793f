// WAL records are bounded by bytes as well as rows: big string rows are split across records,
// a row too big for any record is refused up front, timers never throw, and the decoder
// enforces the row limit the format documents.
// BTDB_BIG_ROW_MB sets the string size of the 31-row test (default 1; 10 reproduces the
// original report: 300 MB before one group commit).
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from 'backtracedb';
import { decodeRecordAt, encodeBlockRange, encodeRecord, fitRows, newActiveBlock, nodeStorage, replayWal, resolveSchema, WalCapture, writeBatch, type ColumnView, type ColumnType, type WalWriter } from '@backtracedb/engine';
import { pool } from '../engine/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'btdb-walbytes-'));
afterAll(async () => { await pool.destroy(); rmSync(root, { recursive: true, force: true }); });

const schema = { name: 'blobs', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 's', type: 'string' }] } as const;
const MiB = 1024 * 1024;
const BIG_ROW_MB = Number(process.env.BTDB_BIG_ROW_MB ?? 1);

/** A distinct string of `bytes` one-byte characters (distinct, so each is its own dictionary entry). */
const blob = (i: number, bytes: number): string => `${String(i).padStart(6, '0')}${'x'.repeat(bytes - 6)}`;

async function walRecords(dir: string): Promise<Array<{ rows: number; bytes: number }>> {
  const out: Array<{ rows: number; bytes: number }> = [];
  await replayWal(nodeStorage, join(dir, 'blobs', 'wal'), { fromRowSeq: 0, onRecord: (r) => out.push({ rows: r.rowCount, bytes: r.payload.byteLength }) });
  return out;
}

describe('WAL records bounded by bytes', () => {
  it('rows of large strings are split into records of at most 16 MiB; all come back', async () => {
    const dir = join(root, 'split');
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { enableWal: true });
    for (let i = 0; i < 3; i++) t.append({ ts: BigInt(i), s: blob(i, 6 * MiB) });
    await t.sync();
    const recs = await walRecords(dir);
    expect(recs.reduce((a, r) => a + r.rows, 0)).toBe(3);
    expect(recs.length).toBeGreaterThan(1);
    for (const r of recs) expect(r.bytes).toBeLessThanOrEqual(16 * MiB);
    await db.close();
    const db2 = await open(dir, { pool });
    const t2 = await db2.openTable(schema);
    const rows = await t2.reader().toArray();
    expect(rows.map((r) => [r.ts, r.s.length, r.s.slice(0, 6)])).toEqual([0, 1, 2].map((i) => [BigInt(i), 6 * MiB, String(i).padStart(6, '0')]));
    await db2.close();
  });

  it(`31 rows of ${BIG_ROW_MB} MB strings before one commit, a seal at row 30: no throw, all rows durable`, async () => {
    const dir = join(root, 'big');
    const db = await open(dir, { pool, walFlushDelayMs: 1 });
    const t = await db.createTable(schema, { enableWal: true, maxBlockSize: 30 });
    for (let i = 0; i < 31; i++) t.append({ ts: BigInt(i), s: blob(i, BIG_ROW_MB * 1_000_000) });
    expect(t.rowCount).toBe(31);
    await new Promise((r) => setTimeout(r, 20)); // the commit timer fires here
    await t.sync();
    await t.sync();
    await db.close();
    const db2 = await open(dir, { pool });
    const t2 = await db2.openTable(schema);
    expect(await t2.reader().count()).toBe(31);
    const last = (await t2.reader().filter('ts', '>=', 29n).toArray()).map((r) => r.s.slice(0, 6));
    expect(last).toEqual(['000029', '000030']);
    await db2.close();
  });

  it('a row too big for one record is refused up front; the table is unchanged', async () => {
    const dir = join(root, 'huge');
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { enableWal: true, maxBlockSize: 2 });
    t.append({ ts: 1n, s: 'a' });
    const huge = 'y'.repeat(64 * MiB);
    expect(() => t.append({ ts: 2n, s: huge })).toThrow(/table "blobs", column "s": the row takes \d+ bytes, more than the 67108864-byte limit of one row/);
    expect(() => t.appendBatch({ ts: [2n, 3n], s: ['b', huge] })).toThrow(/table "blobs", column "s": row 1: the row takes \d+ bytes, more than the 67108864-byte limit/);
    // Two-byte UTF-8 characters: the byte count, not the character count, is what is limited.
    expect(() => t.append({ ts: 2n, s: 'é'.repeat(32 * MiB) })).toThrow(/more than the 67108864-byte limit/);
    expect(t.rowCount).toBe(1);
    await t.sync();
    expect(await walRecords(dir)).toEqual([{ rows: 1, bytes: expect.any(Number) as number }]);
    t.append({ ts: 2n, s: 'b' });
    await db.close();
  });
});

describe('large strings and the manifest', () => {
  it('zone maps keep no list of large distinct strings (the manifest once outgrew what JSON can hold)', async () => {
    const dir = join(root, 'zones');
    const db = await open(dir, { pool });
    const t = await db.createTable(schema, { useDiskStorage: true, maxBlockSize: 100 });
    for (let i = 0; i < 100; i++) t.append({ ts: BigInt(i), s: blob(i, 100_000) });
    await t.flush();
    await db.close();
    const manifests = readdirSync(join(dir, 'blobs')).filter((f) => f.startsWith('manifest'));
    expect(manifests.length).toBeGreaterThan(0);
    for (const f of manifests) expect(statSync(join(dir, 'blobs', f)).size).toBeLessThan(1_000_000);
    const db2 = await open(dir, { pool });
    const t2 = await db2.openTable(schema);
    expect(await t2.reader().filter('s', '==', blob(42, 100_000)).count()).toBe(1);
    await db2.close();
  });
});

describe('fitRows', () => {
  it('returns the longest run whose encoded payload fits, counting a repeated string once', () => {
    const n = 200;
    const dict = Array.from({ length: 20 }, (_, i) => `${'é'.repeat(50 + i * 7)}${i}`);
    const codes = Int32Array.from({ length: n }, (_, i) => (i * 7) % 20);
    const codes2 = Int32Array.from({ length: n }, (_, i) => (i * 3) % 20);
    const types: ColumnType[] = ['int64', 'string', 'bool', 'string'];
    const columns: ColumnView[] = [
      { type: 'int64', values: new BigInt64Array(n) }, { type: 'string', values: codes, dictionary: dict },
      { type: 'bool', values: new Uint8Array(n) }, { type: 'string', values: codes2, dictionary: dict },
    ];
    const size = (from: number, to: number): number => encodeBlockRange(types, columns, from, to, 0).byteLength;
    for (const [from, max] of [[0, 600], [0, 3000], [13, 5000], [50, 1], [0, 1e9]] as const) {
      const end = fitRows(columns, from, n, max);
      expect(end).toBeGreaterThan(from);
      if (end - from > 1) expect(size(from, end)).toBeLessThanOrEqual(max);
      if (end < n) expect(size(from, end + 1)).toBeGreaterThan(max);
    }
    expect(fitRows([{ type: 'float64', values: new Float64Array(n) }], 0, n, 80)).toBe(10);
  });
});

describe('the WAL decoder', () => {
  it('refuses a record of more than 65,536 rows, as docs/wal.md states', () => {
    const rows = 65_537;
    const payload = new Uint8Array(8 * rows);
    // Built by hand: the encoder refuses such records too.
    const rec = new Uint8Array(24 + payload.byteLength);
    const ok = encodeRecord(0, 1, new Uint8Array(0));
    rec.set(ok.subarray(0, 24));
    const dv = new DataView(rec.buffer);
    dv.setUint32(4, payload.byteLength, true);
    dv.setUint32(16, rows, true);
    dv.setUint32(0, crc32(rec.subarray(4)), true);
    const r = decodeRecordAt(rec, 0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/65537 rows.*65536/);
    expect(() => encodeRecord(0, rows, payload)).toThrow(/65537 rows.*65536/);
  });
});

describe('WAL capture in the background', () => {
  const s = resolveSchema(schema);
  const fill = (block: ReturnType<typeof newActiveBlock>, n: number): void =>
    writeBatch(block, { rowCount: n, columns: [BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), Array.from({ length: n }, (_, i) => `s${i}`)] }, 0, n);
  /** A writer whose every record is refused, as a full or broken one would. */
  const failing = {
    isFull: false, pendingBytes: 0, bufferLimitBytes: 1,
    appendInPlace: () => { throw new Error('disk on fire'); },
    rotate: () => undefined,
    sync: () => Promise.resolve(),
  } as unknown as WalWriter;

  it('a failure in the commit timer is kept and reported once by the next sync, never thrown from the timer', async () => {
    const block = newActiveBlock(s, 0, 100);
    const log = new WalCapture(failing, s, { activeBlock: block, get rowCount() { return block.rowCount; } }, 1);
    fill(block, 3);
    log.arm();
    await new Promise((r) => setTimeout(r, 30)); // an uncaught throw here would fail the run
    expect(() => log.reportFailure()).toThrow(/table "blobs": logging rows to the WAL failed: disk on fire/);
    expect(() => log.reportFailure()).not.toThrow();
    log.stop();
  });

  it('a failure while a block is sealed is kept, not thrown into the append', () => {
    const block = newActiveBlock(s, 0, 100);
    const log = new WalCapture(failing, s, { activeBlock: block, get rowCount() { return block.rowCount; } }, 1);
    fill(block, 3);
    expect(() => log.onSeal(block, 3)).not.toThrow();
    expect(() => log.reportFailure()).toThrow(/disk on fire/);
  });

  it('while the writer holds too many bytes, rows are refused up front', () => {
    const block = newActiveBlock(s, 0, 100);
    const full = { ...failing, isFull: true, pendingBytes: 2048, bufferLimitBytes: 1024 } as unknown as WalWriter;
    const log = new WalCapture(full, s, { activeBlock: block, get rowCount() { return block.rowCount; } }, 1);
    expect(() => log.assertRoom()).toThrow(/table "blobs": 2048 bytes of WAL records are waiting to be written \(limit 1024\).*await sync\(\)/);
  });
});
