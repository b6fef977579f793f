// WAL batch payloads: strings as a dictionary and u32 codes, decoded from aligned and unaligned
// offsets alike; a code past the dictionary is damage, named.
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from '../src/wal/batch-codec.js';

const types = ['int64', 'string', 'float64'] as const;
const batch = {
  rowCount: 5,
  columns: [new BigInt64Array([1n, 2n, 3n, 4n, 5n]), ['a', 'b', 'a', 'c', 'b'], new Float64Array([0.5, 1, 1.5, 2, 2.5])],
};

describe('batch codec', () => {
  it('round-trips at every byte offset of the payload', () => {
    const bytes = encodeBatch([...types], batch);
    for (let shift = 0; shift < 4; shift++) {
      const buf = new Uint8Array(bytes.byteLength + shift);
      buf.set(bytes, shift);
      const out = decodeBatch([...types], 5, buf.subarray(shift));
      expect(Array.from(out.columns[0] as BigInt64Array)).toEqual([1n, 2n, 3n, 4n, 5n]);
      expect(out.columns[1]).toEqual(['a', 'b', 'a', 'c', 'b']);
      expect(Array.from(out.columns[2] as Float64Array)).toEqual([0.5, 1, 1.5, 2, 2.5]);
    }
  });

  it('refuses a string code past the dictionary', () => {
    const bytes = encodeBatch([...types], batch);
    // The last code of the string column sits just before the float64 column (5 × 8 bytes).
    const at = bytes.byteLength - 5 * 8 - 4;
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, 3, true); // 3 strings: codes 0..2
    expect(() => decodeBatch([...types], 5, bytes)).toThrow(/string code outside the dictionary/);
  });
});
