// Output of `btdb query`: an aligned table, CSV, or JSON lines with exact int64s.
import type { Reader } from '../reader.js';
import type { RowValue } from '../rows.js';
import type { AggValueSpec, FillMode } from '../read/aggregate-spec.js';
import { formatIsoTime, type AggFunction, type TimeUnit } from '@backtracedb/engine';
import { csvLine } from '../export.js';
import { jsonLine } from './values.js';

export type OutputFormat = 'table' | 'csv' | 'json';
/** Rows a table-format output buffers to size its columns; more are printed in further tables. */
const TABLE_PAGE_ROWS = 1000;

function cell(v: unknown): string {
  return typeof v === 'bigint' ? v.toString() : String(v);
}

/** The time-series flags of `btdb query`, as given. */
export interface TimeSeriesFlags {
  every?: string;
  origin?: string;
  by?: string;
  agg: string[];
  fill?: string;
  latest?: string;
  order?: string;
}

/** What `btdb query` prints: column names, rows in order, and the column printed as ISO-8601 times. */
export interface QueryOutput {
  names: string[];
  rows: AsyncIterable<Record<string, unknown>>;
  isoTime?: { readonly name: string; readonly unit: TimeUnit } | null;
}

/** An integer in time-column units; with a timeUnit also a duration ('1m') or an ISO time (aggregate checks those). */
function timeFlag(flag: string, v: string, unit: TimeUnit | null): bigint | string {
  if (/^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  if (unit !== null) return v.trim();
  throw new Error(`${flag} must be an integer in time-column units, not "${v}" (durations and ISO times need a timeUnit on the table)`);
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Apply --order, --agg/--every/--origin/--by/--fill or --latest to a reader (throws on misuse). */
export function shapeQuery(reader: Reader<Record<string, RowValue>>, timeColumn: string, o: TimeSeriesFlags): QueryOutput {
  if (o.order !== undefined) reader.order(o.order as 'asc' | 'desc');
  const aggregating = o.agg.length > 0;
  if (!aggregating && (o.every !== undefined || o.origin !== undefined || o.by !== undefined || o.fill !== undefined)) throw new Error('--every, --origin, --by and --fill need at least one --agg name=fn:column');
  if (aggregating && o.latest !== undefined) throw new Error('--latest and --agg do not combine');
  const unit = reader.scanner.schema.timeUnit;
  const isoTime = unit === null ? null : { name: timeColumn, unit };
  if (o.latest !== undefined) {
    return { names: reader.columnDefs().map((c) => c.name), rows: reader.latest(list(o.latest)), isoTime };
  }
  if (!aggregating) return { names: reader.columnDefs().map((c) => c.name), rows: reader, isoTime };
  const values: Record<string, AggValueSpec<Record<string, RowValue>>> = {};
  for (const a of o.agg) {
    const m = /^([^=]+)=([a-z]+)(?::(.+))?$/.exec(a.trim());
    if (m === null) throw new Error(`--agg "${a}": expected name=fn:column (or name=count)`);
    const [, name, fn, column] = m;
    if (name in values) throw new Error(`--agg "${a}": output "${name}" named twice`);
    values[name] = column === undefined ? [fn as 'count'] : [fn as AggFunction, column];
  }
  const by = o.by === undefined ? [] : list(o.by);
  const every = o.every === undefined ? undefined : timeFlag('--every', o.every, unit);
  const query = reader.aggregate({
    values, by,
    ...(every === undefined ? {} : { every }),
    ...(o.origin === undefined ? {} : { origin: timeFlag('--origin', o.origin, unit) }),
    ...(o.fill === undefined ? {} : { fill: o.fill as FillMode }),
  });
  // A value output named like the time column is a value, not a time.
  return { names: [...(every === undefined ? [] : [timeColumn]), ...by, ...Object.keys(values)], rows: query, isoTime: timeColumn in values ? null : isoTime };
}

export async function runQuery(output: QueryOutput, format: OutputFormat, limit: number, write: (s: string) => void): Promise<number> {
  const { names, isoTime } = output;
  let rows = output.rows;
  if (isoTime != null) rows = isoRows(rows, isoTime.name, isoTime.unit);
  let n = 0;
  let pending: string[][] = [];
  const flushTable = () => {
    const widths = names.map((h, c) => Math.max(h.length, ...pending.map((r) => r[c].length)));
    const line = (cells: string[]) => cells.map((s, c) => s.padEnd(widths[c])).join('  ').trimEnd();
    write(`${line(names)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
    for (const r of pending) write(`${line(r)}\n`);
    pending = [];
  };
  if (format === 'csv') write(`${csvLine(names)}\n`);
  if (limit > 0) {
    for await (const row of rows) {
      if (format === 'json') write(`${jsonLine(row)}\n`);
      else if (format === 'csv') write(`${csvLine(names.map((k) => row[k]))}\n`);
      else { pending.push(names.map((k) => cell(row[k]))); if (pending.length === TABLE_PAGE_ROWS) flushTable(); }
      if (++n >= limit) break;
    }
  }
  if (format === 'table' && (pending.length > 0 || n === 0)) flushTable();
  if (format === 'table') write(`(${n} row${n === 1 ? '' : 's'})\n`);
  return n;
}

/** Rows with the time column as ISO-8601 text in UTC, at the unit's precision. */
async function* isoRows(rows: AsyncIterable<Record<string, unknown>>, name: string, unit: TimeUnit): AsyncGenerator<Record<string, unknown>> {
  for await (const row of rows) {
    const v = row[name];
    yield typeof v === 'bigint' ? { ...row, [name]: formatIsoTime(v, unit) } : row;
  }
}
