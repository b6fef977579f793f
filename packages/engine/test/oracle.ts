// Shared by the engine's unit tests: a seeded generator of column data and predicates, and
// a plain-JS oracle of the filter semantics (JS operators: NaN equals nothing, -0 == 0).
import { seededRandom } from '../src/util/seeded-random.js';
import type { ColumnView } from '../src/column/column-view.js';
import type { CompareOp, Predicate, PredicateValue } from '../src/query/predicate.js';

export const OPS: readonly CompareOp[] = ['==', '!=', '>', '>=', '<', '<='];
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** The project's seeded generator (mulberry32). */
export const rng = seededRandom;

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const int = (r: Rand, n: number): number => Math.floor(r() * n);

/** The comparison as plain JavaScript spells it; what every kernel must agree with. */
export function jsCompare(op: CompareOp, a: PredicateValue, b: PredicateValue): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
  }
}

/**
 * int64 values that stress the two-word compare: the extremes, ±1 around every 32-bit
 * boundary, and pairs that differ only in the low or only in the high word (with the low
 * word's sign bit set, where a signed low-word compare would go wrong).
 */
export const INT64_EDGES: readonly bigint[] = [
  INT64_MIN, INT64_MIN + 1n, INT64_MAX, INT64_MAX - 1n, 0n, 1n, -1n, 2n,
  2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n, -(2n ** 31n), -(2n ** 32n), -(2n ** 32n) - 1n, -(2n ** 32n) + 1n,
  (5n << 32n) | 0n, (5n << 32n) | 1n, (5n << 32n) | 0x7fffffffn, (5n << 32n) | 0x80000000n, (5n << 32n) | 0xffffffffn,
  (6n << 32n) | 0n, (4n << 32n) | 0xffffffffn, (-5n << 32n) | 0n, (-5n << 32n) | 0x80000000n, (-5n << 32n) | 0xffffffffn,
  (7n << 32n) | 0x12345678n, (-7n << 32n) | 0x12345678n, (0x7fffffffn << 32n) | 0x12345678n, (-0x80000000n << 32n) | 0x12345678n,
];

export const FLOAT_EDGES: readonly number[] = [
  0, -0, 1, -1, 0.5, -0.5, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE,
  Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 1e-300, 0.1 + 0.2, 0.3,
];

/** Empty, ASCII, Latin-1, CJK, astral (surrogate pairs: JS orders by UTF-16 code unit), prefixes. */
export const STRING_EDGES: readonly string[] = [
  '', 'a', 'A', 'ab', 'abc', 'b', 'z', 'ü', 'Ü', 'é', 'e\u0301', '日本', '日本語', '中', '🙂', '🙂a', '\uffff', 'ｆ', ' ', 'BTC', 'BTC-USD', 'btc', '\u0000',
];

export function randomInt64(r: Rand): bigint {
  const u = r();
  if (u < 0.3) return pick(r, INT64_EDGES);
  if (u < 0.5) return BigInt(int(r, 21) - 10);
  if (u < 0.7) return BigInt.asIntN(64, (BigInt(pick(r, [5, -5, 7, 0, -1])) << 32n) | BigInt(int(r, 2 ** 32)));
  return BigInt.asIntN(64, (BigInt(int(r, 2 ** 32)) << 32n) | BigInt(int(r, 2 ** 32)));
}

export function randomFloat(r: Rand): number {
  const u = r();
  if (u < 0.35) return pick(r, FLOAT_EDGES);
  if (u < 0.6) return int(r, 11) - 5;
  return (r() - 0.5) * 10 ** int(r, 12);
}

export function randomString(r: Rand): string {
  if (r() < 0.7) return pick(r, STRING_EDGES);
  return pick(r, STRING_EDGES) + String.fromCharCode(0x20 + int(r, 0x3000));
}

/** A column of n random values of `type`; strings get a dictionary with unused entries too. */
export function randomColumn(r: Rand, type: Predicate['type'], n: number): ColumnView {
  switch (type) {
    case 'int64': return { type, values: BigInt64Array.from({ length: n }, () => randomInt64(r)) };
    case 'float64': return { type, values: Float64Array.from({ length: n }, () => randomFloat(r)) };
    case 'bool': {
      const bias = r();
      return { type, values: Uint8Array.from({ length: n }, () => (r() < bias ? 1 : 0)) };
    }
    case 'string': {
      const dictionary = [...new Set(Array.from({ length: 1 + int(r, 30) }, () => randomString(r)))];
      return { type, values: Int32Array.from({ length: n }, () => int(r, dictionary.length)), dictionary };
    }
  }
}

/** The JS value of row i. */
export function valueAt(view: ColumnView, i: number): PredicateValue {
  switch (view.type) {
    case 'int64': return view.values[i];
    case 'float64': return view.values[i];
    case 'bool': return view.values[i] === 1;
    case 'string': return view.dictionary[view.values[i]];
  }
}

/** A predicate on column `column`, its constant often taken from the data (so `==` hits). */
export function randomPredicate(r: Rand, view: ColumnView, column: number, n: number): Predicate {
  const type = view.type;
  const op = type === 'bool' ? pick(r, ['==', '!='] as const) : pick(r, OPS);
  let value: PredicateValue;
  if (n > 0 && r() < 0.5) value = valueAt(view, int(r, n));
  else if (type === 'int64') value = randomInt64(r);
  else if (type === 'float64') value = randomFloat(r);
  else if (type === 'bool') value = r() < 0.5;
  else value = randomString(r);
  return { column, type, op, value };
}

export function rowMatches(views: readonly ColumnView[], preds: readonly Predicate[], i: number): boolean {
  return preds.every((p) => jsCompare(p.op as CompareOp, valueAt(views[p.column], i), p.value as PredicateValue));
}

/** Describes a predicate in failure messages (bigints and -0 made visible). */
export function show(p: Predicate): string {
  const v = p.value;
  const text = typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : Object.is(v, -0) ? '-0' : String(v);
  return `col${p.column} ${p.op} ${text}`;
}
