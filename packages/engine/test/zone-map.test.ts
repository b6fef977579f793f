// Zone maps: built exactly, merged like the union of their ranges, through JSON unchanged,
// and never wrong when they prune (property tests on seeded random data and predicates).
import { describe, expect, it } from 'vitest';
import {
  computeZoneMap, MAX_ZONE_STRINGS, mergeZoneMaps, zoneMapFromJson, zoneMapToJson, type ColumnZone, type ZoneMap,
} from '../src/block/zone-map.js';
import { allMatch, mayMatch } from '../src/query/zone-match.js';
import type { ColumnView } from '../src/column/column-view.js';
import type { Predicate } from '../src/query/predicate.js';
import { INT64_MAX, INT64_MIN, int, pick, randomColumn, randomPredicate, rng, rowMatches, show, valueAt, type Rand } from './oracle.js';

const TYPES = ['int64', 'float64', 'bool', 'string'] as const;

/** -0 and 0 are the same bound (no comparison tells them apart); everything else must be identical. */
function normalized(zm: ZoneMap): ZoneMap {
  return { rowCount: zm.rowCount, columns: zm.columns.map((z) => (z.type === 'float64' ? { ...z, min: z.min === 0 ? 0 : z.min, max: z.max === 0 ? 0 : z.max } : z)) };
}

/** The zone of rows [start, end) computed the slow, obvious way. */
function oracleZone(view: ColumnView, start: number, end: number): ColumnZone {
  const xs = Array.from({ length: end - start }, (_, i) => valueAt(view, start + i));
  switch (view.type) {
    case 'int64': {
      const v = xs as bigint[];
      return { type: 'int64', min: v.reduce((a, b) => (b < a ? b : a)), max: v.reduce((a, b) => (b > a ? b : a)) };
    }
    case 'float64': {
      const v = (xs as number[]).filter((x) => !Number.isNaN(x));
      return { type: 'float64', min: v.length ? Math.min(...v) : Infinity, max: v.length ? Math.max(...v) : -Infinity, hasNaN: v.length < xs.length };
    }
    case 'bool': return { type: 'bool', hasTrue: xs.includes(true), hasFalse: xs.includes(false) };
    case 'string': {
      const v = [...new Set(xs as string[])].sort();
      return { type: 'string', min: v[0], max: v[v.length - 1], values: v.length <= MAX_ZONE_STRINGS ? v : null };
    }
  }
}

function randomViews(r: Rand, n: number): ColumnView[] {
  // Low-cardinality columns now and then, so that zones are narrow and pruning happens.
  return TYPES.map((t) => {
    const v = randomColumn(r, t, n);
    if (r() < 0.4 && n > 0 && v.type !== 'string' && v.type !== 'bool') {
      const few: unknown[] = Array.from({ length: 1 + int(r, 3) }, () => v.values[int(r, n)]);
      if (v.type === 'float64' && r() < 0.3) few.push(NaN);
      for (let i = 0; i < n; i++) (v.values as { [i: number]: unknown })[i] = pick(r, few);
    }
    return v;
  });
}

const roundTrip = (zm: ZoneMap): ZoneMap => zoneMapFromJson(JSON.parse(JSON.stringify(zoneMapToJson(zm))));

