// Text → typed values, for --where filters and CSV import: the same words for both.
import { INT64_MAX, INT64_MIN, parseIsoTime } from '@backtracedb/engine';
import type { ColumnType, ResolvedSchema } from '@backtracedb/engine';
import { COMPARE_OPS, type CompareOp } from '@backtracedb/engine';
import type { RowValue } from '../rows.js';


export function parseValue(type: ColumnType, text: string): RowValue {
  const t = text.trim();
  switch (type) {
    case 'int64': {
      if (!/^[+-]?\d+$/.test(t)) throw new Error(`"${text}" is not an integer`);
      // Checked here, per value: a batch append would reject the whole batch for one of them.
      // (More than 19 significant digits never fits: no BigInt of a huge string.)
      const v = t.replace(/^[+-]?0*/, '').length > 19 ? INT64_MAX + 1n : BigInt(t);
      if (v < INT64_MIN || v > INT64_MAX) throw new Error(`"${text}" is outside the int64 range`);
      return v;
    }
    case 'float64': {
      if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|NaN)$/.test(t)) throw new Error(`"${text}" is not a number`);
      return Number(t);
    }
    case 'bool':
      if (/^(true|1)$/i.test(t)) return true;
      if (/^(false|0)$/i.test(t)) return false;
      throw new Error(`"${text}" is not a boolean (true/false)`);
    case 'string':
      return text;
  }
}

/**
 * The value of column `index` from text: as parseValue, and on the time column of a table with
 * a timeUnit also an ISO-8601 time (2024-01-31T12:00:00Z), converted to the unit exactly.
 */
export function parseColumnValue(schema: ResolvedSchema, index: number, text: string): RowValue {
  const type = schema.columns[index].type;
  const unit = schema.timeUnit;
  if (index !== schema.timeIndex || unit === null || /^\s*[+-]?\d+\s*$/.test(text)) return parseValue(type, text);
  try {
    return parseIsoTime(text.trim(), unit, 'time');
  } catch (err) {
    throw new Error(`"${text}" is neither an integer nor an ISO-8601 time in '${unit}' (${(err as Error).message.replace(/^time: /, '')})`);
  }
}

/** "<column> <op> <value>", e.g. `price > 20000` or `symbol == "BTC"`. */
export function parseWhere(schema: ResolvedSchema, clause: string): [string, CompareOp, RowValue] {
  const m = /^\s*(\S+)\s*(==|!=|>=|<=|>|<)\s*(.*)$/.exec(clause);
  if (m === null) throw new Error(`--where "${clause}": expected "<column> <op> <value>" with op one of ${COMPARE_OPS.join(' ')}`);
  const [, column, op, raw] = m;
  const index = schema.indexOf.get(column);
  if (index === undefined) throw new Error(`--where "${clause}": table "${schema.name}" has no column "${column}"`);
  let text = raw.trim();
  if (/^(["']).*\1$/.test(text)) text = text.slice(1, -1);
  try {
    return [column, op as CompareOp, parseColumnValue(schema, index, text)];
  } catch (err) {
    throw new Error(`--where "${clause}": ${(err as Error).message}`);
  }
}

/** JSON with int64 written as exact integer literals (never rounded through a double). */
export function jsonLine(row: Record<string, unknown>): string {
  const parts = Object.entries(row).map(([k, v]) => `${JSON.stringify(k)}:${typeof v === 'bigint' ? v.toString() : JSON.stringify(Number.isFinite(v as number) || typeof v !== 'number' ? v : String(v))}`);
  return `{${parts.join(',')}}`;
}
