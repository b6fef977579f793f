// Validation of appended rows and batches. Everything is checked before anything is
// written, so a rejected call leaves the table exactly as it was.
import type { ColumnType, ResolvedSchema } from '../schema/schema.js';
import { INT64_MAX, INT64_MIN } from '../column/int64.js';
import { misfit, type ColumnValues, type NormalizedBatch } from '../column/values.js';
import { MAX_ROW_BYTES } from '../wal/record.js';
import { splitNulls } from './null-input.js';
import { timeRangeProblem } from '../column/time-unit.js';

/**
 * One appendBatch call may carry at most this many rows: it bounds the memory one call
 * validates at once. (WAL records are cut separately, by rows and by bytes: wal/record.ts.)
 */
export const MAX_BATCH_ROWS = 4_000_000;

export function fail(schema: ResolvedSchema, column: string | null, what: string): never {
  const where = column === null ? `table "${schema.name}"` : `table "${schema.name}", column "${column}"`;
  throw new Error(`${where}: ${what}`);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Payload bytes of one row in a WAL record of its own, but for its strings' UTF-8 bytes. */
export function fixedRowBytes(schema: ResolvedSchema): number {
  let n = 0;
  // A string costs its dictionary count, entry length and code (4 bytes each) plus its UTF-8.
  for (const c of schema.columns) n += c.type === 'string' ? 12 : c.type === 'bool' ? 1 : 8;
  return n;
}

/**
 * Refuse a row whose WAL payload would exceed MAX_ROW_BYTES (it could never be logged).
 * `values` are the row's checked values in schema order; `row` is its index in a batch.
 */
export function checkRowBytes(schema: ResolvedSchema, values: readonly unknown[], row: number | null): void {
  let bytes = fixedRowBytes(schema);
  let largest = -1;
  let largestBytes = -1;
  schema.columns.forEach((c, i) => {
    if (c.type !== 'string') return;
    const b = Buffer.byteLength((values[i] as string | null) ?? '', 'utf8');
    bytes += b;
    if (b > largestBytes) { largest = i; largestBytes = b; }
  });
  if (bytes <= MAX_ROW_BYTES) return;
  const at = row === null ? '' : `row ${row}: `;
  fail(schema, schema.columns[largest].name, `${at}the row takes ${bytes} bytes, more than the ${MAX_ROW_BYTES}-byte limit of one row (store large values elsewhere and keep a reference)`);
}

/**
 * Check a row object against the schema; returns its time value. Each value is read exactly
 * once (a getter may return something else the next time) and left in `out`, schema order,
 * for the writer: what is stored is what was checked.
 * Throws naming the table and column on any problem.
 */
export function checkRow(schema: ResolvedSchema, row: unknown, lastTime: bigint | null, out: unknown[]): bigint {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) fail(schema, null, `append expects a row object, got ${typeName(row)}`);
  const obj = row as Record<string, unknown>;
  const cols = schema.columns;
  let present = 0;
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    if (!schema.indexOf.has(key)) fail(schema, key, 'unknown column');
    present++;
  }
  let stringChars = 0;
  let absent = 0;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    if (c.nullable === true) {
      // A missing own key or undefined stores a null (an inherited value is not the row's).
      const own = Object.prototype.hasOwnProperty.call(obj, c.name);
      if (!own) absent++;
      const v = own ? obj[c.name] : undefined;
      if (v === null || v === undefined) { out[i] = null; continue; }
    }
    const v = obj[c.name];
    if (v === undefined && !(c.name in obj)) fail(schema, c.name, 'missing value');
    const why = misfit(c.type, v);
    if (why !== null) fail(schema, c.name, why);
    if (c.type === 'string') stringChars += (v as string).length;
    out[i] = v;
  }
  if (present !== cols.length - absent) fail(schema, null, 'row has missing or extra columns');
  // UTF-8 takes at most 3 bytes per UTF-16 unit: count exactly only when that bound is over.
  if (fixedRowBytes(schema) + 3 * stringChars > MAX_ROW_BYTES) checkRowBytes(schema, out, null);
  const tv = out[schema.timeIndex] as bigint | number;
  const t = typeof tv === 'bigint' ? tv : BigInt(tv);
  const range = timeRangeProblem(schema.timeUnit, t);
  if (range !== null) fail(schema, schema.timeColumn, range);
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
        const v: unknown = src[i];
        if (typeof v !== 'string' || !v.isWellFormed()) fail(schema, name, `row ${i}: ${misfit('string', v)}`);
      }
      return src.slice(0, n) as string[];
    }
  }
}