describe('computeZoneMap', () => {
  it('equals the obvious per-column summary of every random range', () => {
    const r = rng(21);
    for (let round = 0; round < 300; round++) {
      const n = 1 + int(r, 200);
      const views = randomViews(r, n);
      const start = int(r, n);
      const end = start + 1 + int(r, n - start);
      const zm = computeZoneMap(views, start, end);
      expect(zm.rowCount).toBe(end - start);
      expect(normalized(zm)).toEqual(normalized({ rowCount: end - start, columns: views.map((v) => oracleZone(v, start, end)) }));
    }
  });

  it('int64 bounds are exact at the extremes and across low-word sign bits', () => {
    const hi = 5n << 32n;
    const v = BigInt64Array.from([hi | 0x80000000n, hi | 0x7fffffffn, INT64_MAX, INT64_MIN, (-5n << 32n) | 0xffffffffn]);
    expect(computeZoneMap([{ type: 'int64', values: v }], 0, 2).columns[0]).toEqual({ type: 'int64', min: hi | 0x7fffffffn, max: hi | 0x80000000n });
    expect(computeZoneMap([{ type: 'int64', values: v }], 0, 5).columns[0]).toEqual({ type: 'int64', min: INT64_MIN, max: INT64_MAX });
    expect(computeZoneMap([{ type: 'int64', values: v.subarray(3) }], 1, 2).columns[0]).toEqual({ type: 'int64', min: (-5n << 32n) | 0xffffffffn, max: (-5n << 32n) | 0xffffffffn });
  });

  it('float64: NaN is flagged, not a bound; an all-NaN zone has min Infinity, max -Infinity', () => {
    const v: ColumnView = { type: 'float64', values: Float64Array.from([NaN, 3, -Infinity, NaN]) };
    expect(computeZoneMap([v], 0, 4).columns[0]).toEqual({ type: 'float64', min: -Infinity, max: 3, hasNaN: true });
    expect(computeZoneMap([v], 3, 4).columns[0]).toEqual({ type: 'float64', min: Infinity, max: -Infinity, hasNaN: true });
    expect(computeZoneMap([v], 1, 2).columns[0]).toEqual({ type: 'float64', min: 3, max: 3, hasNaN: false });
  });

  it('strings: only entries present in the range, sorted by JS order; past MAX_ZONE_STRINGS only min/max', () => {
    const dictionary = ['b', '', '🙂', 'ｆ', 'unused', 'a'];
    const v: ColumnView = { type: 'string', values: Int32Array.from([0, 1, 2, 3, 5, 0]), dictionary };
    expect(computeZoneMap([v], 0, 6).columns[0]).toEqual({ type: 'string', min: '', max: 'ｆ', values: ['', 'a', 'b', '🙂', 'ｆ'] });
    // Short strings, so the count cap (not the byte cap, MAX_ZONE_VALUES_BYTES) is what drops the list.
    const many = Array.from({ length: MAX_ZONE_STRINGS + 1 }, (_, i) => String.fromCharCode(0x21 + (i % 90), 0x21 + Math.floor(i / 90)));
    many.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const big: ColumnView = { type: 'string', values: Int32Array.from(many, (_, i) => i), dictionary: many };
    expect(computeZoneMap([big], 0, many.length).columns[0]).toEqual({ type: 'string', min: many[0], max: many[many.length - 1], values: null });
    expect((computeZoneMap([big], 0, MAX_ZONE_STRINGS).columns[0] as { values: string[] }).values).toHaveLength(MAX_ZONE_STRINGS);
  });

  it('an empty range has no zones and matches nothing', () => {
    const zm = computeZoneMap([randomColumn(rng(1), 'int64', 5)], 3, 3);
    expect(zm).toEqual({ rowCount: 0, columns: [] });
    expect(mayMatch(zm, [])).toBe(false);
    expect(allMatch(zm, [])).toBe(false);
  });
});

describe('mergeZoneMaps', () => {
  it('merging the zone maps of consecutive ranges equals the zone map of their union', () => {
    const r = rng(22);
    for (let round = 0; round < 200; round++) {
      const n = 1 + int(r, 300);
      const views = randomViews(r, n);
      const cuts = [0, ...Array.from({ length: int(r, 6) }, () => int(r, n + 1)).sort((a, b) => a - b), n];
      const parts = cuts.slice(1).map((c, i) => computeZoneMap(views, cuts[i], c));
      expect(normalized(mergeZoneMaps(parts))).toEqual(normalized(computeZoneMap(views, 0, n)));
    }
  });

  it('string value lists merge to null once the union passes MAX_ZONE_STRINGS, or when one side is null', () => {
    const s = (values: string[] | null, min = 'a', max = 'z'): ZoneMap => ({ rowCount: 1, columns: [{ type: 'string', min, max, values }] });
    const half = Array.from({ length: 600 }, (_, i) => `a${i}`);
    const other = Array.from({ length: 600 }, (_, i) => `b${i}`);
    expect((mergeZoneMaps([s(half), s(other)]).columns[0] as { values: unknown }).values).toBeNull();
    expect((mergeZoneMaps([s(half), s(half)]).columns[0] as { values: string[] }).values).toHaveLength(600);
    expect((mergeZoneMaps([s(['a']), s(null)]).columns[0] as { values: unknown }).values).toBeNull();
    expect(mergeZoneMaps([])).toEqual({ rowCount: 0, columns: [] });
    expect(mergeZoneMaps([{ rowCount: 0, columns: [] }, s(['q'], 'q', 'q')])).toEqual(s(['q'], 'q', 'q'));
  });
});

