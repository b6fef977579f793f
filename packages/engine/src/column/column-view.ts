// What a scan reads: one typed array per column, from shared memory or a decoded Parquet block.
// A nullable column may carry `valid`: one byte per row, 1 = a value, 0 = null (the value slot
// of a null holds 0, or the code of '' for strings, so kernels stay branch-free). Absent or
// null: every row holds a value.
export type ColumnView =
  | { readonly type: 'int64'; readonly values: BigInt64Array; readonly valid?: Uint8Array | null }
  | { readonly type: 'float64'; readonly values: Float64Array; readonly valid?: Uint8Array | null }
  | { readonly type: 'bool'; readonly values: Uint8Array; readonly valid?: Uint8Array | null }
  | { readonly type: 'string'; readonly values: Int32Array; readonly dictionary: readonly string[]; readonly valid?: Uint8Array | null };

/** Fixed-length view of rows [start, end) (length-tracking views over growable memory must not leak into scans). */
export function sliceView(view: ColumnView, start: number, end: number): ColumnView {
  const valid = withValid(view.valid ? view.valid.subarray(start, end) : null);
  switch (view.type) {
    case 'int64': return { type: 'int64', values: view.values.subarray(start, end), ...valid };
    case 'float64': return { type: 'float64', values: view.values.subarray(start, end), ...valid };
    case 'bool': return { type: 'bool', values: view.values.subarray(start, end), ...valid };
    case 'string': return { type: 'string', values: view.values.subarray(start, end), dictionary: view.dictionary, ...valid };
  }
}

/** `{ valid }` to spread into a view, or nothing when every row holds a value. */
export function withValid(valid: Uint8Array | null | undefined): { valid?: Uint8Array } {
  return valid ? { valid } : {};
}

/** Whether row i holds a value (not null). */
export function isPresent(view: ColumnView, i: number): boolean {
  return !view.valid || view.valid[i] === 1;
}

/** Null rows among [start, end). */
export function nullCount(view: ColumnView, start: number, end: number): number {
  const v = view.valid;
  if (!v) return 0;
  let present = 0;
  for (let i = start; i < end; i++) present += v[i];
  return end - start - present;
}

/**
 * The non-null rows of [start, end) as a dense view without validity (the view itself, sliced,
 * when none is null). int64 values are copied as 32-bit halves: no BigInt per row.
 */
export function presentRows(view: ColumnView, start: number, end: number): ColumnView {
  const valid = view.valid;
  const present = end - start - nullCount(view, start, end);
  if (!valid || present === end - start) return sliceView({ ...view, valid: null }, start, end);
  switch (view.type) {
    case 'int64': {
      const src = new Int32Array(view.values.buffer, view.values.byteOffset, view.values.length * 2);
      const out = new BigInt64Array(present);
      const dst = new Int32Array(out.buffer);
      let k = 0;
      for (let i = start; i < end; i++) if (valid[i] === 1) { dst[2 * k] = src[2 * i]; dst[2 * k + 1] = src[2 * i + 1]; k++; }
      return { type: 'int64', values: out };
    }
    case 'float64': return { type: 'float64', values: pick(view.values, valid, start, end, new Float64Array(present)) };
    case 'bool': return { type: 'bool', values: pick(view.values, valid, start, end, new Uint8Array(present)) };
    case 'string': return { type: 'string', values: pick(view.values, valid, start, end, new Int32Array(present)), dictionary: view.dictionary };
  }
}

function pick<T extends Float64Array | Uint8Array | Int32Array>(src: T, valid: Uint8Array, start: number, end: number, out: T): T {
  let k = 0;
  for (let i = start; i < end; i++) if (valid[i] === 1) out[k++] = src[i];
  return out;
}
