// Scan results → Arrow record batches: typed arrays are wrapped, not copied (bools are packed
// to bits, strings become Dictionary<Utf8, Int32> with each batch's own dictionary). With a
// timeUnit the time column is an Arrow Timestamp of that unit in UTC (the same int64 values).
import * as arrow from 'apache-arrow';
import { arrowDataOf } from '@backtracedb/workers/arrow';
import type { ColumnDef, ColumnType, ColumnView, ResolvedSchema, ScanResult, TimeUnit } from '@backtracedb/engine';

/** Which column is a timestamp, and in what unit (null: none, the table has no timeUnit). */
export type TimeSpec = Pick<ResolvedSchema, 'timeColumn' | 'timeUnit'> | null;

const ARROW_UNIT: Readonly<Record<TimeUnit, arrow.TimeUnit>> = {
  s: arrow.TimeUnit.SECOND, ms: arrow.TimeUnit.MILLISECOND, us: arrow.TimeUnit.MICROSECOND, ns: arrow.TimeUnit.NANOSECOND,
};

/** Arrow Timestamp of a table's unit, in UTC: the values are instants, as in the Parquet files. */
export function arrowTimestampOf(unit: TimeUnit): arrow.Timestamp {
  return new arrow.Timestamp(ARROW_UNIT[unit], 'UTC');
}

/** The unit of the column `name` when it is the time column of a table with a timeUnit. */
export function timestampUnitOf(time: TimeSpec, name: string, type: ColumnType): TimeUnit | null {
  return time !== null && time.timeUnit !== null && type === 'int64' && name === time.timeColumn ? time.timeUnit : null;
}

export function arrowTypeFor(type: ColumnType, timeUnit: TimeUnit | null = null): arrow.DataType {
  switch (type) {
    case 'int64': return timeUnit === null ? new arrow.Int64() : arrowTimestampOf(timeUnit);
    case 'float64': return new arrow.Float64();
    case 'bool': return new arrow.Bool();
    case 'string': return new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  }
}

export function arrowSchemaFor(columns: readonly ColumnDef[], time: TimeSpec = null): arrow.Schema {
  return new arrow.Schema(columns.map((c) => new arrow.Field(c.name, arrowTypeFor(c.type, timestampUnitOf(time, c.name, c.type)), false)));
}

function dataOf(field: arrow.Field, v: ColumnView, length: number): arrow.Data {
  if (v.type === 'int64' && arrow.DataType.isTimestamp(field.type)) return arrow.makeData({ type: field.type, length, data: v.values });
  return arrowDataOf(v, length);
}

export function recordBatchOf(schema: arrow.Schema, result: ScanResult): arrow.RecordBatch {
  const length = result.rowCount;
  const children = result.columns.map((v, i) => dataOf(schema.fields[i], v, length));
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children });
  return new arrow.RecordBatch(schema, struct);
}