describe('JSON form', () => {
  it('round-trips bigints at the extremes and special floats ($f64), and is plain JSON', () => {
    const zm: ZoneMap = {
      rowCount: 3,
      columns: [
        { type: 'int64', min: INT64_MIN, max: INT64_MAX },
        { type: 'float64', min: Infinity, max: -Infinity, hasNaN: true },
        { type: 'float64', min: NaN, max: NaN, hasNaN: false },
        { type: 'float64', min: -Number.MAX_VALUE, max: Number.MIN_VALUE, hasNaN: false },
        { type: 'bool', hasTrue: true, hasFalse: false },
        { type: 'string', min: '', max: '🙂', values: ['', '$int64', '{"$f64":"NaN"}', '🙂'] },
        { type: 'string', min: '$f64', max: '$int64', values: null },
      ],
    };
    const json = zoneMapToJson(zm);
    const text = JSON.stringify(json);
    expect(text).toContain('"$f64":"Infinity"');
    expect(text).toContain('"$f64":"-Infinity"');
    expect(text).toContain('"$f64":"NaN"');
    expect(text).toContain(`"$int64":"${INT64_MIN}"`);
    expect(roundTrip(zm)).toEqual(zm);
  });

  it('random zone maps survive the round trip, and prune the same afterwards', () => {
    const r = rng(23);
    for (let round = 0; round < 80; round++) {
      const n = 1 + int(r, 100);
      const views = randomViews(r, n);
      const zm = computeZoneMap(views, 0, n);
      const back = roundTrip(zm);
      expect(normalized(back)).toEqual(normalized(zm));
      for (let q = 0; q < 10; q++) {
        const preds = Array.from({ length: 1 + int(r, 3) }, () => { const c = int(r, views.length); return randomPredicate(r, views[c], c, n); });
        expect(mayMatch(back, preds), preds.map(show).join(' AND ')).toBe(mayMatch(zm, preds));
        expect(allMatch(back, preds), preds.map(show).join(' AND ')).toBe(allMatch(zm, preds));
      }
    }
  });
});

