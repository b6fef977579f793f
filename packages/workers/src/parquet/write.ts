// The Parquet writer for the engine's blocks: straight from the column views to the subset
// the fast reader reads (docs/parquet-subset.md) — REQUIRED flat columns, data pages v1
// compressed with the table's codec (compress.ts), PLAIN numbers and bools, strings as a PLAIN
// dictionary page per row group plus bit-packed RLE_DICTIONARY indices. Uncompressed numeric
// pages are views of the source buffers until the one final copy into the file; there is no
// Arrow table, no IPC stream and no wasm heap (zstd's aside).
import { crc32 } from 'node:zlib';
import { endianness } from 'node:os';
import type { BlockLayout, ColumnType, ColumnView, TimeUnit } from '@backtracedb/engine';
import { copyBytes } from '@backtracedb/engine/thread';
import { Codec, Encoding, PageType, PhysicalType, Repetition } from './fields.js';
import { bin, i32, i64, list, struct, ThriftWriter, type ThriftOut } from './thrift-write.js';
import { optionalRows, withLevels } from './levels.js';
import { compressPage, withCompression } from './compress.js';
import { timestampAnnotation, timesForFile } from './timestamp.js';

if (endianness() !== 'LE') throw new Error('the Parquet writer copies little-endian memory as is');

const MAGIC = new TextEncoder().encode('PAR1');
const PHYSICAL: Readonly<Record<ColumnType, number>> = { bool: PhysicalType.BOOLEAN, int64: PhysicalType.INT64, float64: PhysicalType.DOUBLE, string: PhysicalType.BYTE_ARRAY };
const RLE = 3;
const UTF8 = 0; // ConvertedType

/**
 * `timestamp`: an int64 column written as Parquet TIMESTAMP of this unit (see timestamp.ts);
 * `nullable`: an OPTIONAL column with definition levels (see levels.ts).
 */
export interface ParquetColumn { readonly name: string; readonly type: ColumnType; readonly timestamp?: TimeUnit; readonly nullable?: boolean }
export interface WrittenParquet { readonly bytes: Uint8Array; readonly layout: BlockLayout }

/** `rawSize`: the body's bytes before compression; `storedSize`: as written (the same uncompressed). */
function pageHeader(type: number, rawSize: number, storedSize: number, numValues: number, encoding: number): Uint8Array {
  const body = type === PageType.DICTIONARY_PAGE
    ? [7, struct([1, i32(numValues)], [2, i32(encoding)])] as const
    : [5, struct([1, i32(numValues)], [2, i32(encoding)], [3, i32(RLE)], [4, i32(RLE)])] as const;
  return ThriftWriter.encode(struct([1, i32(type)], [2, i32(rawSize)], [3, i32(storedSize)], body));
}

function packBools(v: Uint8Array): Uint8Array {
  const out = new Uint8Array((v.length + 7) >>> 3);
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) out[i >>> 3] |= 1 << (i & 7);
  return out;
}

/** Bit width byte, then all indices as bit-packed groups of 8 (one run of the hybrid encoding). */
function packIndices(codes: Int32Array, width: number): Uint8Array {
  // No value (a row group whose strings are all null): the bit width alone, no run.
  if (codes.length === 0) return new Uint8Array([width]);
  const groups = Math.ceil(codes.length / 8);
  const header: number[] = [];
  for (let h = groups * 2 + 1; ; h = Math.floor(h / 128)) { if (h < 128) { header.push(h); break; } header.push((h % 128) | 0x80); }
  const out = new Uint8Array(1 + header.length + groups * width);
  out[0] = width;
  out.set(header, 1);
  const o = 1 + header.length;
  if (width <= 24) packNarrow(codes, width, out, o);
  else packWide(codes, groups, width, out, o);
  return out;
}

/**
 * Indices of up to 24 bits in 32-bit integer arithmetic: fewer than 8 bits wait in `acc`, so
 * one more index still fits (7 + 24 < 32). The padding of the last group stays 0 (`out` is new).
 */
