// WAL payloads parsed once (wal/payload-layout.ts) and written straight into an active block
// (writePayloadRows): the same rows, dictionaries and validity as decoding to a batch and
// writing that, from any first row; damage is refused before a row is used.
import { describe, expect, it } from 'vitest';
import { encodeBatch, batchOfLayout } from '../src/wal/batch-codec.js';
import { parsePayload } from '../src/wal/payload-layout.js';
import { newActiveBlock, writeBatch, writePayloadRows } from '../src/block/active-block.js';
import { resolveSchema } from '../src/schema/schema.js';
import { viewsOf } from '../src/block/sealed-block.js';
import type { NormalizedBatch } from '../src/column/values.js';

const schema = resolveSchema({
  name: 't',
  columns: [
    { name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'px', type: 'float64', nullable: true },
    { name: 'ok', type: 'bool' }, { name: 'note', type: 'string', nullable: true },
  ],
  timeColumn: 'ts',
});
const types = schema.columns.map((c) => c.type);
const nullable = schema.columns.map((c) => c.nullable === true);

function batch(n: number, seed: number): NormalizedBatch {
  const syms = ['a', 'bb', 'ccc', 'ü', ''];
  return {
    rowCount: n,
    columns: [
      BigInt64Array.from({ length: n }, (_, i) => BigInt(seed * 1000 + i)),
      Array.from({ length: n }, (_, i) => syms[(i * 7 + seed) % syms.length]),
      Float64Array.from({ length: n }, (_, i) => i / 3 + seed),
      Uint8Array.from({ length: n }, (_, i) => (i + seed) % 2),
      Array.from({ length: n }, (_, i) => `n${(i + seed) % 3}`),
    ],
    valid: [null, null, Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1)), null, null],
  };
}

/** The block's rows as plain values (strings through the dictionary, nulls as null). */
function rowsOf(block: ReturnType<typeof newActiveBlock>): unknown[][] {
  const views = viewsOf(block, block.rowCount);
  return Array.from({ length: block.rowCount }, (_, i) => views.map((v) => {
    if (v.valid && v.valid[i] === 0) return null;
    return v.type === 'string' ? v.dictionary[v.values[i]] : v.values[i];
  }));
}

