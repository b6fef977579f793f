// The writer with and without a timeUnit: without one, block bytes are exactly those of the
// writer before timeUnit existed (hash first recorded from commit 4f7a61d, re-recorded when the
// compression work added total_compressed_size to each row group's metadata); with one, the file holds
// the file unit's values ('s' as milliseconds), its data pages are those of the plain file for
// ms/us/ns (only the footer's annotation differs), and the fast reader still reads it.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { readFooter, readParquetColumns } from '@backtracedb/workers';
import { encodeBlock } from '@backtracedb/workers/arrow';
import type { ColumnView, TableSchema } from '@backtracedb/engine';

const n = 1000;
const views = (): ColumnView[] => [
  { type: 'int64', values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 1000 - 5000)) },
  { type: 'string', values: Int32Array.from({ length: n }, (_, i) => i % 3), dictionary: ['a', 'bb', 'ü'] },
  { type: 'float64', values: Float64Array.from({ length: n }, (_, i) => i / 7) },
  { type: 'bool', values: Uint8Array.from({ length: n }, (_, i) => i % 2) },
];
const columns = [{ name: 'ts', type: 'int64' }, { name: 's', type: 'string' }, { name: 'x', type: 'float64' }, { name: 'b', type: 'bool' }] as const;
const encode = (schema: TableSchema, v: ColumnView[] = views()) => encodeBlock({ kind: 'encode', schema, rowCount: n, columns: v, rowGroupRows: 300, sharedOutput: false });

it('without a timeUnit the block bytes are unchanged', () => {
  const bytes = encode({ name: 't', timeColumn: 'ts', columns }).parquet;
  expect(createHash('sha256').update(bytes).digest('hex')).toBe('6bd83a2c0f38e5a6f5e3bfb27f3d48ac5c5f8312f761db901d30274e0807321b');
});

it('a timeUnit changes only the footer (ms/us/ns) or the time values (s); without one DuckDB reads BIGINT (interop/duckdb.test.ts)', () => {
  const plain = encode({ name: 't', timeColumn: 'ts', columns }).parquet;
  const footerAt = (bytes: Uint8Array): number => bytes.byteLength - 8 - new DataView(bytes.buffer, bytes.byteOffset + bytes.byteLength - 8, 4).getUint32(0, true);
  for (const unit of ['ms', 'us', 'ns'] as const) {
    const withUnit = encode({ name: 't', timeColumn: 'ts', timeUnit: unit, columns }).parquet;
    expect(footerAt(withUnit)).toBe(footerAt(plain));
    expect(Buffer.from(withUnit.subarray(0, footerAt(withUnit))).equals(Buffer.from(plain.subarray(0, footerAt(plain))))).toBe(true);
    expect(withUnit.byteLength).toBeGreaterThan(plain.byteLength); // the annotation
  }
});

it.each(['s', 'ms', 'us', 'ns'] as const)("timeUnit '%s': the file holds the file unit, the source is untouched, zone maps stay in the table unit", (unit) => {
  const v = views();
  const block = encode({ name: 't', timeColumn: 'ts', timeUnit: unit, columns }, v);
  const footer = readFooter(block.parquet);
  const raw = readParquetColumns(block.parquet, ['ts', 'x'], ['int64', 'float64'], null, footer).views[0].values as BigInt64Array;
  const want = (v[0].values as BigInt64Array).map((t) => (unit === 's' ? t * 1000n : t));
  expect([...raw]).toEqual([...want]);
  expect((v[0].values as BigInt64Array)[7]).toBe(2000n);
  expect(block.zoneMap.columns[0]).toMatchObject({ min: -5000n, max: 994000n });
});
