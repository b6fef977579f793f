// Column stores (block/column-store.ts): prefaulted fresh columns grow to at least the rows asked for,
// up to the block's capacity, hold zeros, and take rows like new ones; a new active block
// takes given columns only when they fit it.
import { describe, expect, it } from 'vitest';
import { newActiveBlock, newColumns, writeBatch } from '../src/block/active-block.js';
import { INITIAL_CAPACITY_ROWS, prefault } from '../src/block/column-store.js';
import { resolveSchema } from '../src/schema/schema.js';
import { viewsOf } from '../src/block/sealed-block.js';

const schema = resolveSchema({
  name: 't',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'px', type: 'float64', nullable: true }, { name: 'ok', type: 'bool' }],
  timeColumn: 'ts',
});

describe('prefault', () => {
  it('grows fresh columns to at least the rows asked for, at most the capacity, and leaves them zero', () => {
    const capacity = 50_000;
    const cols = newColumns(schema, capacity);
    expect(cols[0].values.length).toBe(INITIAL_CAPACITY_ROWS);
    prefault(cols, 30_000, capacity);
    for (const c of cols) {
      expect(c.values.length).toBeGreaterThanOrEqual(30_000); // grown as appends grow it (doubling)
      expect(c.values.length).toBeLessThanOrEqual(capacity);
      expect(new Uint8Array(c.buffer).every((b) => b === 0)).toBe(true);
    }
    expect(cols[2].validity?.values.length).toBe(cols[2].values.length);
    prefault(cols, 1_000_000, capacity); // capped
    for (const c of cols) expect(c.values.length).toBe(capacity);
    prefault(cols, 10, capacity); // never shrinks
    expect(cols[0].values.length).toBe(capacity);
  });

  it('a block on prefaulted columns takes the same rows as one on new columns', () => {
    const n = 20_000;
    const batch = {
      rowCount: n,
      columns: [
        BigInt64Array.from({ length: n }, (_, i) => BigInt(i)),
        Array.from({ length: n }, (_, i) => `s${i % 7}`),
        Float64Array.from({ length: n }, (_, i) => i / 4),
        Uint8Array.from({ length: n }, (_, i) => i % 2),
      ],
      valid: [null, null, Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1)), null],
    };
    const cols = newColumns(schema, 100_000);
    prefault(cols, 60_000, 100_000);
    const given = newActiveBlock(schema, 0, 100_000, cols);
    const plain = newActiveBlock(schema, 0, 100_000);
    writeBatch(given, batch, 0, n);
    writeBatch(plain, batch, 0, n);
    const rows = (b: typeof given) => viewsOf(b, b.rowCount).map((v) => Array.from(v.values as ArrayLike<number | bigint>));
    expect(rows(given)).toEqual(rows(plain));
  });

  it('a new active block refuses columns that do not fit it', () => {
    expect(() => newActiveBlock(schema, 0, 1000, newColumns(schema, 2000))).toThrow(/do not fit/);
    const other = resolveSchema({ name: 't', columns: [{ name: 'ts', type: 'int64' }], timeColumn: 'ts' });
    expect(() => newActiveBlock(schema, 0, 1000, newColumns(other, 1000))).toThrow(/do not fit/);
    const used = newColumns(schema, 1000);
    const sym = used[1];
    if (sym.type === 'string') sym.dictionary.values.push('x');
    expect(() => newActiveBlock(schema, 0, 1000, used)).toThrow(/do not fit/);
    expect(newActiveBlock(schema, 7, 1000, newColumns(schema, 1000)).firstRowSeq).toBe(7);
  });
});