describe('WAL payload layout', () => {
  it('writes the same rows as a decoded batch, from every first row, at any payload alignment', () => {
    for (const n of [1, 7, 1500]) {
      const bytes = encodeBatch(types, batch(n, 3), nullable);
      for (const shift of [0, 1, 3, 5]) {
        const buf = new Uint8Array(bytes.byteLength + shift);
        buf.set(bytes, shift);
        const layout = parsePayload(types, n, buf.subarray(shift), nullable);
        for (const from of [0, 1, n - 1]) {
          const direct = newActiveBlock(schema, 0, 4096);
          writePayloadRows(direct, layout, 0, 0); // nothing: still the same block after
          writePayloadRows(direct, layout, from, n - from);
          const viaBatch = newActiveBlock(schema, 0, 4096);
          writeBatch(viaBatch, batchOfLayout(layout), from, n - from);
          expect(rowsOf(direct)).toEqual(rowsOf(viaBatch));
        }
      }
    }
  });

  it('adds to the dictionary only the entries the written rows use', () => {
    const n = 10;
    const b = batch(n, 0);
    (b.columns[1] as string[])[0] = 'only-in-row-0';
    const layout = parsePayload(types, n, encodeBatch(types, b, nullable), nullable);
    const block = newActiveBlock(schema, 0, 100);
    writePayloadRows(block, layout, 1, n - 1);
    const sym = block.columns[1];
    if (sym.type !== 'string') throw new Error('not a string column');
    expect(sym.dictionary.values).not.toContain('only-in-row-0');
  });

  it('appends after rows already in the block, and keeps an existing code for a known string', () => {
    const first = parsePayload(types, 5, encodeBatch(types, batch(5, 1), nullable), nullable);
    const second = parsePayload(types, 5, encodeBatch(types, batch(5, 2), nullable), nullable);
    const direct = newActiveBlock(schema, 0, 100);
    writePayloadRows(direct, first, 0, 5);
    writePayloadRows(direct, second, 0, 5);
    const viaBatch = newActiveBlock(schema, 0, 100);
    writeBatch(viaBatch, batchOfLayout(first), 0, 5);
    writeBatch(viaBatch, batchOfLayout(second), 0, 5);
    expect(rowsOf(direct)).toEqual(rowsOf(viaBatch));
    const sym = direct.columns[1];
    if (sym.type !== 'string') throw new Error('not a string column');
    expect(new Set(sym.dictionary.values).size).toBe(sym.dictionary.values.length);
  });

  it('refuses damage before any row is used', () => {
    const bytes = encodeBatch(types, batch(4, 0), nullable);
    // Every cut of the payload is refused (too short, or trailing bytes for a shorter count).
    for (let cut = 0; cut < bytes.length; cut++) expect(() => parsePayload(types, 4, bytes.subarray(0, cut), nullable)).toThrow(/malformed/);
    const badBool = bytes.slice();
    const boolAt = parsePayload(types, 4, bytes, nullable).columns[3];
    if (boolAt.type !== 'bool') throw new Error('not a bool column');
    badBool[boolAt.at] = 2;
    expect(() => parsePayload(types, 4, badBool, nullable)).toThrow(/bool value other than 0\/1/);
    const badValid = bytes.slice();
    badValid[bytes.length - 8 + 1] = 7; // the px validity bytes precede the note ones (4 each)
    expect(() => parsePayload(types, 4, badValid, nullable)).toThrow(/validity byte other than 0\/1/);
  });

  it('refuses a string code outside the dictionary at any alignment, across scratch pieces and past code 255', () => {
    const only = resolveSchema({ name: 's', columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }], timeColumn: 'ts' });
    const kinds = only.columns.map((c) => c.type);
    const n = 40_000; // more than two 16k-code scratch pieces
    const strings = Array.from({ length: n }, (_, i) => `s${i % 300}`);
    const bytes = encodeBatch(kinds, { rowCount: n, columns: [BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), strings] });
    const codesAt = parsePayload(kinds, n, bytes).columns[1];
    if (codesAt.type !== 'string') throw new Error('not a string column');
    expect(codesAt.dict).toHaveLength(300);
    for (const row of [0, 20_000, n - 1]) {
      const bad = bytes.slice();
      new DataView(bad.buffer).setUint32(codesAt.at + 4 * row, 300, true); // one past the last entry
      for (const shift of [0, 1, 2, 3]) {
        const buf = new Uint8Array(bytes.byteLength + shift);
        buf.set(bytes, shift);
        const layout = parsePayload(kinds, n, buf.subarray(shift));
        const block = newActiveBlock(only, 0, n);
        writePayloadRows(block, layout, 0, n);
        const sym = block.columns[1];
        if (sym.type !== 'string') throw new Error('not a string column');
        expect(Array.from(sym.values, (c) => sym.dictionary.values[c])).toEqual(strings);
        buf.set(bad, shift);
        expect(() => parsePayload(kinds, n, buf.subarray(shift))).toThrow(/string code outside the dictionary/);
      }
    }
  });

  it('keeps a fresh block\'s first record\'s codes, and maps a later record\'s entries in another order', () => {
    const only = resolveSchema({ name: 's', columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }], timeColumn: 'ts' });
    const kinds = only.columns.map((c) => c.type);
    const rec = (syms: string[]) => parsePayload(kinds, syms.length, encodeBatch(kinds, { rowCount: syms.length, columns: [new BigInt64Array(syms.length), syms] }));
    const block = newActiveBlock(only, 0, 100);
    writePayloadRows(block, rec(['b', 'a', 'b', 'c']), 0, 4);
    const sym = block.columns[1];
    if (sym.type !== 'string') throw new Error('not a string column');
    expect(sym.dictionary.values).toEqual(['b', 'a', 'c']);
    expect(Array.from(sym.values.subarray(0, 4))).toEqual([0, 1, 0, 2]);
    writePayloadRows(block, rec(['c', 'd', 'a', 'c']), 0, 4);
    expect(sym.dictionary.values).toEqual(['b', 'a', 'c', 'd']);
    expect(Array.from(block.columns[1].values.subarray(0, 8) as Int32Array, (c) => sym.dictionary.values[c])).toEqual(['b', 'a', 'b', 'c', 'c', 'd', 'a', 'c']);
  });

  it('describes a column whose every row has a value as having no validity', () => {
    const b = batch(6, 0);
    b.valid = [null, null, null, null, null];
    const layout = parsePayload(types, 6, encodeBatch(types, b, nullable), nullable);
    expect(layout.valid).toBeNull();
  });
});
