// Block files are ordinary Parquet: DuckDB reads every value the engine wrote, for every type,
// with row groups down to one row, many distinct strings, and the int64/float64 edge values.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { open } from 'backtracedb';
import { seededRandom } from 'backtracedb/sample-data';

const schema = {
  name: 'interop', timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'int64' }, { name: 's', type: 'string' }, { name: 'x', type: 'float64' },
    { name: 'big', type: 'int64' }, { name: 'b', type: 'bool' },
  ],
} as const;

const BIGS = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n];
const FLOATS = [0, -0, 1.5, Infinity, -Infinity, NaN, 1e-300, -123.25];

for (const [rowGroupRows, distinct] of [[1, 3], [7, 50], [65_536, 5_000]] as const) {
  it(`DuckDB reads every value (row groups of ${rowGroupRows}, ${distinct} distinct strings)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-duck-'));
    try {
      const next = seededRandom(rowGroupRows);
      const n = rowGroupRows === 1 ? 40 : 12_000;
      const rows = Array.from({ length: n }, (_, i) => ({
        ts: BigInt(i), s: i % 11 === 0 ? '' : `${['ü', '日本', '🙂', 'a'][i % 4]}${Math.floor(next() * distinct)}`,
        x: i % 5 === 0 ? FLOATS[i % FLOATS.length] : next() * 1000 - 500, big: i % 3 === 0 ? BIGS[i % BIGS.length] : BigInt(Math.floor(next() * 1e12)), b: next() < 0.5,
      }));
      const db = await open(dir, { poolSize: 1 });
      const t = await db.createTable(schema, { useDiskStorage: true, maxBlockSize: Math.ceil(n / 3), rowGroupRows });
      t.appendBatch({ ts: rows.map((r) => r.ts), s: rows.map((r) => r.s), x: rows.map((r) => r.x), big: rows.map((r) => r.big), b: rows.map((r) => r.b) });
      await db.close();
      const files = readdirSync(join(dir, 'interop')).filter((f) => f.endsWith('.parquet')).map((f) => `'${join(dir, 'interop', f)}'`);
      expect(files.length).toBe(3);
      const duck = await DuckDBInstance.create(':memory:');
      const c = await duck.connect();
      const got = (await c.runAndReadAll(`SELECT ts, s, x, big, b FROM read_parquet([${files.join(', ')}]) ORDER BY ts`)).getRows();
      const types = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet([${files.join(', ')}])`)).getRows().map((r) => `${String(r[0])}:${String(r[1])}`);
      c.closeSync();
      duck.closeSync();
      expect(types).toEqual(['ts:BIGINT', 's:VARCHAR', 'x:DOUBLE', 'big:BIGINT', 'b:BOOLEAN']);
      expect(got.length).toBe(n);
      for (let i = 0; i < n; i++) {
        const [ts, s, x, big, b] = got[i];
        const r = rows[i];
        expect([ts, s, big, b], `row ${i}`).toEqual([r.ts, r.s, r.big, r.b]);
        expect(Object.is(x, r.x) || (Number.isNaN(x as number) && Number.isNaN(r.x)) || (x === 0 && r.x === 0), `row ${i} x: ${String(x)} vs ${r.x}`).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
