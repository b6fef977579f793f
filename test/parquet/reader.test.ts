// The fast Parquet reader against the writer and against parquet-wasm on the same bytes.
import { describe, expect, it } from 'vitest';
import { readFooter, readParquetColumns } from '@backtracedb/workers';
import { decodeParquet, encodeBlock } from '@backtracedb/workers/arrow';
import type { ColumnType, ColumnView } from '@backtracedb/engine';
import { seededRandom } from 'backtracedb/sample-data';


const names = ['ts', 's', 'x', 'b'];
const types: ColumnType[] = ['int64', 'string', 'float64', 'bool'];

function block(n: number, distinct: number, seed: number) {
  const next = seededRandom(seed);
  const ts = new BigInt64Array(n);
  const x = new Float64Array(n);
  const b = new Uint8Array(n);
  const codes = new Int32Array(n);
  const dict = Array.from({ length: distinct }, (_, i) => (i % 5 === 0 ? '' : i % 5 === 1 ? `ü${i}` : i % 5 === 2 ? `日本${i}` : `🙂${i}`));
  for (let i = 0; i < n; i++) {
    ts[i] = BigInt(Math.floor((next() - 0.5) * 2 ** 52)) * 4099n;
    x[i] = [NaN, -0, Infinity, -Infinity][i % 17] ?? (next() - 0.5) * 1e6;
    b[i] = next() < 0.5 ? 1 : 0;
    codes[i] = Math.floor(next() * distinct);
  }
  const columns: ColumnView[] = [{ type: 'int64', values: ts }, { type: 'string', values: codes, dictionary: dict }, { type: 'float64', values: x }, { type: 'bool', values: b }];
  return { columns, dict };
}

function plain(v: ColumnView): unknown[] {
  if (v.type === 'string') return Array.from(v.values, (c) => v.dictionary[c]);
  return Array.from(v.values as ArrayLike<unknown>, (y) => (Object.is(y, -0) ? '-0' : y));
}

describe('fast Parquet reader', () => {
  for (const [n, distinct, groupRows] of [[1, 1, 65536], [1000, 7, 300], [20_000, 300, 4096], [70_001, 40_000, 65536]] as const) {
    it(`${n} rows, ${distinct} distinct strings, row groups of ${groupRows}: equal to the source and to parquet-wasm`, () => {
      const { columns } = block(n, distinct, n + distinct);
      const enc = encodeBlock({ kind: 'encode', schema: { name: 't', timeColumn: 'ts', columns: names.map((name, i) => ({ name, type: types[i] })) }, rowCount: n, columns, rowGroupRows: groupRows, sharedOutput: false });
      const fast = readParquetColumns(enc.parquet, names, types, null);
      const wasm = decodeParquet(enc.parquet, names, types, null);
      expect(fast.rowCount).toBe(n);
      fast.views.forEach((v, c) => {
        expect(plain(v)).toEqual(plain(columns[c]));
        expect(plain(v)).toEqual(plain(wasm.views[c]));
      });
      // Column and row-group subsets.
      const groups = readFooter(enc.parquet).rowGroups.length;
      const last = groups - 1;
      const sub = readParquetColumns(enc.parquet, ['x', 's'], ['float64', 'string'], [last]);
      const from = last * groupRows;
      expect(plain(sub.views[0])).toEqual(plain(columns[2]).slice(from));
      expect(plain(sub.views[1])).toEqual(plain(columns[1]).slice(from));
    });
  }

  it('truncated or scrambled files throw instead of returning wrong data or hanging', () => {
    const { columns } = block(500, 9, 3);
    const enc = encodeBlock({ kind: 'encode', schema: { name: 't', timeColumn: 'ts', columns: names.map((name, i) => ({ name, type: types[i] })) }, rowCount: 500, columns, rowGroupRows: 128, sharedOutput: false });
    const bytes = enc.parquet;
    for (const cut of [0, 4, 11, bytes.length >> 1, bytes.length - 9, bytes.length - 1]) {
      expect(() => readParquetColumns(bytes.subarray(0, cut), names, types, null)).toThrow();
    }
    // Flip bytes across the footer: every outcome is an error or correctly sized columns.
    const footerStart = bytes.length - 8 - new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true);
    for (let at = footerStart; at < bytes.length - 8; at += 3) {
      const copy = bytes.slice();
      copy[at] ^= 0xa5;
      try {
        const r = readParquetColumns(copy, names, types, null);
        r.views.forEach((v) => expect(v.values.length).toBe(r.rowCount));
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
      }
    }
  });
});
