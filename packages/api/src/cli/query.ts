// Output of `btdb query`: an aligned table, CSV, or JSON lines with exact int64s.
import type { Reader } from '../reader.js';
import type { RowValue } from '../rows.js';
import type { AggValueSpec, FillMode } from '../read/aggregate-spec.js';
import type { AggFunction } from '@backtracedb/engine';
import { csvLine } from '../export.js';
import { jsonLine } from './values.js';

export type OutputFormat = 'table' | 'csv' | 'json';
/** Rows a table-format output buffers to size its columns; more are printed in further tables. */
const TABLE_PAGE_ROWS = 1000;

/** A null prints as an empty cell (as in CSV; JSON lines give null). */
function cell(v: unknown): string {
  if (v === null) return '';
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

/** What `btdb query` prints: column names, and rows in order. */
export interface QueryOutput {
  names: string[];
  rows: AsyncIterable<Record<string, unknown>>;
}

function integer(flag: string, v: string): bigint {
  if (!/^-?\d+$/.test(v.trim())) throw new Error(`${flag} must be an integer in time-column units, not "${v}"`);
  return BigInt(v.trim());
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Apply --order, --agg/--every/--origin/--by/--fill or --latest to a reader (throws on misuse). */
export function shapeQuery(reader: Reader<Record<string, RowValue>>, timeColumn: string, o: TimeSeriesFlags): QueryOutput {
  if (o.order !== undefined) reader.order(o.order as 'asc' | 'desc');
  const aggregating = o.agg.length > 0;
  if (!aggregating && (o.every !== undefined || o.origin !== undefined || o.by !== undefined || o.fill !== undefined)) throw new Error('--every, --origin, --by and --fill need at least one --agg name=fn:column');
  if (aggregating && o.latest !== undefined) throw new Error('--latest and --agg do not combine');
  if (o.latest !== undefined) {
    return { names: reader.columnDefs().map((c) => c.name), rows: reader.latest(list(o.latest)) };
  }
  if (!aggregating) return { names: reader.columnDefs().map((c) => c.name), rows: reader };
  const values: Record<string, AggValueSpec<Record<string, RowValue>>> = {};
  for (const a of o.agg) {
    const m = /^([^=]+)=([a-z]+)(?::(.+))?$/.exec(a.trim());
    if (m === null) throw new Error(`--agg "${a}": expected name=fn:column (or name=count)`);
    const [, name, fn, column] = m;
    if (name in values) throw new Error(`--agg "${a}": output "${name}" named twice`);
    values[name] = column === undefined ? [fn as 'count'] : [fn as AggFunction, column];
  }
  const by = o.by === undefined ? [] : list(o.by);
  const every = o.every === undefined ? undefined : integer('--every', o.every);
  const query = reader.aggregate({
    values, by,
    ...(every === undefined ? {} : { every }),
    ...(o.origin === undefined ? {} : { origin: integer('--origin', o.origin) }),
    ...(o.fill === undefined ? {} : { fill: o.fill as FillMode }),
  });
  return { names: [...(every === undefined ? [] : [timeColumn]), ...by, ...Object.keys(values)], rows: query };
}

export async function runQuery(output: QueryOutput, format: OutputFormat, limit: number, write: (s: string) => void): Promise<number> {
  const { names, rows } = output;
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
