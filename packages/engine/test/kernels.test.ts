// The filter kernels against a plain-JS oracle: every operator on every type, edge values
// first, then seeded random data; chained selections; the binary search on the time column.
import { describe, expect, it } from 'vitest';
import {
  applyPredicate, filterBool, filterDictionary, filterFloat64, filterInt64, firstPass, fullSelection, lowerBound, scratchSelection, timeRange,
} from '../src/query/kernels.js';
import type { ColumnView } from '../src/column/column-view.js';
import type { CompareOp, Predicate, PredicateValue } from '../src/query/predicate.js';
import {
  FLOAT_EDGES, INT64_EDGES, INT64_MAX, INT64_MIN, OPS, STRING_EDGES, int, jsCompare, pick, randomColumn, randomFloat, randomInt64, randomPredicate, rng, rowMatches, show, valueAt,
} from './oracle.js';

const identity = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => i);
/** Rows of `sel` (a subset of [0, n)) for which `keep` holds: what a kernel must return. */
const expected = (sel: ArrayLike<number>, keep: (i: number) => boolean): number[] => Array.from(sel).filter(keep);
const run = (sel: Uint32Array, k: (s: Uint32Array, n: number) => number): number[] => {
  const s = sel.slice();
  return Array.from(s.subarray(0, k(s, s.length)));
};
/** Every other row, then a random subset: kernels must honour a sparse selection. */
function sparse(n: number, seed: number): Uint32Array {
  const r = rng(seed);
  return Uint32Array.from(identity(n).filter(() => r() < 0.4));
}

describe('filterInt64', () => {
  const r = rng(1);
  // Every edge value appears (several times), next to random ones.
  const values = BigInt64Array.from([...INT64_EDGES, ...INT64_EDGES, ...Array.from({ length: 300 }, () => randomInt64(r))]);
  const constants = [...INT64_EDGES, ...Array.from({ length: 40 }, () => randomInt64(r))];
  for (const op of OPS) {
    it(`${op} agrees with BigInt comparison for edge and random constants`, () => {
      for (const sel of [identity(values.length), sparse(values.length, 2)]) {
        for (const c of constants) {
          const got = run(sel, (s, n) => filterInt64(values, op, c, s, n));
          expect(got, `x ${op} ${c}n`).toEqual(expected(sel, (i) => jsCompare(op, values[i], c)));
        }
      }
    });
  }

  it('>= INT64_MIN keeps every row and <= INT64_MAX keeps every row; > MAX and < MIN keep none', () => {
    const sel = identity(values.length);
    expect(run(sel, (s, n) => filterInt64(values, '>=', INT64_MIN, s, n))).toHaveLength(values.length);
    expect(run(sel, (s, n) => filterInt64(values, '<=', INT64_MAX, s, n))).toHaveLength(values.length);
    expect(run(sel, (s, n) => filterInt64(values, '>', INT64_MAX, s, n))).toEqual([]);
    expect(run(sel, (s, n) => filterInt64(values, '<', INT64_MIN, s, n))).toEqual([]);
  });

  it('reads a view that starts mid-buffer (a slice of shared column memory)', () => {
    const backing = new BigInt64Array(values.length + 7);
    backing.set(values, 5);
    backing.fill(INT64_MAX, 0, 5);
    const view = backing.subarray(5, 5 + values.length);
    for (const op of OPS) {
      for (const c of [(5n << 32n) | 0x80000000n, -1n, 0n, INT64_MIN]) {
        const sel = identity(view.length);
        expect(run(sel, (s, n) => filterInt64(view, op, c, s, n)), `${op} ${c}`).toEqual(expected(sel, (i) => jsCompare(op, values[i], c)));
      }
    }
  });

  it('values differing only in the low word (sign bit set) or only in the high word order correctly', () => {
    const hi = 5n << 32n;
    const v = BigInt64Array.from([hi | 0x7fffffffn, hi | 0x80000000n, hi | 0xffffffffn, (6n << 32n) | 0n, (4n << 32n) | 0xffffffffn]);
    const sel = identity(v.length);
    expect(run(sel, (s, n) => filterInt64(v, '>', hi | 0x7fffffffn, s, n))).toEqual([1, 2, 3]);
    expect(run(sel, (s, n) => filterInt64(v, '<', hi | 0x80000000n, s, n))).toEqual([0, 4]);
    expect(run(sel, (s, n) => filterInt64(v, '==', hi | 0xffffffffn, s, n))).toEqual([2]);
    expect(run(sel, (s, n) => filterInt64(v, '!=', (6n << 32n) | 0n, s, n))).toEqual([0, 1, 2, 4]);
    expect(run(sel, (s, n) => filterInt64(v, '>=', (6n << 32n) | 0n, s, n))).toEqual([3]);
    expect(run(sel, (s, n) => filterInt64(v, '<=', (4n << 32n) | 0xffffffffn, s, n))).toEqual([4]);
  });
});

