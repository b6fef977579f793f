// Definition levels of OPTIONAL columns (parquet/levels.ts): encode → decode round trips at
// every length around groups of 8; RLE runs from other writers decode too; bad levels refused.
import { describe, expect, it } from 'vitest';
import { decodeLevels, encodeLevels, optionalRows, spreadValues } from '../src/parquet/levels.js';
import { readChunkColumns, readParquetColumns } from '../src/parquet/read.js';
import { writeParquet } from '../src/parquet/write.js';
import type { ColumnView } from '@backtracedb/engine';
import { rng } from './parquet-bytes.js';
import { decodeParquet } from '../src/parquet-decode.js';

describe('definition levels', () => {
  it('round-trip at every length 0..70 and every offset', () => {
    const next = rng(5);
    for (let n = 0; n <= 70; n++) {
      const valid = Uint8Array.from({ length: n + 3 }, () => (next() < 0.3 ? 0 : 1));
      const enc = encodeLevels(valid, 3, n + 3);
      const out = new Uint8Array(n + 2).fill(9);
      const r = decodeLevels(enc, n, out, 2);
      expect(Array.from(out.subarray(2))).toEqual(Array.from(valid.subarray(3)));
      expect(r.present).toBe(valid.subarray(3).reduce((a, b) => a + b, 0));
      expect(r.valuesAt).toBe(enc.byteLength);
      // No validity: every row holds a value.
      const all = new Uint8Array(n);
      expect(decodeLevels(encodeLevels(null, 0, n), n, all, 0).present).toBe(n);
      expect(all.every((v) => v === 1)).toBe(true);
    }
  });

  it('decodes RLE runs (as other writers emit them) and refuses levels above 1 or past the page', () => {
    // Length 6: RLE 10 × 1, RLE 3 × 0, then bit-packed 8: 0b10100101.
    const body = Uint8Array.from([6, 0, 0, 0, 20, 1, 6, 0, 3, 0xa5, 42]);
    const out = new Uint8Array(21);
    expect(decodeLevels(body, 21, out, 0)).toEqual({ present: 14, valuesAt: 10 });
    expect(Array.from(out)).toEqual([...Array(10).fill(1), 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1]);
    expect(() => decodeLevels(Uint8Array.from([2, 0, 0, 0, 2, 2]), 1, out, 0)).toThrow(/definition level 2/);
    expect(() => decodeLevels(Uint8Array.from([9, 0, 0, 0, 2, 1]), 1, out, 0)).toThrow(/run past their page/);
  });

  it('values spread back to their rows; nulls get the zero slot', () => {
    const view: ColumnView = { type: 'float64', values: Float64Array.from([1, 2, 3, 9, 9]) };
    spreadValues(view, Uint8Array.from([0, 1, 0, 1, 1]), 0, 5, 3, 0);
    expect(Array.from(view.values)).toEqual([0, 1, 0, 2, 3]);
    const dense = optionalRows({ type: 'int64', values: BigInt64Array.from([5n, 0n, 7n]), valid: Uint8Array.from([1, 0, 1]) }, 0, 3);
    expect([dense.count, Array.from(dense.view.values as BigInt64Array)]).toEqual([2, [5n, 7n]]);
  });

  it('the fast reader reads OPTIONAL columns of every type, all-null row groups included', () => {
    const valid = Uint8Array.from([1, 0, 0, 0, 1, 1, 0]);
    const views: ColumnView[] = [
      { type: 'int64', values: BigInt64Array.from([1n, 0n, 0n, 0n, 5n, 6n, 0n]), valid },
      { type: 'float64', values: Float64Array.from([1.5, 0, 0, 0, 2.5, 3.5, 0]), valid },
      { type: 'bool', values: Uint8Array.from([1, 0, 0, 0, 0, 1, 0]), valid },
      { type: 'string', values: Int32Array.from([1, 0, 0, 0, 2, 1, 0]), dictionary: ['', 'x', 'y'], valid },
    ];
    const cols = views.map((v, i) => ({ name: `c${i}`, type: v.type, nullable: true }));
    const { bytes } = writeParquet(cols, views, 7, 2, false);
    const d = readParquetColumns(bytes, cols.map((c) => c.name), cols.map((c) => c.type), null);
    expect(d.rowCount).toBe(7);
    // parquet-wasm (the fallback for files outside the fast reader's subset) reads the same nulls.
    const wasm = decodeParquet(bytes, cols.map((c) => c.name), cols.map((c) => c.type), null);
    wasm.views.forEach((v, i) => {
      expect(Array.from(v.valid ?? [])).toEqual(Array.from(valid));
      const fast = d.views[i];
      const read = (x: ColumnView) => Array.from(x.values as ArrayLike<unknown>, (c, r) => (valid[r] === 0 ? null : x.type === 'string' ? x.dictionary[c as number] : c));
      expect(read(v)).toEqual(read(fast));
    });
    d.views.forEach((v, i) => {
      expect(Array.from(v.valid ?? [])).toEqual(Array.from(valid));
      if (v.type === 'string') expect(Array.from(v.values, (c) => v.dictionary[c])).toEqual(['x', '', '', '', 'y', 'x', '']);
      else expect(Array.from(v.values as ArrayLike<unknown>)).toEqual(Array.from(views[i].values as ArrayLike<unknown>));
    });
  });

  it('a REQUIRED chunk read as OPTIONAL is refused, never misread', () => {
    for (const first of [0n, 1n, 3n, 40n, 2n ** 40n]) {
      const views: ColumnView[] = [
        { type: 'int64', values: BigInt64Array.from({ length: 20 }, (_, i) => first + BigInt(i)) },
        { type: 'float64', values: Float64Array.from({ length: 20 }, (_, i) => Number(first) + i / 4) },
      ];
      const cols = [{ name: 'a', type: 'int64' as const }, { name: 'b', type: 'float64' as const }];
      const { bytes, layout } = writeParquet(cols, views, 20, 20, false);
      const chunks = [layout.rowGroups[0].chunks.map(([start, end]) => bytes.subarray(start, end))];
      const set = { rowCounts: [20], columns: [0, 1], chunks, compression: 'none' as const };
      expect(readChunkColumns(set, [0, 1], ['int64', 'float64']).views[0].values).toEqual(views[0].values);
      for (const c of [0, 1]) expect(() => readChunkColumns(set, [c], [cols[c].type], undefined, [true]), `first ${first}, column ${c}`).toThrow();
    }
  });
});
