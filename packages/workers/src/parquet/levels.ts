// Definition levels of OPTIONAL columns (flat: max level 1, so one bit per row: 1 = a value,
// 0 = null). In a data page v1 they open the page body: a u32 LE byte length, then the levels
// in the RLE / bit-packed hybrid encoding with bit width 1. The page's values that follow hold
// only the non-null rows. Kept apart from the page writer and reader: only nullable columns
// pass through here, and REQUIRED columns are written exactly as before.
import type { ColumnView } from '@backtracedb/engine';
import { presentRows } from '@backtracedb/engine/thread';

/** Rows [first, end) of a nullable column: its levels, and a view of only its non-null values. */
export interface OptionalRows {
  /** The page prefix: u32 length + hybrid-encoded levels. */
  readonly levels: Uint8Array;
  /** The non-null values, rows [0, count). */
  readonly view: ColumnView;
  readonly count: number;
}

/** All levels as bit-packed runs of 8 (one bit each; the last group padded with 0). */
export function encodeLevels(valid: Uint8Array | null, first: number, end: number): Uint8Array {
  const rows = end - first;
  const groups = Math.ceil(rows / 8);
  const header: number[] = [];
  for (let h = groups * 2 + 1; ; h = Math.floor(h / 128)) { if (h < 128) { header.push(h); break; } header.push((h % 128) | 0x80); }
  const body = 4 + header.length + groups;
  const out = new Uint8Array(body);
  new DataView(out.buffer).setUint32(0, body - 4, true);
  out.set(header, 4);
  const at = 4 + header.length;
  if (valid === null) {
    // Every row holds a value: whole bytes of ones, the last one's padding 0.
    out.fill(0xff, at, at + groups);
    if (rows % 8 !== 0) out[at + groups - 1] = (1 << (rows % 8)) - 1;
    return out;
  }
  // Eight levels a byte; validity bytes are 0 or 1, so shifts and ORs pack them.
  for (let g = 0; g < groups; g++) {
    const base = first + 8 * g;
    const take = Math.min(8, rows - 8 * g);
    let b = 0;
    for (let k = 0; k < take; k++) b |= valid[base + k] << k;
    out[at + g] = b;
  }
  return out;
}

/** Split rows [first, end) of a column into levels and the dense non-null values. */
export function optionalRows(view: ColumnView, first: number, end: number): OptionalRows {
  const levels = encodeLevels(view.valid ?? null, first, end);
  const dense = presentRows(view, first, end);
  return { levels, view: dense, count: dense.values.length };
}

/** Levels and values as one page body (v1 pages: the levels come first). */
export function withLevels(levels: Uint8Array, values: Uint8Array): Uint8Array {
  const out = new Uint8Array(levels.byteLength + values.byteLength);
  out.set(levels, 0);
  out.set(values, levels.byteLength);
  return out;
}

/**
 * Read a page's definition levels into valid[at … at + count) (1 = a value). Returns the
 * non-null count and where the values start in `body`.
 */
export function decodeLevels(body: Uint8Array, count: number, valid: Uint8Array, at: number): { present: number; valuesAt: number } {
  if (body.byteLength < 4) throw new Error('Parquet definition levels are truncated');
  const length = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true);
  const end = 4 + length;
  if (end > body.byteLength) throw new Error('Parquet definition levels run past their page');
  let pos = 4;
  let n = 0;
  let present = 0;
  while (n < count) {
    let header = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) throw new Error('Parquet definition level run is truncated');
      const b = body[pos++];
      header += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new Error('Parquet definition level run header is oversized');
    }
    if ((header & 1) === 0) {
      // RLE run: one byte holds the repeated level.
      const run = Math.min(header / 2, count - n);
      if (pos >= end) throw new Error('Parquet definition level run is truncated');
      const v = body[pos++];
      if (v > 1) throw new Error(`Parquet definition level ${v} in a flat column`);
      valid.fill(v, at + n, at + n + run);
      present += v * run;
      n += run;
    } else {
      const values = ((header - 1) / 2) * 8;
      if (pos + values / 8 > end) throw new Error('Parquet bit-packed definition levels are truncated');
      const take = Math.min(values, count - n);
      for (let i = 0; i < take; i++) {
        const v = (body[pos + (i >>> 3)] >>> (i & 7)) & 1;
        valid[at + n + i] = v;
        present += v;
      }
      pos += values / 8;
      n += take;
    }
  }
  return { present, valuesAt: end };
}

/**
 * Spread `present` values decoded densely at out[at …] to the rows their levels name
 * (back to front, so in place); a null row's slot gets `zero`.
 */
export function spreadValues(out: ColumnView, valid: Uint8Array, at: number, count: number, present: number, zero: number): void {
  const v = out.values as unknown as { [i: number]: number | bigint };
  const z = out.type === 'int64' ? 0n : zero;
  let src = at + present - 1;
  for (let i = at + count - 1; i >= at; i--) {
    if (valid[i] === 1) v[i] = v[src--];
    else v[i] = out.type === 'string' ? zero : z;
  }
}