describe('filterFloat64', () => {
  const r = rng(3);
  const values = Float64Array.from([...FLOAT_EDGES, ...FLOAT_EDGES, ...Array.from({ length: 300 }, () => randomFloat(r))]);
  const constants = [...FLOAT_EDGES, ...Array.from({ length: 30 }, () => randomFloat(r))];
  for (const op of OPS) {
    it(`${op} agrees with JS number comparison (NaN, -0, ±Infinity included)`, () => {
      for (const sel of [identity(values.length), sparse(values.length, 4)]) {
        for (const c of constants) {
          const got = run(sel, (s, n) => filterFloat64(values, op, c, s, n));
          expect(got, `x ${op} ${c}`).toEqual(expected(sel, (i) => jsCompare(op, values[i], c)));
        }
      }
    });
  }

  it('NaN matches only != (as a row and as a constant); -0 equals 0', () => {
    const v = Float64Array.from([NaN, 0, -0, 1]);
    const sel = identity(4);
    for (const op of ['==', '>', '>=', '<', '<='] as const) {
      expect(run(sel, (s, n) => filterFloat64(v, op, NaN, s, n)), `x ${op} NaN`).toEqual([]);
      expect(run(sel, (s, n) => filterFloat64(v, op, 0, s, n)), `x ${op} 0`).not.toContain(0);
    }
    expect(run(sel, (s, n) => filterFloat64(v, '!=', NaN, s, n))).toEqual([0, 1, 2, 3]);
    expect(run(sel, (s, n) => filterFloat64(v, '!=', 1, s, n))).toEqual([0, 1, 2]);
    expect(run(sel, (s, n) => filterFloat64(v, '==', -0, s, n))).toEqual([1, 2]);
    expect(run(sel, (s, n) => filterFloat64(v, '<', 0, s, n))).toEqual([]);
  });
});

describe('filterBool', () => {
  const v = Uint8Array.from([1, 0, 0, 1, 1, 0, 1]);
  for (const op of ['==', '!='] as const) {
    for (const c of [true, false]) {
      it(`${op} ${c}`, () => {
        for (const sel of [identity(v.length), Uint32Array.from([0, 2, 3, 6])]) {
          expect(run(sel, (s, n) => filterBool(v, op, c, s, n))).toEqual(expected(sel, (i) => jsCompare(op, v[i] === 1, c)));
        }
      });
    }
  }
});

