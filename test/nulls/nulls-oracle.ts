// The plain-JS oracle for nullable columns: a schema with every type nullable, rows with ~30%
// nulls, filters (comparisons never match a null; isNull / isNotNull), and aggregates that
// skip nulls, as DESIGN.md "Public API, part 2" defines them.
import type { CompareOp } from 'backtracedb';
import { BIGS, compare, STRINGS } from '../engine/oracle.js';

export const nullSchema = {
  name: 'nulls',
  timeColumn: 't',
  columns: [
    { name: 't', type: 'int64' },
    { name: 'sym', type: 'string', nullable: true },
    { name: 'big', type: 'int64', nullable: true },
    { name: 'x', type: 'float64', nullable: true },
    { name: 'ok', type: 'bool', nullable: true },
    { name: 'tag', type: 'string' },
  ],
} as const;

export interface NullRow { t: bigint; sym: string | null; big: bigint | null; x: number | null; ok: boolean | null; tag: string }
export type NullCol = 'sym' | 'big' | 'x' | 'ok';
export const NULLABLE: NullCol[] = ['sym', 'big', 'x', 'ok'];
export type Filter = readonly [keyof NullRow, CompareOp | 'isNull' | 'isNotNull', unknown?];

/** Rows with times from `t0`, each nullable value null with probability `nullRate`. */
export function makeRows(next: () => number, n: number, t0: bigint, nullRate = 0.3): NullRow[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const maybe = <T>(v: T): T | null => (next() < nullRate ? null : v);
  let t = t0;
  return Array.from({ length: n }, () => {
    if (next() < 0.6) t += BigInt(Math.floor(next() * 3));
    // Multiples of 1/8 in a small range: float sums are exact in any order.
    return {
      t, sym: maybe(pick(STRINGS)), big: maybe(next() < 0.3 ? pick(BIGS.slice(0, 5)) : BigInt(Math.floor(next() * 2000) - 1000)),
      x: maybe(Math.round((next() - 0.5) * 2000) / 8), ok: maybe(next() < 0.5), tag: pick(['p', 'q', 'r']),
    };
  });
}

/** appendBatch input of rows: arrays with null entries (a column of only nulls is left out). */
export function batchOf(rows: readonly NullRow[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = { t: rows.map((r) => r.t), tag: rows.map((r) => r.tag) };
  for (const c of NULLABLE) if (rows.some((r) => r[c] !== null)) out[c] = rows.map((r) => r[c]);
  return out;
}

/** append input of a row: a null value is either null or a missing key. */
export function rowInput(r: NullRow, next: () => number): Record<string, unknown> {
  const out: Record<string, unknown> = { t: r.t, tag: r.tag };
  for (const c of NULLABLE) if (r[c] !== null || next() < 0.5) out[c] = r[c];
  return out;
}

export function matches(r: NullRow, [c, op, v]: Filter): boolean {
  const x = r[c];
  if (op === 'isNull') return x === null;
  if (op === 'isNotNull') return x !== null;
  return x !== null && compare(op, x, v as bigint | number | string | boolean);
}

type Agg = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'first' | 'last';

/** One aggregate value over a group's rows (in time order): nulls skipped; none left gives null (count 0). */
export function aggregateOf(fn: Agg, col: keyof NullRow | null, rows: readonly NullRow[]): unknown {
  if (col === null) return rows.length;
  const vals = rows.map((r) => r[col]).filter((v) => v !== null) as Array<bigint | number | string | boolean>;
  if (fn === 'count') return vals.length;
  if (vals.length === 0) return null;
  switch (fn) {
    case 'sum': return typeof vals[0] === 'bigint' ? (vals as bigint[]).reduce((a, b) => a + b, 0n) : (vals as number[]).reduce((a, b) => a + b, 0);
    case 'avg': return Number((vals as number[]).reduce((a, b) => a + b, 0)) / vals.length;
    case 'min': return vals.reduce((a, b) => (b < a ? b : a));
    case 'max': return vals.reduce((a, b) => (b > a ? b : a));
    case 'first': return vals[0];
    case 'last': return vals[vals.length - 1];
  }
}

/** Groups of rows by a key column, ordered as aggregate() orders them: null first, then JS `<`. */
export function groupsBy(rows: readonly NullRow[], by: keyof NullRow): Array<[unknown, NullRow[]]> {
  const m = new Map<unknown, NullRow[]>();
  for (const r of rows) { const k = r[by]; const g = m.get(k); if (g === undefined) m.set(k, [r]); else g.push(r); }
  return [...m.entries()].sort(([a], [b]) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as string) < (b as string) ? -1 : 1));
}
