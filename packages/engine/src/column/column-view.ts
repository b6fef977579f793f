// What a scan reads: one typed array per column, from shared memory or a decoded Parquet block.
export type ColumnView =
  | { readonly type: 'int64'; readonly values: BigInt64Array }
  | { readonly type: 'float64'; readonly values: Float64Array }
  | { readonly type: 'bool'; readonly values: Uint8Array }
  | { readonly type: 'string'; readonly values: Int32Array; readonly dictionary: readonly string[] };

/** Fixed-length view of rows [start, end) (length-tracking views over growable memory must not leak into scans). */
export function sliceView(view: ColumnView, start: number, end: number): ColumnView {
  switch (view.type) {
    case 'int64': return { type: 'int64', values: view.values.subarray(start, end) };
    case 'float64': return { type: 'float64', values: view.values.subarray(start, end) };
    case 'bool': return { type: 'bool', values: view.values.subarray(start, end) };
    case 'string': return { type: 'string', values: view.values.subarray(start, end), dictionary: view.dictionary };
  }
}
