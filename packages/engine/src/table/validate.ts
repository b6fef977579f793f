// Validation of appended rows and batches. Everything is checked before anything is
// written, so a rejected call leaves the table exactly as it was.
import { describeValue, type ColumnType, type ResolvedSchema } from '../schema/schema.js';

export type ColumnValues = BigInt64Array | Float64Array | Uint8Array | string[];
/** A validated batch in schema column order: int64 → BigInt64Array, bool → 0/1 bytes. */
export interface NormalizedBatch {
  rowCount: number;
  columns: ColumnValues[];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** One appendBatch call may carry at most this many rows (the WAL record limit follows from it). */
export const MAX_BATCH_ROWS = 4_000_000;

function fail(schema: ResolvedSchema, column: string | null, what: string): never {
  const where = column === null ? `table "${schema.name}"` : `table "${schema.name}", column "${column}"`;
  throw new Error(`${where}: ${what}`);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Why `v` does not fit `type`, or null when it fits. */
export function misfit(type: ColumnType, v: unknown): string | null {
  switch (type) {
    case 'int64':
      if (typeof v === 'bigint') return v >= INT64_MIN && v <= INT64_MAX ? null : `${v}n is outside the int64 range`;
      if (typeof v === 'number') return Number.isSafeInteger(v) ? null : `${v} is not a safe integer (pass a bigint)`;
      return `expected a bigint or safe-integer number, got ${typeName(v)} ${describeValue(v)}`;
    case 'float64':
      return typeof v === 'number' ? null : `expected a number, got ${typeName(v)} ${describeValue(v)}`;
    case 'string':
      return typeof v === 'string' ? null : `expected a string, got ${typeName(v)} ${describeValue(v)}`;
    case 'bool':
      return typeof v === 'boolean' ? null : `expected a boolean, got ${typeName(v)} ${describeValue(v)}`;
  }
}

/**
 * Check a row object against the schema; returns its time value.
 * Throws naming the table and column on any problem.
 */
export function checkRow(schema: ResolvedSchema, row: unknown, lastTime: bigint | null): bigint {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) fail(schema, null, `append expects a row object, got ${typeName(row)}`);
  const obj = row as Record<string, unknown>;
  const cols = schema.columns;
  let present = 0;
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    if (!schema.indexOf.has(key)) fail(schema, key, 'unknown column');
    present++;
  }
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    const v = obj[c.name];
    if (v === undefined && !(c.name in obj)) fail(schema, c.name, 'missing value');
    const why = misfit(c.type, v);
    if (why !== null) fail(schema, c.name, why);
  }
  if (present !== cols.length) fail(schema, null, 'row has missing or extra columns');
  const tv = obj[schema.timeColumn] as bigint | number;
  const t = typeof tv === 'bigint' ? tv : BigInt(tv);
  if (lastTime !== null && t < lastTime) {
    fail(schema, schema.timeColumn, `time goes backwards: ${t} after ${lastTime} (the time column must be non-decreasing)`);
  }
  return t;
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

function normalizeColumn(schema: ResolvedSchema, name: string, type: ColumnType, src: ArrayLike<unknown>, n: number): ColumnValues {
  switch (type) {
    case 'int64': {
      if (src instanceof BigInt64Array) return src;
      if (ArrayBuffer.isView(src)) fail(schema, name, `expected bigint[], number[] or BigInt64Array, got ${src.constructor.name}`);
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i];
        if (typeof v === 'bigint') {
          if (v < INT64_MIN || v > INT64_MAX) fail(schema, name, `row ${i}: ${v}n is outside the int64 range`);
          out[i] = v;
        } else if (typeof v === 'number' && Number.isSafeInteger(v)) {
          out[i] = BigInt(v);
        } else {
          fail(schema, name, `row ${i}: ${misfit('int64', v) ?? 'invalid value'}`);
        }
      }
      return out;
    }
    case 'float64': {
      if (src instanceof Float64Array) return src;
      if (ArrayBuffer.isView(src)) fail(schema, name, `expected number[] or Float64Array, got ${src.constructor.name}`);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i];
        if (typeof v !== 'number') fail(schema, name, `row ${i}: ${misfit('float64', v)}`);
        out[i] = v;
      }
      return out;
    }
    case 'bool': {
      const out = new Uint8Array(n);
      if (src instanceof Uint8Array) {
        for (let i = 0; i < n; i++) {
          const v = src[i];
          if (v > 1) fail(schema, name, `row ${i}: a Uint8Array bool column holds only 0 or 1, got ${v}`);
          out[i] = v;
        }
        return out;
      }
      if (ArrayBuffer.isView(src)) fail(schema, name, `expected boolean[] or Uint8Array, got ${src.constructor.name}`);
      for (let i = 0; i < n; i++) {
        const v = src[i];
        if (typeof v !== 'boolean') fail(schema, name, `row ${i}: ${misfit('bool', v)}`);
        out[i] = v ? 1 : 0;
      }
      return out;
    }
    case 'string': {
      if (!Array.isArray(src)) fail(schema, name, `expected string[], got ${typeName(src)}`);
      for (let i = 0; i < n; i++) {
        if (typeof src[i] !== 'string') fail(schema, name, `row ${i}: ${misfit('string', src[i])}`);
      }
      return src.slice(0, n) as string[];
    }
  }
}

/** Validate a columnar batch; returns owned, normalized columns in schema order. */
export function normalizeBatch(schema: ResolvedSchema, input: unknown, lastTime: bigint | null): NormalizedBatch {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail(schema, null, `appendBatch expects an object of columns, got ${typeName(input)}`);
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (!schema.indexOf.has(key)) fail(schema, key, 'unknown column');
  let n = -1;
  for (const c of schema.columns) {
    const src = obj[c.name];
    if (src === undefined) fail(schema, c.name, 'missing column');
    if (!isArrayLike(src)) fail(schema, c.name, `expected an array, got ${typeName(src)}`);
    if (n === -1) n = src.length;
    else if (src.length !== n) fail(schema, c.name, `length ${src.length} differs from the other columns (${n})`);
  }
  if (n > MAX_BATCH_ROWS) fail(schema, null, `a batch holds at most ${MAX_BATCH_ROWS} rows, got ${n}; split it`);
  const columns = schema.columns.map((c) => normalizeColumn(schema, c.name, c.type, obj[c.name] as ArrayLike<unknown>, n));
  const times = columns[schema.timeIndex] as BigInt64Array;
  if (n > 0 && lastTime !== null && times[0] < lastTime) {
    fail(schema, schema.timeColumn, `row 0: time goes backwards: ${times[0]} after ${lastTime} (the time column must be non-decreasing)`);
  }
  for (let i = 1; i < n; i++) {
    if (times[i] < times[i - 1]) {
      fail(schema, schema.timeColumn, `row ${i}: time goes backwards: ${times[i]} after ${times[i - 1]} (the time column must be non-decreasing)`);
    }
  }
  return { rowCount: n, columns };
}
