// Scan results → Arrow record batches: typed arrays are wrapped, not copied (bools are packed
// to bits, strings become Dictionary<Utf8, Int32> with each batch's own dictionary).
import * as arrow from 'apache-arrow';
import { arrowDataOf } from '@backtracedb/workers/arrow';
import type { ColumnDef, ColumnType, ScanResult } from '@backtracedb/engine';

export function arrowTypeFor(type: ColumnType): arrow.DataType {
  switch (type) {
    case 'int64': return new arrow.Int64();
    case 'float64': return new arrow.Float64();
    case 'bool': return new arrow.Bool();
    case 'string': return new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  }
}

export function arrowSchemaFor(columns: readonly ColumnDef[]): arrow.Schema {
  return new arrow.Schema(columns.map((c) => new arrow.Field(c.name, arrowTypeFor(c.type), c.nullable === true)));
}

export function recordBatchOf(schema: arrow.Schema, result: ScanResult): arrow.RecordBatch {
  const length = result.rowCount;
  const children = result.columns.map((v) => arrowDataOf(v, length));
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children });
  return new arrow.RecordBatch(schema, struct);
}
