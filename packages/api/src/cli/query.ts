// Output of `btdb query`: an aligned table, CSV, or JSON lines with exact int64s.
import type { Reader } from '../reader.js';
import { csvLine } from '../export.js';
import { jsonLine } from './values.js';

export type OutputFormat = 'table' | 'csv' | 'json';
/** Rows a table-format output buffers to size its columns; more are printed in further tables. */
const TABLE_PAGE_ROWS = 1000;

function cell(v: unknown): string {
  return typeof v === 'bigint' ? v.toString() : String(v);
}

export async function runQuery(reader: Reader<Record<string, unknown>>, format: OutputFormat, limit: number, write: (s: string) => void): Promise<number> {
  const names = reader.columnDefs().map((c) => c.name);
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
    for await (const row of reader) {
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
