// Options of open(), createTable(), openTable() and the table setters: each is type-checked
// where it is given, an error names the option and the bad value, nothing is created on disk,
// and unknown keys (typos) are refused.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from 'backtracedb';
import { pool, withDb } from '../engine/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'btdb-options-'));
afterAll(async () => { await pool.destroy(); rmSync(root, { recursive: true, force: true }); });

const schema = { name: 'trades', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'price', type: 'float64' }] } as const;

describe('open() options', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['poolSize as a string', { poolSize: '2' }, /poolSize must be an integer from 0 to \d+, got string "2"/],
    ['poolSize -1', { poolSize: -1 }, /poolSize must be an integer from 0 to \d+, got -1/],
    ['poolSize 1.5', { poolSize: 1.5 }, /poolSize .* got 1\.5/],
    ['walFlushDelayMs as a string', { walFlushDelayMs: '5' }, /walFlushDelayMs must be a number from 0 to 10000, got string "5"/],
    ['walFlushDelayMs NaN', { walFlushDelayMs: NaN }, /walFlushDelayMs .* got NaN/],
    ['walFlushDelayMs negative', { walFlushDelayMs: -1 }, /walFlushDelayMs .* got -1/],
    ['maxPendingSeals negative', { maxPendingSeals: -1 }, /maxPendingSeals must be an integer from 0 to 64, got -1/],
    ['maxPendingSeals as a string', { maxPendingSeals: '2' }, /maxPendingSeals .* got string "2"/],
    ['cacheBytes negative', { cacheBytes: -1 }, /cacheBytes must be an integer from 0 to \d+, got -1/],
    ['cacheBytes as a string', { cacheBytes: '100' }, /cacheBytes .* got string "100"/],
    ['storage not an object', { storage: 5 }, /storage must be a Storage object.*got 5/],
    ['pool not an object', { pool: 'x' }, /pool must be a pool from createPool.*got string "x"/],
    ['poolSize beside a pool', { pool, poolSize: 4 }, /poolSize \(4\) cannot be combined with pool/],
    ['an unknown key', { walFlushDelay: 5 }, /unknown option "walFlushDelay" \(known: .*walFlushDelayMs/],
    ['options not an object', 'fast', /options must be an object, got string "fast"/],
  ];
  for (const [label, opts, re] of bad) {
    it(`refuses ${label} and creates nothing`, async () => {
      const dir = join(root, `open-${label.replace(/\W+/g, '-')}`);
      await expect(open(dir, opts as never)).rejects.toThrow(re);
      await expect(open(dir, opts as never)).rejects.toThrow(/^open: /);
      expect(existsSync(dir)).toBe(false);
    });
  }
});

describe('createTable() options', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['enableWal as a string', { enableWal: 'true' }, /enableWal must be a boolean, got string "true"/],
    ['enableWal as a number', { enableWal: 1 }, /enableWal must be a boolean, got 1/],
    ['useDiskStorage as a string', { useDiskStorage: 'yes' }, /useDiskStorage must be a boolean, got string "yes"/],
    ['maxBlockSize as a string', { maxBlockSize: '100' }, /maxBlockSize must be an integer from 1 to \d+, got string "100"/],
    ['maxBlockSize negative', { maxBlockSize: -1 }, /maxBlockSize .* got -1/],
    ['rowGroupRows negative', { rowGroupRows: -1 }, /rowGroupRows must be an integer from 1 to \d+, got -1/],
    ['rowGroupRows 1.5', { rowGroupRows: 1.5 }, /rowGroupRows .* got 1\.5/],
    ['rowGroupRows NaN', { rowGroupRows: NaN }, /rowGroupRows .* got NaN/],
    ['rowGroupRows as a string', { rowGroupRows: '100' }, /rowGroupRows .* got string "100"/],
    ['rowGroupRows 0', { rowGroupRows: 0 }, /rowGroupRows .* got 0/],
    ['an unknown key', { enableWAL: true }, /unknown option "enableWAL" \(known: .*enableWal/],
    ['options not an object', true, /options must be an object, got true/],
  ];
  for (const [label, opts, re] of bad) {
    it(`refuses ${label} and creates nothing`, async () => {
      await withDb(async (db) => {
        await expect(db.createTable(schema, opts as never)).rejects.toThrow(re);
        await expect(db.createTable(schema, opts as never)).rejects.toThrow(/^table "trades": /);
        expect(existsSync(db.tablePath('trades'))).toBe(false);
        const t = await db.createTable(schema, { rowGroupRows: 2, maxBlockSize: 4 });
        for (let i = 0; i < 9; i++) t.append({ ts: BigInt(i), price: i });
        await t.flush();
        expect(await t.reader().count()).toBe(9);
      });
    });
  }
});

describe('openTable() and the setters', () => {
  it('openTable takes no options: a second argument is refused', async () => {
    await withDb(async (db) => {
      await db.createTable(schema);
      await db.close();
      const db2 = await open(db.path, { pool });
      try {
        await expect((db2.openTable as (s: unknown, o: unknown) => Promise<unknown>)(schema, { enableWal: true })).rejects.toThrow(/table "trades": openTable takes no options/);
        await expect(db2.openTable('trades')).resolves.toBeDefined();
      } finally { await db2.close(); }
    });
  });
  it('setters check their value and name it', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema);
      expect(() => { t.maxBlockSize = '100' as never; }).toThrow(/table "trades": maxBlockSize must be an integer from 1 to \d+, got string "100"/);
      expect(() => { t.useDiskStorage = 'yes' as never; }).toThrow(/table "trades": useDiskStorage must be a boolean, got string "yes"/);
      expect(t.maxBlockSize).toBe(10_000_000);
      expect(t.useDiskStorage).toBe(false);
    });
  });
  it('settings changed after close() are refused and table.json is left alone', async () => {
    await withDb(async (db) => {
      const t = await db.createTable(schema);
      await db.close();
      const file = join(db.tablePath('trades'), 'table.json');
      const before = readFileSync(file, 'utf8');
      expect(() => { t.maxBlockSize = 5; }).toThrow(/table "trades": the table is closed/);
      expect(() => { t.useDiskStorage = true; }).toThrow(/table "trades": the table is closed/);
      await new Promise((r) => setTimeout(r, 50));
      expect(readFileSync(file, 'utf8')).toBe(before);
    });
  });
  it('a table.json whose settings have the wrong type is reported, not read as false', async () => {
    await withDb(async (db) => {
      await db.createTable(schema, { enableWal: true });
      await db.close();
      const file = join(db.tablePath('trades'), 'table.json');
      // Written as a format-1 table.json (no checksum), so the type check itself is what refuses it.
      const json = JSON.parse(readFileSync(file, 'utf8')) as { format: number; crc32?: number; settings: Record<string, unknown> };
      json.settings.enableWal = 'true';
      json.format = 1;
      delete json.crc32;
      writeFileSync(file, JSON.stringify(json));
      const db2 = await open(db.path, { pool });
      try {
        await expect(db2.openTable('trades')).rejects.toThrow(/table "trades": .*table\.json is damaged: settings\.enableWal must be a boolean, got string "true"/);
      } finally { await db2.close(); }
    });
  });
});
