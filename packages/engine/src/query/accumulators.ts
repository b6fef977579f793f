// One aggregate function over one column of one block: given the (bucket, group) slot of each
// selected row, one tight loop over the rows fills typed-array states, then the slots' states
// come out. Selected row j is row `lo + j` (sel null) or `lo + sel[j]`.
import type { ColumnView } from '../column/column-view.js';
import type { AggFunction, PartialState } from './aggregate.js';

/** The selected rows of a block and the slot each one falls in. */
export interface SlottedRows {
  readonly slots: Int32Array;
  readonly n: number;
  readonly lo: number;
  readonly sel: Uint32Array | null;
  readonly slotCount: number;
}

const TWO_32 = 4294967296n;
/** Flush a half into the BigInt carry before one more addend could make it inexact. */
const SAFE_HALF = 2 ** 52;

/** Exact int64 sums: the unsigned low and signed high 32-bit halves summed apart. */
function int64Sums(values: BigInt64Array, r: SlottedRows): PartialState[] {
  const w = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const los = new Float64Array(r.slotCount);
  const his = new Float64Array(r.slotCount);
  const carry = new Array<bigint>(r.slotCount).fill(0n);
  const { slots, n, lo, sel } = r;
  for (let j = 0; j < n; j++) {
    const i = sel === null ? lo + j : lo + sel[j];
    const s = slots[j];
    const a = los[s] + (w[2 * i] >>> 0);
    const b = his[s] + w[2 * i + 1];
    if (a > SAFE_HALF || b > SAFE_HALF || b < -SAFE_HALF) {
      carry[s] += BigInt(b) * TWO_32 + BigInt(a);
      los[s] = 0;
      his[s] = 0;
    } else {
      los[s] = a;
      his[s] = b;
    }
  }
  return carry.map((c, s) => c + BigInt(his[s]) * TWO_32 + BigInt(los[s]));
}

function float64Sums(values: Float64Array, r: SlottedRows): PartialState[] {
  const sums = new Float64Array(r.slotCount);
  const { slots, n, lo, sel } = r;
  for (let j = 0; j < n; j++) sums[slots[j]] += values[sel === null ? lo + j : lo + sel[j]];
  return Array.from(sums);
}

function valueAt(v: ColumnView, i: number): PartialState {
  if (i < 0 || (v.valid && v.valid[i] === 0)) return null;
  switch (v.type) {
    case 'int64': return v.values[i];
    case 'float64': return v.values[i];
    case 'bool': return v.values[i] === 1;
    case 'string': return v.dictionary[v.values[i]];
  }
}

/** min, max, first, last: the row that holds the answer per slot, then its value. */
function pickRows(fn: 'min' | 'max' | 'first' | 'last', view: ColumnView, r: SlottedRows): PartialState[] {
  const best = new Int32Array(r.slotCount).fill(-1);
  const { slots, n, lo, sel } = r;
  if (fn === 'first' || fn === 'last') {
    const keepFirst = fn === 'first';
    for (let j = 0; j < n; j++) {
      const s = slots[j];
      if (keepFirst && best[s] !== -1) continue;
      best[s] = sel === null ? lo + j : lo + sel[j];
    }
  } else if (view.type === 'float64') {
    // The common case (prices) without a call per row.
    const v = view.values;
    const less = fn === 'min';
    for (let j = 0; j < n; j++) {
      const i = sel === null ? lo + j : lo + sel[j];
      const s = slots[j];
      const b = best[s];
      if (b === -1 || (less ? v[i] < v[b] : v[i] > v[b])) best[s] = i;
    }
  } else {
    const better = betterFor(fn === 'min', view);
    for (let j = 0; j < n; j++) {
      const i = sel === null ? lo + j : lo + sel[j];
      const s = slots[j];
      const b = best[s];
      if (b === -1 || better(i, b)) best[s] = i;
    }
  }
  return Array.from(best, (i) => valueAt(view, i));
}

function betterFor(less: boolean, view: ColumnView): (row: number, best: number) => boolean {
  switch (view.type) {
    case 'int64': {
      // Signed high halves, then unsigned low halves: no BigInt per row.
      const w = new Int32Array(view.values.buffer, view.values.byteOffset, view.values.length * 2);
      return less
        ? (r, b) => w[2 * r + 1] < w[2 * b + 1] || (w[2 * r + 1] === w[2 * b + 1] && (w[2 * r] >>> 0) < (w[2 * b] >>> 0))
        : (r, b) => w[2 * r + 1] > w[2 * b + 1] || (w[2 * r + 1] === w[2 * b + 1] && (w[2 * r] >>> 0) > (w[2 * b] >>> 0));
    }
    case 'float64': case 'bool': {
      const v = view.values;
      return less ? (r, b) => v[r] < v[b] : (r, b) => v[r] > v[b];
    }
    case 'string': {
      const v = view.values;
      const d = view.dictionary;
      return less ? (r, b) => v[r] !== v[b] && d[v[r]] < d[v[b]] : (r, b) => v[r] !== v[b] && d[v[r]] > d[v[b]];
    }
  }
}

/**
 * The selected rows whose value is not null (a column with validity): the accumulators then
 * run unchanged over them. Also each slot's count of such rows.
 */
function presentRows(valid: Uint8Array, r: SlottedRows): { rows: SlottedRows; counts: number[] } {
  const { slots, n, lo, sel } = r;
  const keepSel = new Uint32Array(n);
  const keepSlots = new Int32Array(n);
  const counts = new Array<number>(r.slotCount).fill(0);
  let k = 0;
  for (let j = 0; j < n; j++) {
    const rel = sel === null ? j : sel[j];
    if (valid[lo + rel] === 0) continue;
    keepSel[k] = rel;
    keepSlots[k] = slots[j];
    counts[slots[j]]++;
    k++;
  }
  return { rows: { slots: keepSlots, n: k, lo, sel: keepSel.subarray(0, k), slotCount: r.slotCount }, counts };
}

/** One value's states per slot, and its non-null counts per slot (null: every row counts). */
export interface Accumulated { states: PartialState[]; counts: number[] | null }

/**
 * States per slot of one value: count → null (the counts say it); sum, avg → the sum; the
 * rest → the value. Null rows are skipped (a slot with none gives a null state), unless
 * `keepNulls`: then first/last pick their row whatever its value.
 */
export function accumulate(fn: AggFunction, view: ColumnView | null, r: SlottedRows, keepNulls = false): Accumulated {
  let counts: number[] | null = null;
  if (view !== null && view.valid && !(keepNulls && (fn === 'first' || fn === 'last'))) {
    const present = presentRows(view.valid, r);
    r = present.rows;
    counts = present.counts;
  }
  const states = accumulateRows(fn, view, r);
  if (counts !== null) for (let s = 0; s < states.length; s++) if (counts[s] === 0) states[s] = null;
  return { states, counts };
}

function accumulateRows(fn: AggFunction, view: ColumnView | null, r: SlottedRows): PartialState[] {
  if (fn === 'count') return new Array<PartialState>(r.slotCount).fill(null);
  if (view === null) throw new Error(`internal: ${fn} needs a column`);
  if (fn === 'sum' || fn === 'avg') {
    if (view.type === 'int64') return int64Sums(view.values, r);
    if (view.type === 'float64') return float64Sums(view.values, r);
    throw new Error(`internal: ${fn} of a ${view.type} column`);
  }
  return pickRows(fn, view, r);
}