describe('filterDictionary', () => {
  const r = rng(5);
  // Dictionary order is arbitrary (insertion order), and some entries are never used.
  const dictionary = [...STRING_EDGES].reverse();
  const codes = Int32Array.from({ length: 400 }, () => int(r, dictionary.length - 3));
  const constants = [...STRING_EDGES, 'not in the dictionary', 'aa', '日', '🙂b', '\u0000\u0000'];
  for (const op of OPS) {
    it(`${op} agrees with JS string comparison (empty, non-ASCII, astral, absent constants)`, () => {
      for (const sel of [identity(codes.length), sparse(codes.length, 6)]) {
        for (const c of constants) {
          const got = run(sel, (s, n) => filterDictionary(codes, dictionary, op, c, s, n));
          expect(got, `s ${op} ${JSON.stringify(c)}`).toEqual(expected(sel, (i) => jsCompare(op, dictionary[codes[i]], c)));
        }
      }
    });
  }

  it('an entry that matches but is never used selects nothing', () => {
    const unused = dictionary[dictionary.length - 1];
    expect(Array.from(codes).some((c) => dictionary[c] === unused)).toBe(false);
    expect(run(identity(codes.length), (s, n) => filterDictionary(codes, dictionary, '==', unused, s, n))).toEqual([]);
  });
});

const TYPES = ['int64', 'float64', 'bool', 'string'] as const;

describe('firstPass and applyPredicate', () => {
  it('firstPass builds the selection of float64 and string columns directly; null for int64 and bool', () => {
    const r = rng(7);
    for (let round = 0; round < 200; round++) {
      const n = int(r, 300);
      const type = pick(r, TYPES);
      const view = randomColumn(r, type, n);
      const p = randomPredicate(r, view, 0, n);
      const got = firstPass(view, p, n);
      if (type === 'int64' || type === 'bool') { expect(got).toBeNull(); continue; }
      expect(got).not.toBeNull();
      const { sel, count } = got as { sel: Uint32Array; count: number };
      expect(Array.from(sel.subarray(0, count)), show(p)).toEqual(expected(identity(n), (i) => rowMatches([view], [p], i)));
    }
  });

  it('applyPredicate dispatches every type to its kernel', () => {
    const r = rng(8);
    for (let round = 0; round < 200; round++) {
      const n = int(r, 300);
      const view = randomColumn(r, pick(r, TYPES), n);
      const p = randomPredicate(r, view, 0, n);
      const sel = sparse(n, round);
      expect(run(sel, (s, k) => applyPredicate(view, p, s, k)), show(p)).toEqual(expected(sel, (i) => rowMatches([view], [p], i)));
    }
  });

  it('chained predicates over four columns narrow one selection to exactly the rows matching all of them', () => {
    const r = rng(9);
    for (let round = 0; round < 150; round++) {
      const n = 1 + int(r, 2000);
      const views: ColumnView[] = TYPES.map((t) => randomColumn(r, t, n));
      const preds: Predicate[] = Array.from({ length: 1 + int(r, 5) }, () => { const c = int(r, views.length); return randomPredicate(r, views[c], c, n); });
      // The scan's order: a direct first pass when the first column has one, else the identity.
      const first = firstPass(views[preds[0].column], preds[0], n);
      let sel: Uint32Array;
      let k: number;
      let rest = preds;
      if (first !== null) { sel = first.sel; k = first.count; rest = preds.slice(1); } else { sel = fullSelection(n); k = n; }
      for (const p of rest) k = applyPredicate(views[p.column], p, sel, k);
      expect(Array.from(sel.subarray(0, k)), preds.map(show).join(' AND ')).toEqual(expected(identity(n), (i) => rowMatches(views, preds, i)));
    }
  });

  it('fullSelection is the identity at every size, also past the scratch buffer it grew from', () => {
    for (const n of [0, 1, 65_535, 65_536, 200_001]) {
      const sel = fullSelection(n);
      expect(sel.length).toBe(n);
      let ok = true;
      for (let i = 0; i < n; i++) if (sel[i] !== i) ok = false;
      expect(ok).toBe(true);
    }
    expect(scratchSelection(10).length).toBe(10);
  });
});

