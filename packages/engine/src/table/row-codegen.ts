// Per-schema row checker and writer, generated once per table. A row append is the engine's
// hottest path; a function with the column names and types baked in is monomorphic, where a
// generic loop over the schema switches on the type of every column of every row.
// Names are validated (letters, digits, '_', '-') and quoted with JSON.stringify.
import type { ColumnStore } from '../block/column-store.js';
import type { ResolvedSchema } from '../schema/schema.js';
import { checkRow } from './validate.js';

export type RowChecker = (row: unknown, lastTime: bigint | null) => bigint;
export type RowWriter = (columns: readonly ColumnStore[], row: Record<string, unknown>, at: number) => void;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Fast acceptance of well-formed rows; anything else goes to checkRow for the exact error. */
export function compileRowChecker(schema: ResolvedSchema): RowChecker {
  const lines: string[] = [
    'if (row === null || typeof row !== "object" || Array.isArray(row)) return slow(row, lastTime);',
    'let n = 0; for (const k in row) n++;',
    `if (n !== ${schema.columns.length}) return slow(row, lastTime);`,
  ];
  schema.columns.forEach((c, i) => {
    const v = `v${i}`;
    lines.push(`const ${v} = row[${JSON.stringify(c.name)}];`);
    switch (c.type) {
      case 'int64': lines.push(`if (typeof ${v} === "bigint" ? (${v} < MIN || ${v} > MAX) : !(typeof ${v} === "number" && Number.isSafeInteger(${v}))) return slow(row, lastTime);`); break;
      case 'float64': lines.push(`if (typeof ${v} !== "number") return slow(row, lastTime);`); break;
      case 'string': lines.push(`if (typeof ${v} !== "string") return slow(row, lastTime);`); break;
      case 'bool': lines.push(`if (typeof ${v} !== "boolean") return slow(row, lastTime);`); break;
    }
  });
  const tv = `v${schema.timeIndex}`;
  lines.push(`const t = typeof ${tv} === "bigint" ? ${tv} : BigInt(${tv});`);
  lines.push('if (lastTime !== null && t < lastTime) return slow(row, lastTime);');
  lines.push('return t;');
  const make = new Function('slow', 'MIN', 'MAX', `return function checkRowFast(row, lastTime) {\n${lines.join('\n')}\n};`) as
    (slow: RowChecker, min: bigint, max: bigint) => RowChecker;
  return make((row, lastTime) => checkRow(schema, row, lastTime), INT64_MIN, INT64_MAX);
}

/** Writes one checked row at index `at` (capacity already ensured). */
export function compileRowWriter(schema: ResolvedSchema): RowWriter {
  const lines: string[] = [];
  schema.columns.forEach((c, i) => {
    const v = `row[${JSON.stringify(c.name)}]`;
    switch (c.type) {
      case 'int64': lines.push(`{ const v = ${v}; columns[${i}].values[at] = typeof v === "bigint" ? v : BigInt(v); }`); break;
      case 'float64': lines.push(`columns[${i}].values[at] = ${v};`); break;
      case 'bool': lines.push(`columns[${i}].values[at] = ${v} ? 1 : 0;`); break;
      case 'string': lines.push(`{ const v = ${v}; const d = columns[${i}].dictionary; let k = d.codeOf.get(v); if (k === undefined) { k = d.values.length; d.values.push(v); d.codeOf.set(v, k); } columns[${i}].values[at] = k; }`); break;
    }
  });
  return new Function('columns', 'row', 'at', lines.join('\n')) as RowWriter;
}
