// Scan results → row objects. Objects are built only when rows are asked for.
import type { ColumnDef, ColumnView, ScanResult } from '@backtracedb/engine';

export type RowValue = bigint | number | string | boolean;

/** Row i's value; null where a nullable column holds a null. */
export function valueAt(view: ColumnView, i: number): RowValue | null {
  if (view.valid && view.valid[i] === 0) return null;
  switch (view.type) {
    case 'int64': return view.values[i];
    case 'float64': return view.values[i];
    case 'bool': return view.values[i] === 1;
    case 'string': return view.dictionary[view.values[i]];
  }
}

export function* rowsOf(result: ScanResult, columns: readonly ColumnDef[]): Generator<Record<string, RowValue | null>> {
  const views = result.columns;
  const names = columns.map((c) => c.name);
  for (let i = 0; i < result.rowCount; i++) {
    const row: Record<string, RowValue | null> = {};
    for (let c = 0; c < views.length; c++) row[names[c]] = valueAt(views[c], i);
    yield row;
  }
}