describe('time column: lowerBound and timeRange', () => {
  /** Non-decreasing times with duplicates and, sometimes, the int64 extremes at the ends. */
  function times(r: () => number, n: number): BigInt64Array {
    const t = new BigInt64Array(n);
    let v = r() < 0.3 ? INT64_MIN : BigInt(int(r, 1000) - 500) * 1_000_000_007n;
    for (let i = 0; i < n; i++) { t[i] = v; if (r() < 0.6) v += BigInt(int(r, 5)) * (r() < 0.1 ? 2n ** 33n : 1n); }
    if (n > 0 && r() < 0.3) t[n - 1] = INT64_MAX;
    return t;
  }

  it('lowerBound is the first index with time >= t (or > t when strict)', () => {
    const r = rng(10);
    for (let round = 0; round < 300; round++) {
      const t = times(r, int(r, 60));
      const lo = int(r, t.length + 1);
      const hi = lo + int(r, t.length - lo + 1);
      const c = t.length > 0 && r() < 0.7 ? t[int(r, t.length)] + BigInt(int(r, 3) - 1) : randomInt64(r);
      for (const strict of [false, true]) {
        let want = lo;
        while (want < hi && (strict ? t[want] <= c : t[want] < c)) want++;
        expect(lowerBound(t, lo, hi, c, strict)).toBe(want);
      }
    }
  });

  it('timeRange narrows [start, end) to exactly the rows the range predicates keep (!= is left to the kernels)', () => {
    const r = rng(11);
    const timeColumn = 2;
    for (let round = 0; round < 400; round++) {
      const t = times(r, int(r, 80));
      const start = int(r, t.length + 1);
      const end = start + int(r, t.length - start + 1);
      const preds: Predicate[] = Array.from({ length: 1 + int(r, 3) }, () => {
        const op: CompareOp = pick(r, OPS);
        const value = t.length > 0 && r() < 0.7 ? t[int(r, t.length)] + BigInt(int(r, 3) - 1) : pick(r, [INT64_MIN, INT64_MAX, randomInt64(r)]);
        return { column: r() < 0.85 ? timeColumn : 0, type: 'int64', op, value: BigInt.asIntN(64, value) };
      });
      const [lo, hi] = timeRange(t, start, end, timeColumn, preds);
      const ranged = preds.filter((p) => p.column === timeColumn && p.op !== '!=');
      const want = expected(identity(t.length).subarray(start, end), (i) => ranged.every((p) => jsCompare(p.op as CompareOp, t[i], p.value as PredicateValue)));
      const msg = `${preds.map(show).join(' AND ')} over [${start}, ${end}) of ${Array.from(t).join(',')}`;
      expect(hi, msg).toBeGreaterThanOrEqual(lo);
      if (want.length === 0) expect(hi - lo, msg).toBe(0);
      else expect([lo, hi], msg).toEqual([want[0], want[want.length - 1] + 1]);
      expect(lo, msg).toBeGreaterThanOrEqual(start);
      expect(hi, msg).toBeLessThanOrEqual(end);
    }
  });

  it('== on the time column selects exactly the run of equal times', () => {
    const t = BigInt64Array.from([1n, 2n, 2n, 2n, 3n, INT64_MAX, INT64_MAX]);
    expect(timeRange(t, 0, 7, 0, [{ column: 0, type: 'int64', op: '==', value: 2n }])).toEqual([1, 4]);
    expect(timeRange(t, 0, 7, 0, [{ column: 0, type: 'int64', op: '==', value: INT64_MAX }])).toEqual([5, 7]);
    expect(timeRange(t, 0, 7, 0, [{ column: 0, type: 'int64', op: '>', value: INT64_MAX }])).toEqual([7, 7]);
    const [lo, hi] = timeRange(t, 0, 7, 0, [{ column: 0, type: 'int64', op: '>', value: 2n }, { column: 0, type: 'int64', op: '<', value: 2n }]);
    expect(hi - lo).toBe(0);
  });
});

// The oracle itself: the kernels are only as right as what they are compared with.
it('oracle sanity: valueAt reads strings through the dictionary and bools as booleans', () => {
  expect(valueAt({ type: 'string', values: Int32Array.from([1]), dictionary: ['a', 'b'] }, 0)).toBe('b');
  expect(valueAt({ type: 'bool', values: Uint8Array.from([1]) }, 0)).toBe(true);
});
