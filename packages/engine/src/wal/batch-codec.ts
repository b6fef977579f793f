// A batch of rows as a WAL payload: columns in schema order, each as one block of bytes.
//   int64/float64: 8·n bytes | bool: n bytes (0/1) |
//   string: dictCount u32, then per entry byteLength u32 + UTF-8, then n codes u32
// Records of type 2 (RECORD_TYPE_BATCH_NULLS) follow that with n validity bytes (0/1) per
// nullable column, in schema order; type 1 records (all records before nulls existed) have none.
import type { ColumnView } from '../column/column-view.js';
import type { ColumnDef, ColumnType } from '../schema/schema.js';
import { RECORD_TYPE_BATCH_NULLS, type WalRecord } from './record.js';
import type { ColumnValues, NormalizedBatch } from '../column/values.js';
import { codesOf, parsePayload, type PayloadLayout } from './payload-layout.js';
import { copyBytes } from '../util/copy-bytes.js';

const encoder = new TextEncoder();

interface StringPlan { dict: Uint8Array[]; codes: Uint32Array; bytes: number }

function planStrings(values: readonly string[]): StringPlan {
  const index = new Map<string, number>();
  const dict: Uint8Array[] = [];
  const codes = new Uint32Array(values.length);
  let bytes = 4 + 4 * values.length;
  for (let i = 0; i < values.length; i++) {
    let code = index.get(values[i]);
    if (code === undefined) {
      code = dict.length;
      const utf8 = encoder.encode(values[i]);
      dict.push(utf8);
      index.set(values[i], code);
      bytes += 4 + utf8.byteLength;
    }
    codes[i] = code;
  }
  return { dict, codes, bytes };
}

/**
 * Encode rows [from, to) straight from a block's buffers: strings go out as the block's own
 * dictionary codes, remapped to the entries the range uses — no string is touched per row.
 * The payload starts `headroomBytes` into the returned buffer (room for a record header).
 */
export function encodeBlockRange(types: readonly ColumnType[], columns: readonly ColumnView[], from: number, to: number, headroomBytes: number): Uint8Array {
  const n = to - from;
  const plans = columns.map((col) => {
    if (col.type !== 'string') return null;
    const remap = new Int32Array(col.dictionary.length).fill(-1);
    const used: Uint8Array[] = [];
    const codes = new Uint32Array(n);
    let bytes = 4 + 4 * n;
    for (let i = 0; i < n; i++) {
      const code = col.values[from + i];
      let m = remap[code];
      if (m === -1) {
        m = used.length;
        remap[code] = m;
        const utf8 = encoder.encode(col.dictionary[code]);
        used.push(utf8);
        bytes += 4 + utf8.byteLength;
      }
      codes[i] = m;
    }
    return { dict: used, codes, bytes };
  });
  let size = headroomBytes;
  types.forEach((t, c) => { size += t === 'string' ? plans[c]!.bytes : t === 'bool' ? n : 8 * n; });
  for (const col of columns) if (col.valid) size += n;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let at = headroomBytes;
  for (let c = 0; c < types.length; c++) {
    const col = columns[c];
    if (col.type === 'string') {
      at = writeStrings(out, dv, at, plans[c]!, n);
    } else {
      const width = col.type === 'bool' ? 1 : 8;
      const v = col.values;
      copyBytes(out, at, new Uint8Array(v.buffer, v.byteOffset + from * width, n * width)); // shared: see copy-bytes.ts
      at += n * width;
    }
  }
  for (const col of columns) {
    if (!col.valid) continue;
    copyBytes(out, at, col.valid.subarray(from, to));
    at += n;
  }
  if (at !== size) throw new Error('internal: WAL batch size mismatch');
  return out;
}

/**
 * The end of the longest run of rows from `from` (at most to `to`, at least one row) whose
 * payload fits in `maxPayloadBytes`: records are bounded by bytes as well as by rows.
 */
export function fitRows(columns: readonly ColumnView[], from: number, to: number, maxPayloadBytes: number): number {
  let perRow = 0;
  let head = 0;
  for (const col of columns) {
    if (col.type === 'string') { perRow += 4; head += 4; } else perRow += col.type === 'bool' ? 1 : 8;
    if (col.valid) perRow += 1;
  }
  const strings = columns.filter((c): c is Extract<ColumnView, { type: 'string' }> => c.type === 'string');
  if (strings.length === 0) return Math.min(to, from + Math.max(1, Math.floor((maxPayloadBytes - head) / perRow)));
  // Cheap bound first (every row's strings counted, 3 bytes per UTF-16 unit): almost always enough.
  let bound = head + (to - from) * perRow;
  for (const col of strings) for (let i = from; i < to && bound <= maxPayloadBytes; i++) bound += 4 + 3 * col.dictionary[col.values[i]].length;
  if (bound <= maxPayloadBytes) return to;
  // Exact: a dictionary entry costs its bytes once per record, at its first use.
  const seen = strings.map(() => new Set<number>());
  let bytes = head;
  for (let i = from; i < to; i++) {
    let row = perRow;
    strings.forEach((col, c) => {
      const code = col.values[i];
      if (!seen[c].has(code)) { seen[c].add(code); row += 4 + Buffer.byteLength(col.dictionary[code], 'utf8'); }
    });
    if (i > from && bytes + row > maxPayloadBytes) return i;
    bytes += row;
  }
  return to;
}

