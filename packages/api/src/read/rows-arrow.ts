// Row objects → one Arrow table, for query results built on the calling thread (aggregate,
// latest): plain Utf8 strings, nulls where a value is null.
import * as arrow from 'apache-arrow';
import type { ColumnType } from '@backtracedb/engine';

function plainType(type: ColumnType): arrow.DataType {
  switch (type) {
    case 'int64': return new arrow.Int64();
    case 'float64': return new arrow.Float64();
    case 'bool': return new arrow.Bool();
    case 'string': return new arrow.Utf8();
  }
}

export function arrowTableOfRows(rows: ReadonlyArray<Record<string, unknown>>, columns: ReadonlyArray<{ name: string; type: ColumnType }>): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const c of columns) {
    const type = plainType(c.type);
    const values = rows.map((r) => r[c.name] ?? null);
    vectors[c.name] = arrow.vectorFromArray(values, type);
  }
  return new arrow.Table(vectors);
}