/**
 * Validate a columnar batch; returns owned, normalized columns in schema order. `ordered`
 * false: times may go backwards (a table with an outOfOrderWindow checks them itself).
 */
export function normalizeBatch(schema: ResolvedSchema, input: unknown, lastTime: bigint | null, ordered = true): NormalizedBatch {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail(schema, null, `appendBatch expects an object of columns, got ${typeName(input)}`);
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (!schema.indexOf.has(key)) fail(schema, key, 'unknown column');
  let n = -1;
  for (const c of schema.columns) {
    const src = obj[c.name];
    if (src === undefined && c.nullable === true) continue; // a missing nullable column: all null
    if (src === undefined) fail(schema, c.name, 'missing column');
    if (!isArrayLike(src)) fail(schema, c.name, `expected an array, got ${typeName(src)}`);
    if (n === -1) n = src.length;
    else if (src.length !== n) fail(schema, c.name, `length ${src.length} differs from the other columns (${n})`);
  }
  if (n > MAX_BATCH_ROWS) fail(schema, null, `a batch holds at most ${MAX_BATCH_ROWS} rows, got ${n}; split it`);
  const valid: Array<Uint8Array | null> = [];
  const columns = schema.columns.map((c, i) => {
    const src = obj[c.name] as ArrayLike<unknown> | undefined;
    if (c.nullable !== true) return normalizeColumn(schema, c.name, c.type, src as ArrayLike<unknown>, n);
    const split = splitNulls(c.type, src, n);
    valid[i] = split.valid;
    return normalizeColumn(schema, c.name, c.type, split.values, n);
  });
  const anyNulls = valid.some((v) => v !== null && v !== undefined);
  checkBatchRowBytes(schema, columns, n);
  const times = columns[schema.timeIndex] as BigInt64Array;
  for (let i = 0; schema.timeUnit === 's' && i < n; i++) {
    const range = timeRangeProblem(schema.timeUnit, times[i]);
    if (range !== null) fail(schema, schema.timeColumn, `row ${i}: ${range}`);
  }
  const withValidity = { rowCount: n, columns, ...(anyNulls ? { valid: schema.columns.map((_, i) => valid[i] ?? null) } : {}) };
  if (!ordered) return withValidity; // late rows: the window is checked by the caller
  if (n > 0 && lastTime !== null && times[0] < lastTime) {
    fail(schema, schema.timeColumn, `row 0: time goes backwards: ${times[0]} after ${lastTime} (the time column must be non-decreasing)`);
  }
  for (let i = 1; i < n; i++) {
    if (times[i] < times[i - 1]) {
      fail(schema, schema.timeColumn, `row ${i}: time goes backwards: ${times[i]} after ${times[i - 1]} (the time column must be non-decreasing)`);
    }
  }
  return withValidity;
}

/** Refuse a batch holding a row too big for one WAL record (see checkRowBytes). */
function checkBatchRowBytes(schema: ResolvedSchema, columns: readonly ColumnValues[], n: number): void {
  const strings = schema.columns.map((c, i) => (c.type === 'string' ? columns[i] as string[] : null)).filter((c): c is string[] => c !== null);
  if (strings.length === 0) return;
  // Cheap bound first: the longest string of each column, 3 bytes per UTF-16 unit.
  let bound = fixedRowBytes(schema);
  for (const col of strings) { let m = 0; for (let i = 0; i < n; i++) if (col[i].length > m) m = col[i].length; bound += 3 * m; }
  if (bound <= MAX_ROW_BYTES) return;
  const values = new Array<unknown>(schema.columns.length);
  for (let r = 0; r < n; r++) {
    schema.columns.forEach((c, i) => { if (c.type === 'string') values[i] = (columns[i] as string[])[r]; });
    checkRowBytes(schema, values, r);
  }
}
