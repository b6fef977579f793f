// Per-schema row checker and writer, generated once per table. A row append is the engine's
// hottest path; a function with the column names and types baked in is monomorphic, where a
// generic loop over the schema switches on the type of every column of every row.
// Names are validated (letters, digits, '_', '-') and quoted with JSON.stringify.
// Each value of a row is read exactly once — by the checker, into `out` — and the writer
// writes `out`: a getter returning something else on a second read cannot slip past the check.
import { INT64_MAX, INT64_MIN } from '../column/int64.js';
import { codeFor, type ColumnStore } from '../block/column-store.js';
import type { ResolvedSchema } from '../schema/schema.js';
import { MAX_ROW_BYTES } from '../wal/record.js';
import { checkRow, checkRowBytes, fail, fixedRowBytes } from './validate.js';
import { misfit } from '../column/values.js';

/** Checks `row`, leaves its values in `out` (schema order) and returns its time. */
export type RowChecker = (row: unknown, lastTime: bigint | null, out: unknown[]) => bigint;
/** Writes the values a RowChecker left in `values` at index `at` (capacity already ensured). */
export type RowWriter = (columns: readonly ColumnStore[], values: readonly unknown[], at: number) => void;


/** Fast acceptance of well-formed rows; the exact error comes from the same values. */
/**
 * Compiled once per schema object: a read-only table rebuilds its blocks (and so asked for these)
 * at each manifest change, and compiling costs ~1 ms per open.
 */
const checkers = new WeakMap<ResolvedSchema, RowChecker>();
const writers = new WeakMap<ResolvedSchema, RowWriter>();

export function compileRowChecker(schema: ResolvedSchema): RowChecker {
  let f = checkers.get(schema);
  if (f === undefined) { f = buildRowChecker(schema); checkers.set(schema, f); }
  return f;
}

export function compileRowWriter(schema: ResolvedSchema): RowWriter {
  let f = writers.get(schema);
  if (f === undefined) { f = buildRowWriter(schema); writers.set(schema, f); }
  return f;
}

function buildRowChecker(schema: ResolvedSchema): RowChecker {
  const lines: string[] = [
    'if (row === null || typeof row !== "object" || Array.isArray(row)) return slow(row, lastTime, out);',
    'let n = 0; for (const k in row) n++;',
    // Not one key per column: the slow path finds the unknown, missing or inherited key.
    `if (n !== ${schema.columns.length}) return slow(row, lastTime, out);`,
  ];
  const strings: string[] = [];
  schema.columns.forEach((c, i) => {
    const v = `v${i}`;
    lines.push(`const ${v} = row[${JSON.stringify(c.name)}];`);
    // A nullable column checks its type only when a value is there (null or undefined store a null).
    const when = c.nullable === true ? `${v} != null && ` : '';
    switch (c.type) {
      case 'int64': lines.push(`if (${when}(typeof ${v} === "bigint" ? (${v} < MIN || ${v} > MAX) : !(typeof ${v} === "number" && Number.isSafeInteger(${v})))) bad(row, ${i}, ${v});`); break;
      case 'float64': lines.push(`if (${when}typeof ${v} !== "number") bad(row, ${i}, ${v});`); break;
      case 'string': lines.push(`if (${when}(typeof ${v} !== "string" || !${v}.isWellFormed())) bad(row, ${i}, ${v});`); strings.push(c.nullable === true ? `(${v} == null ? 0 : ${v}.length)` : `${v}.length`); break;
      case 'bool': lines.push(`if (${when}typeof ${v} !== "boolean") bad(row, ${i}, ${v});`); break;
    }
    lines.push(c.nullable === true ? `out[${i}] = ${v} === undefined ? null : ${v};` : `out[${i}] = ${v};`);
  });
  if (strings.length > 0) {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: count exactly only when that bound is over.
    const maxChars = Math.floor((MAX_ROW_BYTES - fixedRowBytes(schema)) / 3);
    lines.push(`if (${strings.join(' + ')} > ${maxChars}) big(out);`);
  }
  const tv = `v${schema.timeIndex}`;
  lines.push(`const t = typeof ${tv} === "bigint" ? ${tv} : BigInt(${tv});`);
  // A 's' table's times must fit as milliseconds (see timeRangeProblem): the slow path says why.
  if (schema.timeUnit === 's') lines.push(`if (t > ${INT64_MAX / 1000n}n || t < ${INT64_MIN / 1000n}n) return slow(row, lastTime, out);`);
  lines.push('if (lastTime !== null && t < lastTime) back(t, lastTime);');
  lines.push('return t;');
  const make = new Function('slow', 'bad', 'big', 'back', 'MIN', 'MAX', `return function checkRowFast(row, lastTime, out) {\n${lines.join('\n')}\n};`) as
    (slow: RowChecker, bad: (row: object, i: number, v: unknown) => never, big: (values: unknown[]) => void, back: (t: bigint, last: bigint) => never, min: bigint, max: bigint) => RowChecker;
  const bad = (row: object, i: number, v: unknown): never => {
    const c = schema.columns[i];
    if (v === undefined && !(c.name in row)) fail(schema, c.name, 'missing value');
    return fail(schema, c.name, misfit(c.type, v) ?? 'invalid value');
  };
  const back = (t: bigint, last: bigint): never =>
    fail(schema, schema.timeColumn, `time goes backwards: ${t} after ${last} (the time column must be non-decreasing)`);
  return make((row, lastTime, out) => checkRow(schema, row, lastTime, out), bad, (values) => checkRowBytes(schema, values, null), back, INT64_MIN, INT64_MAX);
}

/** Writes one checked row's values at index `at` (capacity already ensured). */
function buildRowWriter(schema: ResolvedSchema): RowWriter {
  const lines: string[] = [];
  schema.columns.forEach((c, i) => {
    const v = `values[${i}]`;
    if (c.nullable === true) {
      // A null: validity 0, and the type's zero in the value slot (the code of '' for strings).
      const zero = c.type === 'int64' ? '0n' : c.type === 'string' ? `codeOf(columns[${i}].dictionary, "")` : '0';
      lines.push(`if (${v} === null) { columns[${i}].validity.values[at] = 0; columns[${i}].values[at] = ${zero}; } else {`);
      lines.push(`columns[${i}].validity.values[at] = 1;`);
    }
    switch (c.type) {
      case 'int64': lines.push(`{ const v = ${v}; columns[${i}].values[at] = typeof v === "bigint" ? v : BigInt(v); }`); break;
      case 'float64': lines.push(`columns[${i}].values[at] = ${v};`); break;
      case 'bool': lines.push(`columns[${i}].values[at] = ${v} ? 1 : 0;`); break;
      case 'string': lines.push(`{ const v = ${v}; const d = columns[${i}].dictionary; let k = d.codeOf.get(v); if (k === undefined) { k = d.values.length; d.values.push(v); d.codeOf.set(v, k); } columns[${i}].values[at] = k; }`); break;
    }
    if (c.nullable === true) lines.push('}');
  });
  const make = new Function('codeOf', `return function writeRowFast(columns, values, at) {\n${lines.join('\n')}\n};`) as (codeOf: typeof codeFor) => RowWriter;
  return make(codeFor);
}