function packNarrow(codes: Int32Array, width: number, out: Uint8Array, at: number): void {
  let o = at;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < codes.length; i++) {
    acc |= codes[i] << bits;
    bits += width;
    while (bits >= 8) { out[o++] = acc & 0xff; acc >>>= 8; bits -= 8; }
  }
  if (bits > 0) out[o] = acc & 0xff;
}

/** Wider indices (more than 16M strings in a row group): exact in float arithmetic. */
function packWide(codes: Int32Array, groups: number, width: number, out: Uint8Array, at: number): void {
  let o = at;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < groups * 8; i++) {
    acc += (i < codes.length ? codes[i] : 0) * 2 ** bits;
    bits += width;
    while (bits >= 8) { const low = acc & 0xff; out[o++] = low; acc = (acc - low) / 256; bits -= 8; }
  }
}

/** A row group's strings: its own dictionary (entries in first-use order) and indices into it. */
function stringPages(view: Extract<ColumnView, { type: 'string' }>, first: number, end: number): { dict: Uint8Array; dictCount: number; indices: Uint8Array } {
  const remap = new Int32Array(view.dictionary.length).fill(-1);
  const codes = new Int32Array(end - first);
  const used: string[] = [];
  for (let i = first; i < end; i++) {
    const c = view.values[i];
    let m = remap[c];
    if (m === -1) { m = used.length; remap[c] = m; used.push(view.dictionary[c]); }
    codes[i - first] = m;
  }
  const utf8 = used.map((s) => new TextEncoder().encode(s));
  const dict = new Uint8Array(utf8.reduce((n, b) => n + 4 + b.byteLength, 0));
  const dv = new DataView(dict.buffer);
  let at = 0;
  for (const b of utf8) { dv.setUint32(at, b.byteLength, true); dict.set(b, at + 4); at += 4 + b.byteLength; }
  const width = Math.max(1, 32 - Math.clz32(Math.max(0, used.length - 1)));
  return { dict, dictCount: used.length, indices: packIndices(codes, width) };
}

function bytesOf(v: BigInt64Array | Float64Array, first: number, end: number): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset + first * 8, (end - first) * 8);
}

