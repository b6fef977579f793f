// Time order over an active block kept in arrival order (a table with an outOfOrderWindow):
// the stable order by time, and copies of rows in that order into fresh blocks. The source
// block is only read, so readers scanning it meanwhile see it unchanged.
import { newActiveBlock, type ActiveBlock } from './active-block.js';
import { codeFor, ensureCapacity } from './column-store.js';
import type { ResolvedSchema } from '../schema/schema.js';

/**
 * Row indices [0, n) ordered by time, equal times in index (arrival) order. V8's sort is a
 * stable merge sort that finds already-sorted runs, so a block with a few late rows costs
 * little more than one pass.
 */
export function timeOrder(times: BigInt64Array, n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (isTimeOrdered(times, 0, n)) return order;
  return order.sort((a, b) => {
    const ta = times[a];
    const tb = times[b];
    return ta < tb ? -1 : ta > tb ? 1 : a - b;
  });
}

/** Whether times[from..to) never decrease. */
export function isTimeOrdered(times: BigInt64Array, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) if (times[i] < times[i - 1]) return false;
  return true;
}

/** How many of the first n times are at or below `limit`. */
export function countAtOrBelow(times: BigInt64Array, n: number, limit: bigint): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (times[i] <= limit) k++;
  return k;
}

/**
 * A new block holding rows order[from..to) of `src`, in that order (strings re-coded into the
 * new block's own dictionary), with room for `capacityRows` rows.
 */
export function gatherRows(schema: ResolvedSchema, src: ActiveBlock, order: Uint32Array, from: number, to: number, firstRowSeq: number, capacityRows: number): ActiveBlock {
  const n = to - from;
  const out = newActiveBlock(schema, firstRowSeq, Math.max(1, capacityRows, n));
  ensureCapacity(out.columns, n, out.capacityRows);
  // Rows in order (a seal under a window with no late row among them): numbers and validity
  // go over as one copy each instead of a gather per row.
  const start = n > 0 && isRun(order, from, to) ? order[from] : -1;
  for (let c = 0; c < src.columns.length; c++) {
    const s = src.columns[c];
    const d = out.columns[c];
    if (s.type === 'string' && d.type === 'string') {
      // One code lookup per distinct string, not per row.
      const remap = new Int32Array(s.dictionary.values.length).fill(-1);
      for (let i = 0; i < n; i++) {
        const code = s.values[order[from + i]];
        let k = remap[code];
        if (k < 0) { k = codeFor(d.dictionary, s.dictionary.values[code]); remap[code] = k; }
        d.values[i] = k;
      }
    } else if (start >= 0) {
      (d.values as BigInt64Array).set((s.values as BigInt64Array).subarray(start, start + n));
    } else {
      const sv = s.values as BigInt64Array | Float64Array | Uint8Array;
      const dv = d.values as typeof sv;
      for (let i = 0; i < n; i++) dv[i] = sv[order[from + i]];
    }
    gatherValidity(s, d, order, from, n, start);
  }
  out.rowCount = n;
  return out;
}

/** Whether order[from..to) is a run of consecutive rows. */
function isRun(order: Uint32Array, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) if (order[i] !== order[i - 1] + 1) return false;
  return true;
}

/** A nullable column's validity bytes (1 = a value) go with the rows. */
function gatherValidity(src: object, dst: object, order: Uint32Array, from: number, n: number, runStart: number): void {
  const sv = (src as { validity?: { values: Uint8Array } | null }).validity;
  const dv = (dst as { validity?: { values: Uint8Array } | null }).validity;
  if (sv == null || dv == null) return;
  if (runStart >= 0) { dv.values.set(sv.values.subarray(runStart, runStart + n)); return; }
  for (let i = 0; i < n; i++) dv.values[i] = sv.values[order[from + i]];
}
