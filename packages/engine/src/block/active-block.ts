// The block that takes appends: column buffers on shared memory, filled in place.
// Values reaching here are already validated; writing cannot fail.
import type { ResolvedSchema } from '../schema/schema.js';
import { BYTES_PER_ROW, codeFor, ensureCapacity, INITIAL_CAPACITY_ROWS, newColumn, type ColumnStore, type StringDictionary } from './column-store.js';
import type { PayloadLayout } from '../wal/payload-layout.js';
import { copyBytes } from '../util/copy-bytes.js';
import type { NormalizedBatch } from '../column/values.js';

export interface ActiveBlock {
  /** Row sequence number (table-wide row index) of this block's first row. */
  readonly firstRowSeq: number;
  /** The block seals at this many rows; buffers never grow past it. */
  readonly capacityRows: number;
  readonly columns: readonly ColumnStore[];
  rowCount: number;
}

/** `columns`: fresh ones made for this block (newColumns, perhaps prefaulted); else new ones. */
export function newActiveBlock(schema: ResolvedSchema, firstRowSeq: number, capacityRows: number, columns?: readonly ColumnStore[]): ActiveBlock {
  if (!Number.isSafeInteger(capacityRows) || capacityRows < 1) throw new Error(`internal: bad block capacity ${capacityRows}`);
  if (columns === undefined) return { firstRowSeq, capacityRows, columns: newColumns(schema, capacityRows), rowCount: 0 };
  const fits = columns.length === schema.columns.length && columns.every((col, c) => {
    const def = schema.columns[c];
    return col.type === def.type && (col.validity !== null) === (def.nullable === true) && col.buffer.maxByteLength === capacityRows * BYTES_PER_ROW[col.type]
      && (col.type !== 'string' || col.dictionary.values.length === 0);
  });
  if (!fits) throw new Error('internal: the columns given for a new active block do not fit it');
  return { firstRowSeq, capacityRows, columns, rowCount: 0 };
}

/** Empty columns for a block of `schema` taking up to `capacityRows` rows. */
export function newColumns(schema: ResolvedSchema, capacityRows: number): ColumnStore[] {
  const initial = Math.min(capacityRows, INITIAL_CAPACITY_ROWS);
  return schema.columns.map((c) => newColumn(c.type, initial, capacityRows, c.nullable === true));
}

export function roomLeft(block: ActiveBlock): number {
  return block.capacityRows - block.rowCount;
}

/**
 * Copy rows [from, from + count) of a normalized batch into the block.
 * The caller guarantees `count <= roomLeft(block)`.
 */
export function writeBatch(block: ActiveBlock, batch: NormalizedBatch, from: number, count: number): void {
  if (count > roomLeft(block)) throw new Error('internal: write past block capacity');
  const at = block.rowCount;
  ensureCapacity(block.columns, at + count, block.capacityRows);
  for (let c = 0; c < block.columns.length; c++) {
    const col = block.columns[c];
    const src = batch.columns[c];
    switch (col.type) {
      case 'int64': col.values.set((src as BigInt64Array).subarray(from, from + count), at); break;
      case 'float64': col.values.set((src as Float64Array).subarray(from, from + count), at); break;
      case 'bool': col.values.set((src as Uint8Array).subarray(from, from + count), at); break;
      case 'string': {
        const strings = src as readonly string[];
        const codes = col.values;
        const dict = col.dictionary;
        for (let i = 0; i < count; i++) codes[at + i] = codeFor(dict, strings[from + i]);
        break;
      }
    }
    if (col.validity !== null) writeValidity(col.validity.values, batch.valid?.[c] ?? null, from, count, at);
  }
  block.rowCount = at + count;
}

/**
 * Copy rows [from, from + count) of a checked WAL payload into the block: numbers, string
 * codes and validity byte for byte (the engine runs little-endian, as the Parquet writer
 * requires), then string codes mapped from the record's dictionary to the block's, once per
 * entry the rows use (an entry no row uses never reaches the block's dictionary). The caller
 * guarantees room.
 */