/** Encode `rowCount` rows of `views` (schema column order) as Parquet; row groups of `rowGroupRows`. */
export function writeParquet(columns: readonly ParquetColumn[], views: readonly ColumnView[], rowCount: number, rowGroupRows: number, shared: boolean, createdBy = 'backtracedb', codec: number = Codec.UNCOMPRESSED): WrittenParquet {
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) throw new Error(`internal: rowGroupRows ${rowGroupRows}`);
  const parts: Uint8Array[] = [MAGIC];
  let offset = MAGIC.byteLength;
  const push = (b: Uint8Array): void => { parts.push(b); offset += b.byteLength; };
  const rowGroups: ThriftOut[] = [];
  const layout: Array<BlockLayout['rowGroups'][number]> = [];
  for (let first = 0; first < rowCount; first += rowGroupRows) {
    const end = Math.min(rowCount, first + rowGroupRows);
    const rows = end - first;
    const chunkMeta: ThriftOut[] = [];
    const ranges: Array<[number, number, number]> = [];
    let groupRawBytes = 0;
    columns.forEach((col, c) => {
      const view = views[c];
      if (view.type !== col.type) throw new Error(`internal: column "${col.name}" is ${view.type}, the schema says ${col.type}`);
      const start = offset;
      let crc = 0;
      let rawBytes = 0;
      // Every page body is compressed with the table's codec; the header records both sizes.
      const page = (type: number, raw: Uint8Array, numValues: number, encoding: number): void => {
        const body = compressPage(codec, raw);
        const header = pageHeader(type, raw.byteLength, body.byteLength, numValues, encoding);
        // Node's crc32 returns 0 for an empty view of an empty buffer whatever the running value
        // (an all-null row group's dictionary page is empty): empty bodies are left out of it.
        push(header); push(body); crc = crc32(header, crc); if (body.byteLength > 0) crc = crc32(body, crc);
        rawBytes += header.byteLength + raw.byteLength;
      };
      let dictionaryOffset: number | undefined;
      const dataOffset = (): number => offset;
      let dataAt: number;
      let encodings: number[];
      // OPTIONAL (nullable) columns: definition levels open the data page, values hold only non-nulls.
      const opt = col.nullable === true ? optionalRows(view, first, end) : null;
      const src = opt === null ? view : opt.view;
      const [from, to] = opt === null ? [first, end] : [0, opt.count];
      const data = (b: Uint8Array): Uint8Array => (opt === null ? b : withLevels(opt.levels, b));
      if (src.type === 'string') {
        const p = stringPages(src, from, to);
        dictionaryOffset = offset;
        page(PageType.DICTIONARY_PAGE, p.dict, p.dictCount, Encoding.PLAIN);
        dataAt = dataOffset();
        page(PageType.DATA_PAGE, data(p.indices), rows, Encoding.RLE_DICTIONARY);
        encodings = [Encoding.PLAIN, RLE, Encoding.RLE_DICTIONARY];
      } else {
        const body = data(src.type === 'bool' ? packBools(src.values.subarray(from, to))
          : src.type === 'int64' && col.timestamp !== undefined ? bytesOf(timesForFile(src.values.subarray(from, to), col.timestamp), 0, to - from)
          : bytesOf(src.values, from, to));
        dataAt = dataOffset();
        page(PageType.DATA_PAGE, body, rows, Encoding.PLAIN);
        encodings = [Encoding.PLAIN, RLE];
      }
      const size = offset - start;
      ranges.push([start, offset, crc]);
      groupRawBytes += rawBytes;
      chunkMeta.push(struct([2, i64(start)], [3, struct(
        [1, i32(PHYSICAL[col.type])], [2, list('i32', encodings.map(i32))], [3, list('bin', [bin(col.name)])], [4, i32(codec)],
        [5, i64(rows)], [6, i64(rawBytes)], [7, i64(size)], [9, i64(dataAt)], [11, dictionaryOffset === undefined ? undefined : i64(dictionaryOffset)],
      )]));
    });
    // total_byte_size is the uncompressed data's (parquet.thrift); total_compressed_size the file's.
    const groupBytes = ranges.reduce((n, [s, e]) => n + e - s, 0);
    rowGroups.push(struct([1, list('struct', chunkMeta)], [2, i64(groupRawBytes)], [3, i64(rows)], [6, i64(groupBytes)]));
    layout.push({ rowCount: rows, chunks: ranges });
  }
  const schema = [
    struct([4, bin('schema')], [5, i32(columns.length)]),
    ...columns.map((c) => {
      const ts = c.timestamp === undefined || c.type !== 'int64' ? null : timestampAnnotation(c.timestamp);
      return struct(
        [1, i32(PHYSICAL[c.type])], [3, i32(c.nullable === true ? Repetition.OPTIONAL : Repetition.REQUIRED)], [4, bin(c.name)],
        [6, c.type === 'string' ? i32(UTF8) : ts?.converted], [10, c.type === 'string' ? struct([1, struct()]) : ts?.logical],
      );
    }),
  ];
  const meta = ThriftWriter.encode(struct([1, i32(1)], [2, list('struct', schema)], [3, i64(rowCount)], [4, list('struct', rowGroups)], [6, bin(createdBy)]));
  push(meta);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, meta.byteLength, true);
  tail.set(MAGIC, 4);
  push(tail);
  // The one copy of the data: every part into the file's bytes.
  const bytes = new Uint8Array(shared ? new SharedArrayBuffer(offset) : new ArrayBuffer(offset));
  let at = 0;
  for (const p of parts) { copyBytes(bytes, at, p); at += p.byteLength; } // shared columns at any offset: copy-bytes.ts
  return { bytes, layout: withCompression({ rowGroups: layout }, codec) };
}
