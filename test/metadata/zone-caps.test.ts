// Issue 9 item 4: string zone maps are capped in bytes (distinct sets and min/max), and the
// capped zones still never rule out a row group that has a match.
import { describe, expect, it } from 'vitest';
import {
  allMatch, computeZoneMap, mayMatch, mergeZoneMaps, MAX_ZONE_BOUND_CHARS, MAX_ZONE_VALUES_BYTES, zoneMapFromJson, zoneMapToJson,
  type ColumnView, type Predicate,
} from '@backtracedb/engine';

function view(strings: string[]): ColumnView {
  const dictionary = [...new Set(strings)];
  const values = new Int32Array(strings.map((s) => dictionary.indexOf(s)));
  return { type: 'string', values, dictionary };
}

function rand(seed: number): () => number {
  let a = seed;
  return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

const OPS: Predicate['op'][] = ['==', '!=', '<', '<=', '>', '>='];
const test = (op: Predicate['op'], a: string, b: string) => (op === '==' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b);

describe('string zone caps', () => {
  it('distinct values are capped by total bytes, and long min/max by length', () => {
    const long = Array.from({ length: 50 }, (_, i) => `${String(i).padStart(3, '0')}${'y'.repeat(40_000)}`);
    const zm = computeZoneMap([view(long)], 0, long.length);
    const json = JSON.stringify(zoneMapToJson(zm));
    expect(json.length).toBeLessThan(MAX_ZONE_VALUES_BYTES + 4 * MAX_ZONE_BOUND_CHARS + 200);
    const z = zm.columns[0];
    expect(z.type === 'string' && z.values).toBe(null);
    // Small sets stay exact.
    const small = computeZoneMap([view(['b', 'a', 'c', 'a'])], 0, 4).columns[0];
    expect(small).toEqual({ type: 'string', min: 'a', max: 'c', values: ['a', 'b', 'c'] });
  });

  it('capped zones never rule out a group with a match, and "all match" stays true to the rows', () => {
    const next = rand(7);
    let capped = 0;
    const alphabet = ['a', 'b', 'z', '\uffff', '\ud83d\ude00', 'é'];
    const str = () => {
      const n = next() < 0.5 ? 60 + Math.floor(next() * 20) : Math.floor(next() * 4);
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * (i < 62 ? 2 : alphabet.length))];
      return s;
    };
    for (let round = 0; round < 120; round++) {
      // Up to 70 strings of up to 80 characters: past the byte cap about half the time.
      const groups = [0, 1].map(() => Array.from({ length: 1 + Math.floor(next() * (round % 2 === 0 ? 6 : 70)) }, str));
      const parts = groups.map((g) => computeZoneMap([view(g)], 0, g.length));
      const merged = zoneMapFromJson(zoneMapToJson(mergeZoneMaps(parts)));
      const all = groups.flat();
      const probes = [...all.slice(0, 8), ...all.slice(0, 8).map((s) => s.slice(0, MAX_ZONE_BOUND_CHARS)), ...all.slice(0, 8).map((s) => `${s}a`), str(), ''];
      if (round % 2 === 1) capped += mergeZoneMaps(parts).columns[0].type === 'string' && (mergeZoneMaps(parts).columns[0] as { values: unknown }).values === null ? 1 : 0;
      for (const c of probes) {
        for (const op of OPS) {
          const p: Predicate = { column: 0, type: 'string', op, value: c };
          const any = all.some((s) => test(op, s, c));
          const every = all.every((s) => test(op, s, c));
          if (any) expect({ op, c, may: mayMatch(merged, [p]) }).toEqual({ op, c, may: true });
          if (allMatch(merged, [p])) expect({ op, c, every }).toEqual({ op, c, every: true });
          groups.forEach((g, i) => {
            if (g.some((s) => test(op, s, c))) expect(mayMatch(parts[i], [p])).toBe(true);
          });
        }
      }
    }
    expect(capped).toBeGreaterThan(10);
  });

  it('a max made only of U+FFFF past the cap has no upper bound, and still matches', () => {
    const s = '\uffff'.repeat(MAX_ZONE_BOUND_CHARS + 5);
    const zm = computeZoneMap([view([s, 'a'])], 0, 2);
    const z = zm.columns[0];
    expect(z.type === 'string' ? z.max : 'x').toBe(null);
    expect(mayMatch(zm, [{ column: 0, type: 'string', op: '>', value: '\uffff'.repeat(MAX_ZONE_BOUND_CHARS + 1) }])).toBe(true);
    expect(mayMatch(zm, [{ column: 0, type: 'string', op: '<', value: 'a' }])).toBe(false);
  });
});
