// One aggregate function over one column of one block: add(slot, row) per selected row, then
// state(slot) per (bucket, group) slot. Slots are created in order 0, 1, 2, … by the caller.
import type { ColumnView } from '../column/column-view.js';
import type { AggFunction, PartialState } from './aggregate.js';

export interface Accumulator {
  add(slot: number, row: number): void;
  state(slot: number): PartialState;
}

const TWO_32 = 4294967296n;
/** Flush a half into the BigInt carry before one more addend could make it inexact. */
const SAFE_HALF = 2 ** 52;

/** Exact int64 sums: the unsigned low and signed high 32-bit halves summed apart. */
class Int64Sum implements Accumulator {
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];
  private readonly carry: bigint[] = [];
  private readonly w: Int32Array;
  constructor(values: BigInt64Array) { this.w = new Int32Array(values.buffer, values.byteOffset, values.length * 2); }
  add(slot: number, row: number): void {
    if (slot === this.lo.length) { this.lo.push(0); this.hi.push(0); this.carry.push(0n); }
    let lo = this.lo[slot] + (this.w[2 * row] >>> 0);
    let hi = this.hi[slot] + this.w[2 * row + 1];
    if (lo > SAFE_HALF || hi > SAFE_HALF || hi < -SAFE_HALF) {
      this.carry[slot] += BigInt(hi) * TWO_32 + BigInt(lo);
      lo = 0;
      hi = 0;
    }
    this.lo[slot] = lo;
    this.hi[slot] = hi;
  }
  state(slot: number): PartialState { return this.carry[slot] + BigInt(this.hi[slot]) * TWO_32 + BigInt(this.lo[slot]); }
}

class Float64Sum implements Accumulator {
  private readonly sums: number[] = [];
  constructor(private readonly values: Float64Array) {}
  add(slot: number, row: number): void {
    if (slot === this.sums.length) this.sums.push(0);
    this.sums[slot] += this.values[row];
  }
  state(slot: number): PartialState { return this.sums[slot]; }
}

class CountRows implements Accumulator {
  add(): void { /* the caller counts rows */ }
  state(): PartialState { return null; }
}

/** min, max, first, last: the row that holds the answer, compared by the column's type. */
class PickRow implements Accumulator {
  private readonly rows: number[] = [];
  /** True when `row` should replace `best` (only asked once the slot has a row). */
  private readonly better: (row: number, best: number) => boolean;
  constructor(private readonly fn: 'min' | 'max' | 'first' | 'last', private readonly view: ColumnView) {
    this.better = betterFor(fn, view);
  }
  add(slot: number, row: number): void {
    if (slot === this.rows.length) { this.rows.push(row); return; }
    if (this.better(row, this.rows[slot])) this.rows[slot] = row;
  }
  state(slot: number): PartialState {
    const v = this.view;
    const i = this.rows[slot];
    switch (v.type) {
      case 'int64': return v.values[i];
      case 'float64': return v.values[i];
      case 'bool': return v.values[i] === 1;
      case 'string': return v.dictionary[v.values[i]];
    }
  }
}

function betterFor(fn: 'min' | 'max' | 'first' | 'last', view: ColumnView): (row: number, best: number) => boolean {
  if (fn === 'first') return () => false;
  if (fn === 'last') return () => true;
  const less = fn === 'min';
  switch (view.type) {
    case 'int64': {
      const w = new Int32Array(view.values.buffer, view.values.byteOffset, view.values.length * 2);
      return (r, b) => {
        const rh = w[2 * r + 1], bh = w[2 * b + 1];
        if (rh !== bh) return less ? rh < bh : rh > bh;
        const rl = w[2 * r] >>> 0, bl = w[2 * b] >>> 0;
        return less ? rl < bl : rl > bl;
      };
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

export function makeAccumulator(fn: AggFunction, view: ColumnView | null): Accumulator {
  if (fn === 'count') return new CountRows();
  if (view === null) throw new Error(`internal: ${fn} needs a column`);
  if (fn === 'sum' || fn === 'avg') {
    if (view.type === 'int64') return new Int64Sum(view.values);
    if (view.type === 'float64') return new Float64Sum(view.values);
    throw new Error(`internal: ${fn} of a ${view.type} column`);
  }
  return new PickRow(fn, view);
}