describe('mayMatch / allMatch are never wrong', () => {
  /** Checks one zone map against the rows it covers; returns how often each verdict was decisive. */
  function check(views: ColumnView[], start: number, end: number, zm: ZoneMap, preds: Predicate[]): [number, number] {
    let matching = 0;
    for (let i = start; i < end; i++) if (rowMatches(views, preds, i)) matching++;
    const may = mayMatch(zm, preds);
    const all = allMatch(zm, preds);
    // The message is built only on failure: these checks run tens of thousands of times.
    if ((!may && matching > 0) || (all && (matching !== end - start || !may))) {
      const msg = `${preds.map(show).join(' AND ')} over ${JSON.stringify(zoneMapToJson(zm))}`;
      expect({ may, all, matching, rows: end - start }, msg).toEqual({ may: matching > 0, all: matching === end - start, matching, rows: end - start });
    }
    return [may ? 0 : 1, all ? 1 : 0];
  }

  for (const [label, maxRows, seed, rounds] of [['short ranges', 12, 31, 250], ['long ranges', 400, 32, 120]] as const) {
    it(`random data and random predicates, ${label}: direct, merged and JSON round-tripped zone maps`, () => {
      const r = rng(seed);
      let pruned = 0;
      let proven = 0;
      for (let round = 0; round < rounds; round++) {
        const n = 1 + int(r, maxRows);
        const views = randomViews(r, n);
        const start = int(r, n);
        const end = start + 1 + int(r, n - start);
        const mid = start + int(r, end - start + 1);
        const direct = computeZoneMap(views, start, end);
        const merged = mergeZoneMaps([computeZoneMap(views, start, mid), computeZoneMap(views, mid, end)]);
        for (let q = 0; q < 8; q++) {
          const preds = Array.from({ length: 1 + int(r, 3) }, () => { const c = int(r, views.length); return randomPredicate(r, views[c], c, n); });
          for (const zm of [direct, merged, roundTrip(direct)]) {
            const [p, a] = check(views, start, end, zm, preds);
            pruned += p;
            proven += a;
          }
        }
      }
      // Not vacuous: both verdicts were decisive many times.
      expect(pruned).toBeGreaterThan(rounds);
      expect(proven).toBeGreaterThan(rounds);
    });
  }

  it('string zones without a value list (more than MAX_ZONE_STRINGS distinct) fall back to min/max safely', () => {
    const r = rng(33);
    const dictionary = Array.from({ length: MAX_ZONE_STRINGS + 200 }, (_, i) => `${pick(r, ['', 'a', 'é', '日', '🙂'])}${i}`);
    const views: ColumnView[] = [{ type: 'string', values: Int32Array.from(dictionary, (_, i) => i), dictionary }];
    const zm = computeZoneMap(views, 0, dictionary.length);
    expect((zm.columns[0] as { values: unknown }).values).toBeNull();
    for (let q = 0; q < 300; q++) check(views, 0, dictionary.length, zm, [randomPredicate(r, views[0], 0, dictionary.length)]);
  });

  it('a value list makes string == / != and bool predicates exact for one predicate', () => {
    const r = rng(34);
    for (let round = 0; round < 300; round++) {
      const n = 1 + int(r, 20);
      const views = [randomColumn(r, 'string', n), randomColumn(r, 'bool', n)];
      const zm = computeZoneMap(views, 0, n);
      const c = int(r, 2);
      const p = randomPredicate(r, views[c], c, n);
      if (p.type === 'string' && p.op !== '==' && p.op !== '!=') continue;
      let any = false;
      let every = true;
      for (let i = 0; i < n; i++) { const m = rowMatches(views, [p], i); any ||= m; every &&= m; }
      expect(mayMatch(zm, [p]), show(p)).toBe(any);
      expect(allMatch(zm, [p]), show(p)).toBe(every);
    }
  });

  it('float64 zones: NaN rows match only != ; -0 and 0 are one value', () => {
    const z = (min: number, max: number, hasNaN: boolean): ZoneMap => ({ rowCount: 2, columns: [{ type: 'float64', min, max, hasNaN }] });
    const p = (op: Predicate['op'], value: number): Predicate[] => [{ column: 0, type: 'float64', op, value }];
    const allNaN = z(Infinity, -Infinity, true);
    for (const op of ['==', '>', '>=', '<', '<='] as const) expect(mayMatch(allNaN, p(op, 1)), op).toBe(false);
    expect(allMatch(allNaN, p('!=', 1))).toBe(true);
    expect(mayMatch(z(5, 5, true), p('!=', 5))).toBe(true);
    expect(allMatch(z(5, 5, true), p('==', 5))).toBe(false);
    expect(allMatch(z(1, 2, true), p('>', 0))).toBe(false);
    expect(mayMatch(z(-0, -0, false), p('!=', 0))).toBe(false);
    expect(allMatch(z(-0, 0, false), p('==', 0))).toBe(true);
    expect(allMatch(z(1, 2, false), p('!=', NaN))).toBe(true);
    expect(mayMatch(z(1, 2, false), p('==', NaN)) && allMatch(z(1, 2, false), p('==', NaN))).toBe(false);
  });
});
