// Block files with nullable columns are ordinary Parquet (OPTIONAL columns with definition
// levels): DuckDB reads every value and every null; tables without nullable columns still get
// exactly the bytes they got before nulls existed.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { open } from 'backtracedb';
import { encodeParquet } from '@backtracedb/workers/encode';
import { seededRandom } from 'backtracedb/sample-data';
import { batchOf, makeRows, NULLABLE, nullSchema } from './nulls-oracle.js';
// @ts-expect-error plain JS fixture
import { requiredSample } from '../fixtures/required-sample.mjs';

for (const [rowGroupRows, compression] of [[1, 'none'], [7, 'zstd'], [65_536, 'snappy']] as const) {
  it(`DuckDB reads the values and null counts of block files (row groups of ${rowGroupRows}, ${compression})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-duck-nulls-'));
    try {
      const n = rowGroupRows === 1 ? 60 : 6_000;
      const rows = makeRows(seededRandom(rowGroupRows), n, 0n);
      // One column all null in the first block: a row group of only nulls.
      for (let i = 0; i < Math.ceil(n / 3); i++) rows[i].ok = null;
      const db = await open(dir, { poolSize: 1 });
      const t = await db.createTable(nullSchema, { useDiskStorage: true, maxBlockSize: Math.ceil(n / 3), rowGroupRows, compression });
      t.appendBatch(batchOf(rows) as never);
      await db.close();
      const files = readdirSync(join(dir, 'nulls')).filter((f) => f.endsWith('.parquet')).map((f) => `'${join(dir, 'nulls', f)}'`);
      expect(files.length).toBe(3);
      const duck = await DuckDBInstance.create(':memory:');
      const c = await duck.connect();
      const from = `read_parquet([${files.join(', ')}], filename = true, file_row_number = true)`;
      const got = (await c.runAndReadAll(`SELECT t, sym, big, x, ok, tag FROM ${from} ORDER BY filename, file_row_number`)).getRows();
      const nulls = (await c.runAndReadAll(`SELECT ${NULLABLE.map((col) => `count(*) - count(${col})`).join(', ')} FROM ${from}`)).getRows()[0];
      c.closeSync();
      duck.closeSync();
      expect(nulls.map(Number)).toEqual(NULLABLE.map((col) => rows.filter((r) => r[col] === null).length));
      expect(got.length).toBe(n);
      for (let i = 0; i < n; i++) {
        const r = rows[i];
        expect(got[i], `row ${i}`).toEqual([r.t, r.sym, r.big, r.x, r.ok, r.tag]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

it('a block of REQUIRED columns is byte-identical to what the writer made before nulls', () => {
  const { columns, views, rowCount } = requiredSample() as { columns: never; views: never; rowCount: number };
  const before = readFileSync(fileURLToPath(new URL('../fixtures/required-7.parquet', import.meta.url)));
  const now = encodeParquet({ name: 'x', timeColumn: 'ts', columns }, views, rowCount, 7);
  expect(Buffer.from(now).equals(before)).toBe(true);
});