/** A block column as the WAL encoder reads it. */
/** A string column's payload: dictionary count, entries (length + UTF-8), codes. */
function writeStrings(out: Uint8Array, dv: DataView, at: number, plan: StringPlan, n: number): number {
  dv.setUint32(at, plan.dict.length, true);
  at += 4;
  for (const s of plan.dict) { dv.setUint32(at, s.byteLength, true); out.set(s, at + 4); at += 4 + s.byteLength; }
  out.set(new Uint8Array(plan.codes.buffer, plan.codes.byteOffset, 4 * n), at);
  return at + 4 * n;
}

/**
 * A batch as a payload. With `nullable`, the validity of those columns follows (a type 2 record);
 * without, there is none (type 1).
 */
export function encodeBatch(types: readonly ColumnType[], batch: NormalizedBatch, nullable: readonly boolean[] | null = null): Uint8Array {
  const n = batch.rowCount;
  const plans = types.map((t, c) => (t === 'string' ? planStrings(batch.columns[c] as string[]) : null));
  let size = 0;
  types.forEach((t, c) => { size += t === 'string' ? plans[c]!.bytes : t === 'bool' ? n : 8 * n; });
  if (nullable !== null) size += n * nullable.filter(Boolean).length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let at = 0;
  for (let c = 0; c < types.length; c++) {
    const col = batch.columns[c];
    switch (types[c]) {
      case 'int64': case 'float64': {
        const v = col as BigInt64Array | Float64Array;
        out.set(new Uint8Array(v.buffer, v.byteOffset, 8 * n), at);
        at += 8 * n;
        break;
      }
      case 'bool':
        out.set((col as Uint8Array).subarray(0, n), at);
        at += n;
        break;
      case 'string':
        at = writeStrings(out, dv, at, plans[c]!, n);
        break;
    }
  }
  if (nullable !== null) {
    nullable.forEach((isNullable, c) => {
      if (!isNullable) return;
      const v = batch.valid?.[c] ?? null;
      if (v === null) out.fill(1, at, at + n); else out.set(v.subarray(0, n), at);
      at += n;
    });
  }
  if (at !== size) throw new Error('internal: WAL batch size mismatch');
  return out;
}

/** A WAL record's rows, by its type: validity of the nullable columns only in type 2 records. */
export function decodeRecordBatch(columns: readonly ColumnDef[], rec: WalRecord): NormalizedBatch {
  return batchOfLayout(parseRecord(columns, rec));
}

/** A WAL record's payload, checked and described (payload-layout.ts). */
export function parseRecord(columns: readonly ColumnDef[], rec: WalRecord): PayloadLayout {
  const nullable = rec.type === RECORD_TYPE_BATCH_NULLS ? columns.map((c) => c.nullable === true) : null;
  return parsePayload(columns.map((c) => c.type), rec.rowCount, rec.payload, nullable);
}

export function decodeBatch(types: readonly ColumnType[], rowCount: number, bytes: Uint8Array, nullable: readonly boolean[] | null = null): NormalizedBatch {
  return batchOfLayout(parsePayload(types, rowCount, bytes, nullable));
}

/** A checked payload as arrays: numbers copied out (aligned, owned), strings per row. */
export function batchOfLayout(layout: PayloadLayout): NormalizedBatch {
  const { rowCount: n, bytes } = layout;
  const columns = layout.columns.map((col): ColumnValues => {
    if (col.type === 'string') {
      const out = new Array<string>(n);
      const codes = codesOf(bytes, col.at, n);
      for (let i = 0; i < n; i++) out[i] = col.dict[codes[i]];
      return out;
    }
    if (col.type === 'bool') return bytes.slice(col.at, col.at + n);
    const copy = bytes.slice(col.at, col.at + 8 * n);
    return col.type === 'int64' ? new BigInt64Array(copy.buffer) : new Float64Array(copy.buffer);
  });
  if (layout.valid === null) return { rowCount: n, columns };
  const valid = layout.valid.map((at) => (at === null ? null : bytes.slice(at, at + n)));
  return { rowCount: n, columns, valid };
}
