// The values a column holds, as they cross module boundaries: a validated batch in schema
// column order, and the one check of whether a JavaScript value fits a column type. Appends,
// filters, the WAL codec and the active block all use these.
import { describeGot, describeValue, type ColumnType } from '../schema/schema.js';
import { INT64_MAX, INT64_MIN } from './int64.js';

export type ColumnValues = BigInt64Array | Float64Array | Uint8Array | string[];
/** A validated batch in schema column order: int64 → BigInt64Array, bool → 0/1 bytes. */
export interface NormalizedBatch {
  rowCount: number;
  columns: ColumnValues[];
  /**
   * Per column: one byte per row (1 = a value, 0 = null; a null's slot holds 0 or ''), or null
   * when every row holds a value. Absent: no nulls anywhere.
   */
  valid?: Array<Uint8Array | null>;
}

/** Rows [from, end) of a batch (a WAL record partly applied already); the batch itself when from is 0. */
export function sliceBatch(b: NormalizedBatch, from: number): NormalizedBatch {
  if (from === 0) return b;
  const valid = b.valid?.map((v) => (v === null ? null : v.slice(from)));
  return { rowCount: b.rowCount - from, columns: b.columns.map((c) => c.slice(from) as typeof c), ...(valid ? { valid } : {}) };
}

/** Rows `rows` (indexes, in that order) of a batch, validity included. */
export function pickRows(b: NormalizedBatch, rows: readonly number[]): NormalizedBatch {
  const pick = <C extends ColumnValues>(c: C): C => {
    if (Array.isArray(c)) return rows.map((i) => c[i]) as C;
    const out = new (c.constructor as new (n: number) => C)(rows.length) as Exclude<C, string[]>;
    rows.forEach((i, j) => { out[j] = (c as Exclude<C, string[]>)[i]; });
    return out;
  };
  const valid = b.valid?.map((v) => (v === null ? null : pick(v)));
  return { rowCount: rows.length, columns: b.columns.map(pick), ...(valid === undefined ? {} : { valid }) };
}

/** Where the first lone surrogate of a string is, described; '' when there is none. */
function loneSurrogate(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) { i++; continue; }
    return `U+${c.toString(16).toUpperCase()} at index ${i}`;
  }
  return '';
}

/** Why `v` does not fit `type`, or null when it fits. */
export function misfit(type: ColumnType, v: unknown): string | null {
  switch (type) {
    case 'int64':
      if (typeof v === 'bigint') return v >= INT64_MIN && v <= INT64_MAX ? null : `${v}n is outside the int64 range`;
      if (typeof v === 'number') return Number.isSafeInteger(v) ? null : `${v} is not a safe integer (pass a bigint)`;
      return `expected a bigint or safe-integer number, got ${describeGot(v)}`;
    case 'float64':
      return typeof v === 'number' ? null : `expected a number, got ${describeGot(v)}`;
    case 'string':
      if (typeof v !== 'string') return `expected a string, got ${describeGot(v)}`;
      // Such a string has no UTF-8 form: stored, it would come back as U+FFFD and never match.
      if (!v.isWellFormed()) return `the string ${describeValue(v)} has a lone surrogate (${loneSurrogate(v)}); it cannot be stored as UTF-8`;
      return null;
    case 'bool':
      return typeof v === 'boolean' ? null : `expected a boolean, got ${describeGot(v)}`;
  }
}