export function writePayloadRows(block: ActiveBlock, layout: PayloadLayout, from: number, count: number): void {
  if (count > roomLeft(block) || from < 0 || from + count > layout.rowCount) throw new Error('internal: bad WAL payload row range');
  const at = block.rowCount;
  ensureCapacity(block.columns, at + count, block.capacityRows);
  const { bytes } = layout;
  for (let c = 0; c < block.columns.length; c++) {
    const col = block.columns[c];
    const src = layout.columns[c];
    if (col.type !== src.type) throw new Error('internal: WAL payload column type differs from the block\'s');
    const width = BYTES_PER_ROW[col.type];
    copyBytes(new Uint8Array(col.buffer, at * width, count * width), 0, bytes.subarray(src.at + from * width, src.at + (from + count) * width));
    if (col.type === 'string' && src.type === 'string') remapCodes(col.values, at, count, src.dict, col.dictionary);
    if (col.validity !== null) {
      const v = layout.valid?.[c] ?? null;
      writeValidity(col.validity.values, v === null ? null : bytes.subarray(v, v + layout.rowCount), from, count, at);
    }
  }
  block.rowCount = at + count;
}

/**
 * Codes [at, at + count) hold record dictionary indices (below `entries.length`: parsePayload
 * checked them): give each the block's code. The entries the rows use join the block's
 * dictionary in the record's order (a record lists its entries in order of first use), no
 * other entry does; when every used entry keeps its index — a fresh block's first record —
 * the codes stay as they are, and finding the used entries stops once all are seen.
 */
function remapCodes(codes: Int32Array, at: number, count: number, entries: readonly string[], dict: StringDictionary): void {
  const used = new Uint8Array(entries.length);
  let seen = 0;
  for (let i = at; i < at + count && seen < entries.length; i++) {
    const k = codes[i];
    if (used[k] === 0) { used[k] = 1; seen++; }
  }
  const remap = new Int32Array(entries.length);
  let same = true;
  for (let k = 0; k < entries.length; k++) {
    if (used[k] === 0) continue;
    remap[k] = codeFor(dict, entries[k]);
    if (remap[k] !== k) same = false;
  }
  if (same) return;
  for (let i = at; i < at + count; i++) codes[i] = remap[codes[i]];
}

/** A nullable column's validity for rows [from, from + count) of a batch; null: all present. */
function writeValidity(dst: Uint8Array, src: Uint8Array | null, from: number, count: number, at: number): void {
  if (src === null) dst.fill(1, at, at + count);
  else copyBytes(dst, at, src.subarray(from, from + count));
}

/** Write one validated row object (see checkRow). The caller guarantees room for it. */
export function writeRow(block: ActiveBlock, schema: ResolvedSchema, row: Readonly<Record<string, unknown>>): void {
  const at = block.rowCount;
  if (at >= block.capacityRows) throw new Error('internal: write past block capacity');
  const cols = block.columns;
  if (at >= cols[0].values.length) ensureCapacity(cols, at + 1, block.capacityRows);
  const defs = schema.columns;
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c];
    const v = row[defs[c].name];
    if (col.validity !== null) {
      const present = v !== null && v !== undefined;
      col.validity.values[at] = present ? 1 : 0;
      if (!present) { col.values[at] = col.type === 'int64' ? 0n : col.type === 'string' ? codeFor(col.dictionary, '') : 0; continue; }
    }
    switch (col.type) {
      case 'int64': col.values[at] = typeof v === 'bigint' ? v : BigInt(v as number); break;
      case 'float64': col.values[at] = v as number; break;
      case 'bool': col.values[at] = v ? 1 : 0; break;
      case 'string': col.values[at] = codeFor(col.dictionary, v as string); break;
    }
  }
  block.rowCount = at + 1;
}
