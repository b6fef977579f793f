// Row objects → one Arrow table, for query results built on the calling thread (aggregate,
// latest): plain Utf8 strings, nulls where a value is null; the time column (bucket starts
// too) an Arrow Timestamp when the table has a timeUnit.
import * as arrow from 'apache-arrow';
import type { ColumnType } from '@backtracedb/engine';
import { arrowTimestampOf, timestampUnitOf, type TimeSpec } from '../arrow-out.js';

function plainType(type: ColumnType): arrow.DataType {
  switch (type) {
    case 'int64': return new arrow.Int64();
    case 'float64': return new arrow.Float64();
    case 'bool': return new arrow.Bool();
    case 'string': return new arrow.Utf8();
  }
}

export function arrowTableOfRows(rows: ReadonlyArray<Record<string, unknown>>, columns: ReadonlyArray<{ name: string; type: ColumnType }>, time: TimeSpec = null): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const c of columns) {
    const unit = timestampUnitOf(time, c.name, c.type);
    const values = rows.map((r) => r[c.name] ?? null);
    if (unit !== null) {
      // vectorFromArray would read the bigints as milliseconds: build the data from the values.
      const data = BigInt64Array.from(values as Array<bigint | null>, (v) => v ?? 0n);
      const validity = values.includes(null) ? nullBitmap(values) : undefined;
      const nullCount = values.filter((v) => v === null).length;
      vectors[c.name] = arrow.makeVector(arrow.makeData({ type: arrowTimestampOf(unit), length: rows.length, data, nullBitmap: validity, nullCount }));
    } else {
      vectors[c.name] = arrow.vectorFromArray(values, plainType(c.type));
    }
  }
  return new arrow.Table(vectors);
}

function nullBitmap(values: readonly unknown[]): Uint8Array {
  const bits = new Uint8Array((values.length + 7) >>> 3);
  values.forEach((v, i) => { if (v !== null) bits[i >>> 3] |= 1 << (i & 7); });
  return bits;
}
