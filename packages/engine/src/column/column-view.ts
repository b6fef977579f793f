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
