// Zone maps of nullable columns: null counts per zone, min/max over the non-null values only,
// an all-null zone with none; merges and JSON (old zone maps read as 0 nulls); pruning and
// the planner's known rows — isNull/isNotNull decided by the counts, a null row never
// counted as matching a comparison.
import { describe, expect, it } from 'vitest';
import { computeZoneMap, mergeZoneMaps, zoneMapFromJson, zoneMapToJson, zoneNulls, capZoneMap } from '../src/block/zone-map.js';
import { allMatch, mayMatch } from '../src/query/zone-match.js';
import { compilePredicate } from '../src/query/predicate.js';
import { planBlockRead, type DecodedBlockLookup } from '../src/query/read-plan.js';
import type { RowGroupZone, SealedBlock } from '../src/block/sealed-block.js';
import type { ColumnView } from '../src/column/column-view.js';
import { resolveSchema } from '../src/schema/schema.js';

const schema = resolveSchema({
  name: 'z', timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'x', type: 'float64', nullable: true }, { name: 's', type: 'string', nullable: true }, { name: 'n', type: 'int64', nullable: true }, { name: 'b', type: 'bool', nullable: true }],
});

// 6 rows in 3 row groups of 2. x: [null, 5 | 7, 8 | null, null]; s: ['a', null | 'b', 'c' | null, 'a'].
const valid = { x: Uint8Array.from([0, 1, 1, 1, 0, 0]), s: Uint8Array.from([1, 0, 1, 1, 0, 1]) };
const views: ColumnView[] = [
  { type: 'int64', values: BigInt64Array.from([0n, 1n, 2n, 3n, 4n, 5n]) },
  // The null slots hold 0 (or the code of ''): min/max must not see them.
  { type: 'float64', values: Float64Array.from([0, 5, 7, 8, 0, 0]), valid: valid.x },
  { type: 'string', values: Int32Array.from([1, 0, 2, 3, 0, 1]), dictionary: ['', 'a', 'b', 'c'], valid: valid.s },
  { type: 'int64', values: BigInt64Array.from([0n, 0n, 0n, 0n, 0n, 0n]), valid: new Uint8Array(6) },
  { type: 'bool', values: Uint8Array.from([1, 1, 1, 1, 1, 0]) },
];
const groups: RowGroupZone[] = [0, 2, 4].map((first) => ({ firstRow: first, zoneMap: computeZoneMap(views, first, first + 2) }));
const p = (c: string, op: string, v?: unknown) => compilePredicate(schema, c, op, v);

describe('zone maps with nulls', () => {
  it('count nulls and take min/max over the non-null values', () => {
    const zm = computeZoneMap(views, 0, 6);
    expect(zm.columns[1]).toEqual({ type: 'float64', min: 5, max: 8, hasNaN: false, nulls: 3 });
    expect(zm.columns[2]).toEqual({ type: 'string', min: 'a', max: 'c', values: ['a', 'b', 'c'], nulls: 2 });
    expect(zm.columns[3]).toEqual({ type: 'allNull', nulls: 6 });
    expect(zm.columns[4]).toEqual({ type: 'bool', hasTrue: true, hasFalse: true });
    expect(groups[2].zoneMap.columns[1]).toEqual({ type: 'allNull', nulls: 2 });
  });

  it('merge like a direct computation; JSON round-trips; old zone maps read as 0 nulls', () => {
    const merged = mergeZoneMaps(groups.map((g) => g.zoneMap));
    expect(merged).toEqual(computeZoneMap(views, 0, 6));
    expect(capZoneMap(zoneMapFromJson(zoneMapToJson(merged)))).toEqual(merged);
    const old = zoneMapFromJson({ rowCount: 2, columns: [{ type: 'int64', min: { $int64: '1' }, max: { $int64: '2' } }] });
    expect(zoneNulls(old.columns[0])).toBe(0);
    expect(mayMatch(old, [p('ts', 'isNull')])).toBe(false);
    expect(allMatch(old, [p('ts', 'isNotNull')])).toBe(true);
  });

  it('prune by null counts; comparisons never match a null', () => {
    const [g0, g1, g2] = groups.map((g) => g.zoneMap);
    expect([g0, g1, g2].map((z) => mayMatch(z, [p('x', 'isNull')]))).toEqual([true, false, true]);
    expect([g0, g1, g2].map((z) => mayMatch(z, [p('x', 'isNotNull')]))).toEqual([true, true, false]);
    // An all-null zone skips every comparison, even one its 0 slots would satisfy.
    expect([g0, g1, g2].map((z) => mayMatch(z, [p('x', '<=', 0)]))).toEqual([false, false, false]);
    expect([g0, g1, g2].map((z) => mayMatch(z, [p('x', '!=', 1)]))).toEqual([true, true, false]);
    expect([g0, g1, g2].map((z) => allMatch(z, [p('x', 'isNull')]))).toEqual([false, false, true]);
    expect([g0, g1, g2].map((z) => allMatch(z, [p('x', 'isNotNull')]))).toEqual([false, true, false]);
    // Every non-null x of group 0 is > 1, but its null row is not: not all rows match.
    expect([g0, g1, g2].map((z) => allMatch(z, [p('x', '>', 1)]))).toEqual([false, true, false]);
    expect(allMatch(g0, [p('s', '==', 'a')])).toBe(false);
  });

  it('the planner counts known rows without any null row', () => {
    const block: SealedBlock = {
      id: 0, firstRowSeq: 0, rowCount: 6, minTime: 0n, maxTime: 5n, raw: null, zoneMap: mergeZoneMaps(groups.map((g) => g.zoneMap)), rowGroups: groups,
      parquet: new Uint8Array(8), file: null, sizeBytes: 8, checksum: 0, layout: null,
    };
    const cache: DecodedBlockLookup = { enabled: false, get: () => undefined, admit: () => false };
    const count = (preds: ReturnType<typeof p>[]) => planBlockRead(block, { predicates: preds, projection: [], countOnly: true, timeColumn: 0 }, cache, 5);
    expect(count([p('n', 'isNull')])).toEqual({ kind: 'known', rows: 6 });
    expect(count([p('n', 'isNotNull')])).toEqual({ kind: 'skip' });
    expect(count([p('n', '==', 0)])).toEqual({ kind: 'skip' });
    const gt = count([p('x', '>', 1)]);
    expect(gt.kind).toBe('scan');
    if (gt.kind === 'scan') expect([gt.rowGroups, gt.knownRows]).toEqual([[0], 2]);
    const isNull = count([p('x', 'isNull')]);
    if (isNull.kind === 'scan') expect([isNull.rowGroups, isNull.knownRows]).toEqual([[0], 2]);
    else throw new Error(`expected a scan, got ${isNull.kind}`);
  });
});
