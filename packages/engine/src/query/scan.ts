// Scan one block's columns: narrow by time with binary search, run the kernels, then
// gather only the projected columns of the selected rows (late materialization).
import { applyPredicate, firstPass, fullSelection, timeRange } from './kernels.js';
import type { ColumnView } from '../column/column-view.js';
import { isNullOp, type Predicate } from './predicate.js';
import { sliceView, withValid } from '../column/column-view.js';
import { aggregateRows, type AggPartial, type AggregateRequest } from './aggregate.js';

export interface ScanRequest {
  readonly predicates: readonly Predicate[];
  /** Schema column indexes to return, in output order. Ignored when countOnly. */
  readonly projection: readonly number[];
  readonly countOnly: boolean;
  readonly timeColumn: number;
  /** Aggregate the selected rows instead of returning them (the projection must hold its columns). */
  readonly aggregate?: AggregateRequest;
}

/** Selected rows of one block: projected columns, strings with a compact dictionary. */
export interface ScanResult {
  rowCount: number;
  columns: ColumnView[];
  /** Parquet row groups decoded for this result (0 when read from memory or the cache). */
  rowGroupsDecoded?: number;
  /** With an aggregate request: partial states per (bucket, group), no columns. */
  partials?: AggPartial[];
}

/** Row indexes in [start, end) that satisfy every predicate (null = every row of the range). */
export function selectRows(views: readonly ColumnView[], start: number, end: number, req: ScanRequest): { lo: number; hi: number; sel: Uint32Array | null; n: number } {
  const times = views[req.timeColumn];
  let lo = start;
  let hi = end;
  if (times !== undefined && times.type === 'int64') [lo, hi] = timeRange(times.values, start, end, req.timeColumn, req.predicates);
  const rest = req.predicates.filter((p) => !(p.column === req.timeColumn && p.op !== '!=' && !isNullOp(p.op)));
  if (rest.length === 0) return { lo, hi, sel: null, n: hi - lo };
  // Branch-free first pass where there is one; then each predicate narrows the selection.
  const first = firstPass(offsetView(views[rest[0].column], lo, hi), rest[0], hi - lo);
  let sel = first?.sel ?? fullSelection(hi - lo);
  let n = first?.count ?? sel.length;
  for (const p of first === null ? rest : rest.slice(1)) {
    if (n === 0) break;
    const view = views[p.column];
    n = applyPredicate(offsetView(view, lo, hi), p, sel, n);
  }
  // A view of the thread's scratch selection: valid until the next scan on this thread.
  if (n < sel.length) sel = sel.subarray(0, n);
  return { lo, hi, sel, n };
}

function offsetView(v: ColumnView, lo: number, hi: number): ColumnView {
  return sliceView(v, lo, hi);
}

/** The selected rows' validity, or null when the column holds no null among them. */
function gatherValid(valid: Uint8Array | null | undefined, sel: Uint32Array | null, n: number): Uint8Array | null {
  if (!valid) return null;
  const out = sel === null ? valid.slice(0, n) : new Uint8Array(n);
  if (sel !== null) for (let j = 0; j < n; j++) out[j] = valid[sel[j]];
  let present = 0;
  for (let j = 0; j < n; j++) present += out[j];
  return present === n ? null : out;
}

/** Copy the selected rows of one column; strings get a dictionary of only the codes used. */
export function gather(view: ColumnView, lo: number, hi: number, sel: Uint32Array | null): ColumnView {
  const v = offsetView(view, lo, hi);
  const n = sel === null ? hi - lo : sel.length;
  const valid = gatherValid(v.valid, sel, n);
  const g = gatherValues(v, sel, n);
  return valid === null ? g : { ...g, ...withValid(valid) };
}

function gatherValues(v: ColumnView, sel: Uint32Array | null, n: number): ColumnView {
  switch (v.type) {
    case 'int64': {
      if (sel === null) return { type: 'int64', values: v.values.slice() };
      const out = new BigInt64Array(n);
      // Copy through the 32-bit halves: no BigInt per row.
      const src = new Int32Array(v.values.buffer, v.values.byteOffset, v.values.length * 2);
      const dst = new Int32Array(out.buffer);
      for (let j = 0; j < n; j++) { const i = sel[j]; dst[2 * j] = src[2 * i]; dst[2 * j + 1] = src[2 * i + 1]; }
      return { type: 'int64', values: out };
    }
    case 'float64': {
      if (sel === null) return { type: 'float64', values: v.values.slice() };
      const out = new Float64Array(n);
      for (let j = 0; j < n; j++) out[j] = v.values[sel[j]];
      return { type: 'float64', values: out };
    }
    case 'bool': {
      if (sel === null) return { type: 'bool', values: v.values.slice() };
      const out = new Uint8Array(n);
      for (let j = 0; j < n; j++) out[j] = v.values[sel[j]];
      return { type: 'bool', values: out };
    }
    case 'string': {
      const remap = new Int32Array(v.dictionary.length).fill(-1);
      const dictionary: string[] = [];
      const out = new Int32Array(n);
      for (let j = 0; j < n; j++) {
        const code = v.values[sel === null ? j : sel[j]];
        let m = remap[code];
        if (m === -1) { m = dictionary.length; remap[code] = m; dictionary.push(v.dictionary[code]); }
        out[j] = m;
      }
      return { type: 'string', values: out, dictionary };
    }
  }
}

export function scanViews(views: readonly ColumnView[], start: number, end: number, req: ScanRequest): ScanResult {
  const { lo, hi, sel, n } = selectRows(views, start, end, req);
  if (req.aggregate !== undefined) return { rowCount: n, columns: [], partials: aggregateRows(views, lo, hi, sel, req.aggregate, req.timeColumn) };
  if (req.countOnly || n === 0) return { rowCount: n, columns: [] };
  return { rowCount: n, columns: req.projection.map((c) => gather(views[c], lo, hi, sel)) };
}

/** Buffers a ScanResult can hand over to another thread without copying. */
export function transferablesOf(r: ScanResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const c of r.columns) {
    if (c.values.buffer instanceof ArrayBuffer) out.push(c.values.buffer);
    if (c.valid && c.valid.buffer instanceof ArrayBuffer && c.valid.buffer !== c.values.buffer) out.push(c.valid.buffer);
  }
  return out;
}
