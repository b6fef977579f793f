// The time column of a table with a timeUnit, in Parquet: INT64 annotated as TIMESTAMP
// (isAdjustedToUTC, unit MILLIS / MICROS / NANOS, plus the legacy TIMESTAMP_MILLIS / _MICROS
// converted type). Parquet has no seconds unit: a 's' table's times are stored as milliseconds
// (× 1000 on write) and divided back on read, so queries, zone maps and results stay in seconds.
import type { ColumnView, TableSchema, TimeUnit } from '@backtracedb/engine';
import type { ParquetColumn } from './write.js';
import { ConvertedType, LogicalType, TimestampType, TimestampUnit } from './fields.js';
import { bool, i32, struct, type ThriftOut } from './thrift-write.js';

/** The unit a file stores: seconds become milliseconds. */
type FileTimeUnit = Exclude<TimeUnit, 's'>;
const fileUnitOf = (unit: TimeUnit): FileTimeUnit => (unit === 's' ? 'ms' : unit);

const UNIT_FIELD: Readonly<Record<FileTimeUnit, number>> = { ms: TimestampUnit.MILLIS, us: TimestampUnit.MICROS, ns: TimestampUnit.NANOS };
const CONVERTED: Readonly<Record<FileTimeUnit, number | undefined>> = { ms: ConvertedType.TIMESTAMP_MILLIS, us: ConvertedType.TIMESTAMP_MICROS, ns: undefined };

/** The SchemaElement fields converted_type (6) and logicalType (10) of a timestamp column. */
export function timestampAnnotation(unit: TimeUnit): { converted: ThriftOut | undefined; logical: ThriftOut } {
  const u = fileUnitOf(unit);
  // Milliseconds and microseconds are marked as UTC instants (DuckDB reads TIMESTAMP WITH TIME
  // ZONE). Nanoseconds are not: DuckDB's zoned type holds microseconds and cut them, while an
  // unmarked NANOS column reads as TIMESTAMP_NS with every nanosecond (as DuckDB writes it).
  const timestamp = struct([TimestampType.isAdjustedToUTC, bool(u !== 'ns')], [TimestampType.unit, struct([UNIT_FIELD[u], struct()])]);
  const converted = CONVERTED[u];
  return { converted: converted === undefined ? undefined : i32(converted), logical: struct([LogicalType.TIMESTAMP, timestamp]) };
}

/** A row range of times in the file's unit: for 's', a scaled copy; otherwise the values as they are. */
export function timesForFile(values: BigInt64Array, unit: TimeUnit | undefined): BigInt64Array {
  if (unit !== 's') return values;
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * 1000n;
  return out;
}

/**
 * What the time values of a table's block files are divided by to give the table's unit:
 * 1000n for 's' (stored as milliseconds), else 1n. Decided by the table, not the file, so a
 * whole-file read and a column-chunk read (which never sees the footer) always agree.
 */
export function fileTimeDivisor(tableUnit: TimeUnit | null | undefined): bigint {
  return tableUnit === 's' ? 1000n : 1n;
}

/** Divide the first `n` values in place (file milliseconds → table seconds). */
export function timesFromFile(values: BigInt64Array, n: number, divisor: bigint): void {
  if (divisor === 1n) return;
  for (let i = 0; i < n; i++) values[i] /= divisor;
}

/** A table's columns as the writer takes them: the time column as a timestamp when the table has a timeUnit. */
export function parquetColumnsOf(schema: Pick<TableSchema, 'columns' | 'timeColumn' | 'timeUnit'>): ParquetColumn[] {
  return schema.columns.map((c) => (schema.timeUnit !== undefined && c.name === schema.timeColumn ? { ...c, timestamp: schema.timeUnit } : c));
}

/** The index of the time column in `columns` (the decoded ones), or -1. */
function timeSlot(schema: Pick<TableSchema, 'columns' | 'timeColumn'>, columns: readonly number[]): number {
  return columns.findIndex((c) => schema.columns[c]?.name === schema.timeColumn);
}

/** Decoded block columns (schema indexes `columns`) → the table's unit, in place. */
export function timesToTableUnit(schema: Pick<TableSchema, 'columns' | 'timeColumn' | 'timeUnit'>, columns: readonly number[], views: readonly ColumnView[], rowCount: number): void {
  const divisor = fileTimeDivisor(schema.timeUnit);
  if (divisor === 1n) return;
  const slot = timeSlot(schema, columns);
  const v = slot < 0 ? undefined : views[slot];
  if (v !== undefined && v.type === 'int64') timesFromFile(v.values, rowCount, divisor);
}
