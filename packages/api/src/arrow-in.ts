// Arrow in: an apache-arrow Table or RecordBatch → the columnar input of appendBatch, so it
// gets exactly appendBatch's validation. Types must match: Int64, Float64, Utf8 (or a
// dictionary of Utf8), Bool; no nulls. The time column of a table with a timeUnit may also be
// an Arrow Timestamp of that unit (what toArrow gives).
import * as arrow from 'apache-arrow';
import type { ResolvedSchema, TimeUnit } from '@backtracedb/engine';

function fail(schema: ResolvedSchema, column: string | null, what: string): never {
  throw new Error(column === null ? `table "${schema.name}": ${what}` : `table "${schema.name}", column "${column}": ${what}`);
}

/** One typed array from an Arrow vector's chunks (a view when there is a single chunk). */
function concat<T extends BigInt64Array | Float64Array>(v: arrow.Vector, make: (n: number) => T): T {
  const chunks = v.data.map((d) => (d.values as T).subarray(d.offset, d.offset + d.length) as T);
  if (chunks.length === 1) return chunks[0];
  const out = make(v.length);
  let at = 0;
  for (const c of chunks) { (out as Float64Array).set(c as Float64Array, at); at += c.length; }
  return out;
}

const UNIT_OF: Readonly<Record<number, TimeUnit>> = {
  [arrow.TimeUnit.SECOND]: 's', [arrow.TimeUnit.MILLISECOND]: 'ms', [arrow.TimeUnit.MICROSECOND]: 'us', [arrow.TimeUnit.NANOSECOND]: 'ns',
};

/** A Timestamp time column: its unit must be the table's (values are taken as they are, never rescaled). */
function checkTimestamp(schema: ResolvedSchema, t: arrow.Timestamp): void {
  const unit = UNIT_OF[t.unit];
  if (schema.timeUnit === null) fail(schema, schema.timeColumn, `got an Arrow ${t} column, but the table has no timeUnit: give an Int64 column`);
  if (unit !== schema.timeUnit) fail(schema, schema.timeColumn, `got an Arrow ${t} column, the table's timeUnit is '${schema.timeUnit}': convert it first`);
}

export function columnsFromArrow(schema: ResolvedSchema, input: unknown): Record<string, unknown> {
  let table: arrow.Table;
  if (input instanceof arrow.Table) table = input;
  else if (input instanceof arrow.RecordBatch) table = new arrow.Table([input]);
  else fail(schema, null, 'appendArrow expects an apache-arrow Table or RecordBatch');
  for (const f of table.schema.fields) if (!schema.indexOf.has(f.name)) fail(schema, f.name, 'unknown column');
  const out: Record<string, unknown> = {};
  for (const c of schema.columns) {
    const v = table.getChild(c.name);
    if (v === null) fail(schema, c.name, 'missing column');
    if (v.nullCount > 0) fail(schema, c.name, `${v.nullCount} null values (the engine stores no nulls)`);
    const t = v.type;
    switch (c.type) {
      case 'int64':
        if (arrow.DataType.isTimestamp(t) && c.name === schema.timeColumn) checkTimestamp(schema, t);
        else if (!arrow.DataType.isInt(t) || t.bitWidth !== 64 || !t.isSigned) fail(schema, c.name, `expected an Arrow Int64 column, got ${t}`);
        out[c.name] = concat(v, (n) => new BigInt64Array(n));
        break;
      case 'float64':
        if (!arrow.DataType.isFloat(t) || t.precision !== arrow.Precision.DOUBLE) fail(schema, c.name, `expected an Arrow Float64 column, got ${t}`);
        out[c.name] = concat(v, (n) => new Float64Array(n));
        break;
      case 'bool': {
        if (!arrow.DataType.isBool(t)) fail(schema, c.name, `expected an Arrow Bool column, got ${t}`);
        const bools = new Array<boolean>(v.length);
        for (let i = 0; i < v.length; i++) bools[i] = v.get(i) === true;
        out[c.name] = bools;
        break;
      }
      case 'string': {
        const ok = arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) || (arrow.DataType.isDictionary(t) && (arrow.DataType.isUtf8(t.dictionary) || arrow.DataType.isLargeUtf8(t.dictionary)));
        if (!ok) fail(schema, c.name, `expected an Arrow Utf8 or Dictionary<Utf8> column, got ${t}`);
        const strings = new Array<string>(v.length);
        for (let i = 0; i < v.length; i++) strings[i] = v.get(i) as string;
        out[c.name] = strings;
        break;
      }
    }
  }
  return out;
}
