// The writer's dictionary indices: every bit width a row group's dictionary can need, read back
// by the fast reader and by parquet-wasm (the independent decoder).
import { describe, expect, it } from 'vitest';
import type { ColumnView } from '@backtracedb/engine';
import { writeParquet } from '../src/parquet/write.js';
import { readParquetColumns } from '../src/parquet/read.js';
import { decodeParquet } from '../src/parquet-decode.js';

function stringColumn(distinct: number, rows: number): { view: ColumnView; want: string[] } {
  const dictionary = Array.from({ length: distinct }, (_, i) => `s${i}`);
  const values = new Int32Array(rows);
  let x = 12345;
  for (let i = 0; i < rows; i++) { x = (x * 1103515245 + 12345) >>> 0; values[i] = i < distinct ? i : x % distinct; }
  return { view: { type: 'string', values, dictionary }, want: Array.from(values, (c) => dictionary[c]) };
}

const decoded = (v: ColumnView | undefined): string[] => {
  if (v?.type !== 'string') throw new Error('not a string column');
  return Array.from(v.values.subarray(0, v.values.length), (c) => v.dictionary[c]);
};

describe('dictionary indices', () => {
  // Widths 1 (1-2 strings) to 17 (65,537+), with row counts that leave a partial last group.
  for (const [distinct, rows] of [[1, 5], [2, 9], [3, 17], [8, 1001], [17, 100], [255, 1000], [256, 3001], [1000, 4007], [70_000, 70_003]] as const) {
    it(`${distinct} strings over ${rows} rows round-trip`, () => {
      const { view, want } = stringColumn(distinct, rows);
      const { bytes } = writeParquet([{ name: 's', type: 'string' }], [view], rows, rows, false);
      expect(decoded(readParquetColumns(bytes, ['s'], ['string'], null).views[0]).slice(0, rows)).toEqual(want);
      expect(decoded(decodeParquet(bytes, ['s'], ['string'], null).views[0]).slice(0, rows)).toEqual(want);
    });
  }
});
