// The settings and schema fields added with table.json format 3 (compression, retention,
// outOfOrderWindow; nullable, timeUnit): checked where given, named in errors, kept in
// table.json across reopen, and a format-2 table.json still opens with their defaults.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { open } from 'backtracedb';
import { pool, withDb } from '../engine/helpers.js';

const schema = { name: 'trades', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'price', type: 'float64' }] } as const;

describe('createTable() options of format 3', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['an unknown compression', { compression: 'lz4' }, /unknown compression string "lz4" \(expected one of 'none', 'snappy', 'zstd'\)/],
    ['a negative retention', { retention: -5n }, /retention must be an integer number of time units .* from 1 .*got bigint -5n/],
    ['a zero retention', { retention: 0 }, /retention .* from 1 .*got 0/],
    ['a fractional retention', { retention: 1.5 }, /retention .*got 1\.5/],
    ['a retention as a string', { retention: '7d' }, /retention .*got string "7d"/],
    ['a negative outOfOrderWindow', { outOfOrderWindow: -1 }, /outOfOrderWindow .* from 0 .*got -1/],
    ['an outOfOrderWindow past int64', { outOfOrderWindow: 1n << 63n }, /outOfOrderWindow .*got bigint 9223372036854775808n/],
  ];
  for (const [label, opts, re] of bad) {
    it(`refuses ${label} and creates nothing`, async () => {
      await withDb(async (db) => {
        await expect(db.createTable(schema, opts as never)).rejects.toThrow(re);
        await expect(db.createTable(schema, opts as never)).rejects.toThrow(/^table "trades": /);
        expect(existsSync(db.tablePath('trades'))).toBe(false);
      });
    });
  }

  it('keeps the settings and schema fields across reopen, and the setters store theirs at once', async () => {
    await withDb(async (db) => {
      const s = {
        name: 'quotes', timeColumn: 'ts', timeUnit: 'ms',
        columns: [{ name: 'ts', type: 'int64' }, { name: 'bid', type: 'float64', nullable: true }, { name: 'sym', type: 'string', nullable: false }],
      } as const;
      const t = await db.createTable(s, { compression: 'snappy', retention: 86_400_000, outOfOrderWindow: 5_000n });
      expect([t.compression, t.retention, t.outOfOrderWindow]).toEqual(['snappy', 86_400_000n, 5_000n]);
      t.compression = 'zstd';
      t.retention = null;
      expect(() => { t.compression = 'gzip' as never; }).toThrow(/table "quotes": unknown compression string "gzip"/);
      expect(() => { t.retention = -1; }).toThrow(/table "quotes": retention .*got -1/);
      await t.sync();
      await db.close();
      const db2 = await open(db.path, { pool });
      try {
        const t2 = await db2.openTable('quotes');
        expect([t2.compression, t2.retention, t2.outOfOrderWindow]).toEqual(['zstd', null, 5_000n]);
        expect(t2.schemaJson).toEqual({
          name: 'quotes', timeColumn: 'ts', timeUnit: 'ms',
          columns: [{ name: 'ts', type: 'int64' }, { name: 'bid', type: 'float64', nullable: true }, { name: 'sym', type: 'string' }],
        });
        expect(t2.schema.timeUnit).toBe('ms');
      } finally { await db2.close(); }
    });
  });

  it('a format-2 table.json (made before these settings) opens with the defaults', async () => {
    await withDb(async (db) => {
      await db.createTable(schema, { maxBlockSize: 7 });
      await db.close();
      const file = join(db.tablePath('trades'), 'table.json');
      const json = JSON.parse(readFileSync(file, 'utf8')) as { settings: Record<string, unknown> };
      const settings = { enableWal: json.settings.enableWal, useDiskStorage: json.settings.useDiskStorage, maxBlockSize: json.settings.maxBlockSize, rowGroupRows: json.settings.rowGroupRows };
      const v2 = { format: 2, schema, settings, crc32: crc32(JSON.stringify({ format: 2, schema, settings })) };
      writeFileSync(file, JSON.stringify(v2));
      const db2 = await open(db.path, { pool });
      try {
        const t = await db2.openTable('trades');
        expect([t.maxBlockSize, t.compression, t.retention, t.outOfOrderWindow, t.schema.timeUnit]).toEqual([7, 'none', null, 0n, null]);
        expect(t.schemaJson).toEqual(schema);
      } finally { await db2.close(); }
    });
  });
});

describe('schemas with nullable and timeUnit', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['a nullable time column', { name: 'q', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64', nullable: true }] }, /table "q", column "ts": the time column cannot be nullable/],
    ['nullable not a boolean', { name: 'q', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'b', type: 'bool', nullable: 'yes' }] }, /table "q", column "b": nullable must be true or false, got string "yes"/],
    ['an unknown time unit', { name: 'q', timeColumn: 'ts', timeUnit: 'min', columns: [{ name: 'ts', type: 'int64' }] }, /table "q": unknown timeUnit "min" \(expected one of s, ms, us, ns\)/],
  ];
  for (const [label, s, re] of bad) {
    it(`refuses ${label}`, async () => {
      await withDb(async (db) => {
        await expect(db.createTable(s as never)).rejects.toThrow(re);
        expect(existsSync(db.tablePath('q'))).toBe(false);
      });
    });
  }
});
