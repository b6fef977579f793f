// Reshaping one block's ScanResult for ordered reads: its first rows only (limit), or its
// rows reversed (order('desc')). Both keep string dictionaries as they are.
import { sliceView, withValid, type ColumnView, type ScanResult } from '@backtracedb/engine';

/** The first `rows` rows of `r` (views, no copy). */
export function headOf(r: ScanResult, rows: number): ScanResult {
  if (rows >= r.rowCount) return r;
  return { ...r, rowCount: rows, columns: r.columns.map((v) => headView(v, rows)) };
}

function headView(v: ColumnView, n: number): ColumnView {
  return sliceView(v, 0, n);
}

/** `r` with its rows in reverse order (a copy: results may share scratch memory). */
export function reversedOf(r: ScanResult): ScanResult {
  if (r.rowCount <= 1 || r.columns.length === 0) return r;
  return { ...r, columns: r.columns.map((v) => reverseView(v, r.rowCount)) };
}

function reverseView(v: ColumnView, n: number): ColumnView {
  const valid = withValid(v.valid ? v.valid.slice(0, n).reverse() : null);
  switch (v.type) {
    case 'int64': return { type: 'int64', values: v.values.slice(0, n).reverse(), ...valid };
    case 'float64': return { type: 'float64', values: v.values.slice(0, n).reverse(), ...valid };
    case 'bool': return { type: 'bool', values: v.values.slice(0, n).reverse(), ...valid };
    case 'string': return { type: 'string', values: v.values.slice(0, n).reverse(), dictionary: v.dictionary, ...valid };
  }
}
