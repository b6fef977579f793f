// Aggregate partials from zone maps: given only when the zone proves them exactly.
import { describe, expect, it } from 'vitest';
import { zonePartial } from '../src/query/zone-aggregate.js';
import type { ColumnZone, ZoneMap } from '../src/block/zone-map.js';
import type { AggregateRequest } from '../src/query/aggregate.js';
import type { Predicate } from '../src/query/predicate.js';

const time: ColumnZone = { type: 'int64', min: 10n, max: 19n };
const zone = (cols: ColumnZone[], rows = 5): ZoneMap => ({ rowCount: rows, columns: [time, ...cols] });
const agg = (values: AggregateRequest['values'], by: number[] = [], every: bigint | null = null, origin = 0n): AggregateRequest => ({ every, origin, by, values });
const sym = (values: string[] | null): ColumnZone => ({ type: 'string', min: values?.[0] ?? 'a', max: values?.at(-1) ?? null, values });
const price = (min: number, max: number, hasNaN = false): ColumnZone => ({ type: 'float64', min, max, hasNaN });

describe('zonePartial', () => {
  it('gives count, min and max of a zone in one bucket with one key', () => {
    const p = zonePartial(zone([sym(['x']), price(1.5, 9)]), 10n, 19n, agg([{ fn: 'count', column: null }, { fn: 'min', column: 2 }, { fn: 'max', column: 2 }], [1], 10n), [], []);
    expect(p).toEqual({ bucket: 10n, key: ['x'], rows: 5, states: [null, 1.5, 9] });
  });
  it('floors buckets for negative times and refuses a zone spanning two buckets', () => {
    expect(zonePartial(zone([]), -7n, -1n, agg([{ fn: 'count', column: null }], [], 10n), [], [])?.bucket).toBe(-10n);
    expect(zonePartial(zone([]), -7n, 1n, agg([{ fn: 'count', column: null }], [], 10n), [], [])).toBeNull();
  });
  it('refuses keys with several values or unknown values', () => {
    expect(zonePartial(zone([sym(['x', 'y'])]), 10n, 19n, agg([{ fn: 'count', column: null }], [1]), [], [])).toBeNull();
    expect(zonePartial(zone([sym(null)]), 10n, 19n, agg([{ fn: 'count', column: null }], [1]), [], [])).toBeNull();
    expect(zonePartial(zone([{ type: 'bool', hasTrue: true, hasFalse: true }]), 10n, 19n, agg([{ fn: 'count', column: null }], [1]), [], [])).toBeNull();
    expect(zonePartial(zone([{ type: 'bool', hasTrue: true, hasFalse: false }]), 10n, 19n, agg([{ fn: 'count', column: null }], [1]), [], [])?.key).toEqual([true]);
  });
  it('refuses what bounds cannot prove: NaN, a zero float bound, a float sum, first of several values, cut string bounds', () => {
    const one = (z: ColumnZone, fn: AggregateRequest['values'][number]['fn']) => zonePartial(zone([z]), 10n, 19n, agg([{ fn, column: 1 }]), [], []);
    expect(one(price(1, 2, true), 'min')).toBeNull();
    expect(one(price(0, 2), 'min')).toBeNull();
    expect(one(price(-1, 0), 'max')).toBeNull();
    expect(one(price(3, 3), 'sum')).toBeNull();
    expect(one(price(1, 2), 'first')).toBeNull();
    expect(one(price(3, 3), 'last')?.states).toEqual([3]);
    expect(one(sym(null), 'min')).toBeNull();
    expect(one({ type: 'int64', min: 4n, max: 4n }, 'sum')?.states).toEqual([20n]);
    expect(one({ type: 'int64', min: 4n, max: 5n }, 'avg')).toBeNull();
  });
  it('refuses when a filter is not proven for every row, and nullable columns', () => {
    const p: Predicate = { column: 0, type: 'int64', op: '>=', value: 15n };
    expect(zonePartial(zone([]), 10n, 19n, agg([{ fn: 'count', column: null }]), [p], [])).toBeNull();
    expect(zonePartial(zone([]), 10n, 19n, agg([{ fn: 'count', column: null }]), [{ ...p, value: 10n }], [])?.rows).toBe(5);
    expect(zonePartial(zone([price(1, 2)]), 10n, 19n, agg([{ fn: 'max', column: 1 }]), [], [false, true])).toBeNull();
  });
});
