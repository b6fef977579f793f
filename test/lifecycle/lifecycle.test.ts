// Issue 13: deleteBefore, compact, retention and dropTable against a plain-JS oracle, memory and
// disk storage, before and after reopen, with a reader in flight.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool, open } from 'backtracedb';
import { trades, tradesSchema } from 'backtracedb/sample-data';

const pool = createPool(2);
afterAll(() => pool.destroy());

type Row = { ts: bigint; symbol: string; price: number; volume: bigint };
function oracle(from: number, n: number): Row[] {
  const c = trades(from, n) as unknown as { ts: BigInt64Array; symbol: string[]; price: Float64Array; volume: BigInt64Array };
  return Array.from({ length: n }, (_, i) => ({ ts: c.ts[i], symbol: c.symbol[i], price: c.price[i], volume: c.volume[i] }));
}
const tmp = () => mkdtempSync(join(tmpdir(), 'btdb-life-'));

const configs = [
  { useDiskStorage: false, enableWal: true, compression: 'none' },
  { useDiskStorage: true, enableWal: true, compression: 'none' },
  { useDiskStorage: false, enableWal: false, compression: 'none' },
  { useDiskStorage: true, enableWal: true, compression: 'zstd' },
] as const;
for (const { useDiskStorage, enableWal, compression } of configs) {
  describe(`a table's life (${useDiskStorage ? 'disk' : 'memory'} storage, ${enableWal ? 'WAL' : 'no WAL'}, compression ${compression})`, () => {
    it('deleteBefore removes rows before the cutoff (exclusive), keeps a reader in flight, survives reopen; compact keeps every row', async () => {
      const dir = tmp();
      try {
        const db = await open(dir, { pool });
        const t = await db.createTable(tradesSchema, { enableWal, useDiskStorage, compression, maxBlockSize: 100, rowGroupRows: 32 });
        t.appendBatch(trades(0, 4500));
        await t.sync();
        let all = oracle(0, 4500);
        expect(await t.reader().toArray()).toEqual(all);
        // A reader in flight: started before the delete, finished after it (newest first, so
        // the blocks the delete removes are read last).
        const it0 = t.reader().order('desc')[Symbol.asyncIterator]();
        const first = await it0.next();
        const cutoff = all[1750].ts;
        expect(await t.deleteBefore(cutoff)).toBe(1750);
        const seen = [first.value];
        for (let r = await it0.next(); r.done !== true; r = await it0.next()) seen.push(r.value);
        expect(seen).toEqual([...all].reverse());
        all = all.filter((r) => r.ts >= cutoff);
        expect(t.rowCount).toBe(all.length);
        expect(await t.reader().toArray()).toEqual(all);
        expect(await t.reader().count()).toBe(all.length);
        expect(await t.reader().filter('ts', '<', cutoff).count()).toBe(0);
        // Nothing more to delete at the same cutoff; a row at the cutoff stays.
        expect(await t.deleteBefore(cutoff)).toBe(0);
        expect((await t.reader().limit(1).toArray())[0].ts).toBe(cutoff);
        // More rows, then compact: same rows, fewer blocks.
        t.appendBatch(trades(4500, 1200));
        await t.flush();
        all = [...all, ...oracle(4500, 1200)];
        const it1 = t.reader()[Symbol.asyncIterator]();
        const f1 = await it1.next();
        const before = t.blockCount;
        t.maxBlockSize = 700; // bigger blocks from now on: compact merges up to this
        const c = await t.compact();
        expect(c.blocksBefore).toBe(before);
        expect(c.blocksAfter).toBeLessThan(c.blocksBefore);
        expect(t.blockCount).toBe(c.blocksAfter);
        const seen1 = [f1.value];
        for (let r = await it1.next(); r.done !== true; r = await it1.next()) seen1.push(r.value);
        expect(seen1).toEqual(all);
        expect(await t.reader().toArray()).toEqual(all);
        expect(await t.reader().filter('symbol', '==', 'BTC').count()).toBe(all.filter((r) => r.symbol === 'BTC').length);
        await db.close();
        const db2 = await open(dir, { pool });
        const t2 = await db2.openTable(tradesSchema);
        expect(t2.rowCount).toBe(all.length);
        expect(await t2.reader().toArray()).toEqual(all);
        expect(db2.lastRecovery?.unexpectedFiles).toEqual([]);
        // Every file on disk is listed: the replaced ones are gone.
        const files = readdirSync(join(dir, 'trades')).filter((n) => n.endsWith('.parquet'));
        expect(files.length).toBe(t2.blockCount);
        await db2.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    if (enableWal) it('a replayed WAL row older than the cutoff does not come back; deleting everything keeps the row count and time order', async () => {
      const dir = tmp();
      try {
        const db = await open(dir, { pool });
        const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage, maxBlockSize: 1000 });
        t.appendBatch(trades(0, 2300));
        await t.sync();
        const all = oracle(0, 2300);
        expect(await t.deleteBefore(all[2299].ts + 1n)).toBe(2300);
        expect(t.rowCount).toBe(0);
        expect(t.blockCount).toBe(0);
        t.appendBatch(trades(2300, 700));
        await t.sync();
        // A cutoff inside the active block (all 900 rows since the delete are in it).
        t.appendBatch(trades(3000, 200));
        await t.sync();
        expect(t.blockCount).toBe(0);
        const tail = [...oracle(2300, 700), ...oracle(3000, 200)];
        expect(await t.deleteBefore(tail[850].ts)).toBe(850);
        expect(t.rowCount).toBe(50);
        t.appendBatch(trades(3200, 40));
        await t.sync();
        const kept = [...tail.slice(850), ...oracle(3200, 40)];
        expect(await t.reader().toArray()).toEqual(kept);
        // Simulated crash: nothing closed; a second open of the directory replays the WAL.
        t.abandonInternal();
        const db2 = await open(dir, { pool, storage: undefined }).catch(() => null);
        // The writer lock is still held by db: reopen after releasing it without closing tables.
        expect(db2).toBeNull();
        await (db as unknown as { lock: { release(): Promise<void> } }).lock.release();
        const db3 = await open(dir, { pool });
        const t3 = await db3.openTable(tradesSchema);
        expect(t3.rowCount).toBe(90);
        expect(await t3.reader().toArray()).toEqual(kept);
        expect(() => t3.append({ ts: all[0].ts, symbol: 'BTC', price: 1, volume: 1n })).toThrow();
        await db3.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('retention removes whole blocks older than newest − retention as blocks seal, and can be set later', async () => {
      const dir = tmp();
      try {
        const db = await open(dir, { pool });
        const t = await db.createTable(tradesSchema, { enableWal, useDiskStorage, compression, maxBlockSize: 50, retention: 1000n });
        const all = Array.from({ length: 10 }, (_, i) => oracle(i * 500, 500)).flat();
        let reading: AsyncIterator<Row> | null = null;
        let first: Row | null = null;
        let expected: Row[] = [];
        for (let i = 0; i < 10; i++) {
          t.appendBatch(trades(i * 500, 500)); await t.sync(); await t.flush();
          if (i === 2) {
            await t.compact(); // full blocks: merges nothing, but waits for the retention passes queued
            expected = all.slice(1500 - t.rowCount, 1500);
            reading = t.reader().order('desc')[Symbol.asyncIterator]() as AsyncIterator<Row>; first = (await reading.next()).value as Row;
          }
        }
        // The reader that began with these rows still gets them, though retention removed their blocks.
        const seen = [first];
        for (let r = await reading!.next(); r.done !== true; r = await reading!.next()) seen.push(r.value);
        expect(expected.length).toBeGreaterThan(500);
        expect(seen).toEqual(expected.reverse());
        await t.compact().catch(() => undefined); // waits for the retention passes queued before it
        const newest = all[all.length - 1].ts;
        const rows = await t.reader().toArray();
        // Whole blocks only: every row newer than the horizon stays, nothing older than a block's span.
        expect(rows).toEqual(all.slice(all.length - rows.length));
        expect(rows[0].ts).toBeLessThanOrEqual(newest - 1000n);
        expect(rows[0].ts).toBeGreaterThan(newest - 1000n - 1000n);
        expect(t.rowCount).toBe(rows.length);
        t.retention = null;
        t.appendBatch(trades(5000, 1500));
        await t.flush();
        expect(await t.reader().count()).toBe(rows.length + 1500);
        await db.close();
        const db2 = await open(dir, { pool });
        const t2 = await db2.openTable(tradesSchema);
        expect(t2.retention).toBeNull();
        expect(await t2.reader().toArray()).toEqual([...rows, ...oracle(5000, 1500)]);
        await db2.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('dropTable', () => {
  it('drops durably; openTable throws; the Table refuses use; the name can be created again', async () => {
    const dir = tmp();
    try {
      const db = await open(dir, { pool });
      const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 1000 });
      t.appendBatch(trades(0, 2500));
      await t.sync();
      await db.dropTable('trades');
      expect(() => t.append({ ts: 1n, symbol: 'BTC', price: 1, volume: 1n })).toThrow(/dropped/);
      await expect(t.deleteBefore(1n)).rejects.toThrow(/dropped/);
      expect(() => t.reader()).toThrow(/table "trades": the table was dropped/);
      await expect(t.flush()).rejects.toThrow(/dropped/);
      await expect(db.openTable('trades')).rejects.toThrow(/does not exist/);
      await expect(db.dropTable('trades')).rejects.toThrow(/does not exist/);
      await expect(db.dropTable('../x')).rejects.toThrow(/invalid table name/);
      expect(readdirSync(dir).includes('trades')).toBe(false);
      const t2 = await db.createTable(tradesSchema);
      expect(t2.rowCount).toBe(0);
      await db.close();
      const db2 = await open(dir, { pool });
      expect((await db2.openTable('trades')).rowCount).toBe(0);
      await db2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('refused calls change nothing', () => {
  it('bad cutoffs, read-only databases', async () => {
    const dir = tmp();
    try {
      const db = await open(dir, { pool });
      const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 1000 });
      t.appendBatch(trades(0, 1500));
      await t.sync();
      for (const bad of [1.5, '10', null, undefined, 2n ** 63n, Number.MAX_SAFE_INTEGER + 1, NaN]) {
        await expect(t.deleteBefore(bad as unknown as bigint)).rejects.toThrow(/table "trades": deleteBefore: the cutoff must be an int64 bigint or a safe integer/);
      }
      expect(t.rowCount).toBe(1500);
      expect(t.blockCount).toBe(1);
      const ro = await open(dir, { readOnly: true, pool });
      const r = await ro.openTable('trades');
      await expect(r.deleteBefore(10n)).rejects.toThrow(/read-only/);
      await expect(r.compact()).rejects.toThrow(/read-only/);
      await expect(ro.dropTable('trades')).rejects.toThrow(/read-only/);
      expect(await r.reader().count()).toBe(1500);
      await ro.close();
      expect(await t.reader().count()).toBe(1500);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dropTable with a reader in flight', () => {
  it('the reader keeps its answer; the files go when it has finished', async () => {
    const dir = tmp();
    try {
      const db = await open(dir, { pool, cacheBytes: 0 });
      const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 500, rowGroupRows: 100 });
      t.appendBatch(trades(0, 3000));
      await t.flush();
      const reading = t.reader()[Symbol.asyncIterator]();
      const got: Row[] = [(await reading.next()).value as Row];
      await db.dropTable('trades');
      await expect(db.openTable('trades')).rejects.toThrow(/does not exist/);
      expect(readdirSync(dir).includes('trades')).toBe(true); // kept for the reader
      for (let r = await reading.next(); !r.done; r = await reading.next()) got.push(r.value as Row);
      expect(got).toEqual(oracle(0, 3000));
      await new Promise((res) => setTimeout(res, 100));
      expect(readdirSync(dir).includes('trades')).toBe(false);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
