// Page decoding for the subset our writer produces: data pages v1 (uncompressed, SNAPPY or ZSTD) of PLAIN
// INT64/DOUBLE/BOOLEAN/BYTE_ARRAY and RLE_DICTIONARY indices, REQUIRED columns. Anything else
// throws UnsupportedParquetError so the caller falls back to parquet-wasm.
import { num, struct, ThriftReader, UnsupportedParquetError } from './thrift.js';
import { Codec, DataPageHeader, Encoding, PageHeader, PageType } from './fields.js';
import { decompressPage } from './compress.js';
import { copyBytes } from '@backtracedb/engine/thread';

export interface Page {
  readonly kind: 'data' | 'dictionary';
  readonly numValues: number;
  readonly encoding: number;
  /** The page's bytes after its header. */
  readonly body: Uint8Array;
}

const { PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY } = Encoding;

/** Split a column chunk into its pages, each body inflated from the chunk's `codec`. */
export function* pagesOf(bytes: Uint8Array, start: number, end: number, codec: number = Codec.UNCOMPRESSED): Generator<Page> {
  let pos = start;
  while (pos < end) {
    const r = new ThriftReader(bytes, pos, end);
    const header = r.struct();
    const type = num(header, PageHeader.type);
    const compressed = num(header, PageHeader.compressedPageSize);
    const uncompressed = num(header, PageHeader.uncompressedPageSize);
    if (codec === Codec.UNCOMPRESSED && uncompressed !== compressed) throw new Error(`uncompressed Parquet page of ${compressed} bytes says ${uncompressed}`);
    const bodyStart = r.pos;
    if (bodyStart + compressed > end) throw new Error('Parquet page runs past its column chunk');
    pos = bodyStart + compressed;
    if (type !== PageType.DATA_PAGE && type !== PageType.DICTIONARY_PAGE) {
      if (type === PageType.DATA_PAGE_V2) throw new UnsupportedParquetError('data page v2');
      continue; // index pages are skipped
    }
    const body = decompressPage(codec, bytes.subarray(bodyStart, bodyStart + compressed), uncompressed);
    if (type === PageType.DATA_PAGE) {
      const h = struct(header, PageHeader.dataPageHeader);
      yield { kind: 'data', numValues: num(h, DataPageHeader.numValues), encoding: num(h, DataPageHeader.encoding), body };
    } else if (type === PageType.DICTIONARY_PAGE) {
      const h = struct(header, PageHeader.dictionaryPageHeader);
      yield { kind: 'dictionary', numValues: num(h, DataPageHeader.numValues), encoding: num(h, DataPageHeader.encoding), body };
    }
  }
}

/** Copy `count` little-endian 8-byte values (alignment-safe: byte copy into the target). */
export function copy8(body: Uint8Array, count: number, out: BigInt64Array | Float64Array, at: number): void {
  if (body.byteLength < count * 8) throw new Error('Parquet page is shorter than its values');
  copyBytes(new Uint8Array(out.buffer, out.byteOffset + at * 8, count * 8), 0, body.subarray(0, count * 8));
}

export function plainBools(body: Uint8Array, count: number, out: Uint8Array, at: number): void {
  if (body.byteLength * 8 < count) throw new Error('Parquet page is shorter than its values');
  for (let i = 0; i < count; i++) out[at + i] = (body[i >>> 3] >>> (i & 7)) & 1;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** PLAIN BYTE_ARRAY values: u32 length + bytes each. */
export function plainStrings(body: Uint8Array, count: number): string[] {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out = new Array<string>(count);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > body.byteLength) throw new Error('Parquet string page is truncated');
    const len = dv.getUint32(pos, true);
    if (pos + 4 + len > body.byteLength) throw new Error('Parquet string page is truncated');
    out[i] = utf8.decode(body.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len;
  }
  return out;
}

/** RLE / bit-packed hybrid of dictionary indices (bit width in the first byte) into out[at…]. */
export function dictionaryIndices(body: Uint8Array, count: number, out: Int32Array, at: number, remap: Int32Array): void {
  if (body.byteLength < 1) throw new Error('Parquet dictionary page is empty');
  const width = body[0];
  if (width > 32) throw new Error(`Parquet dictionary index width ${width}`);
  const bytesPer = (width + 7) >>> 3;
  const limit = remap.length;
  let pos = 1;
  let n = 0;
  while (n < count) {
    let header = 0;
    let shift = 0;
    for (;;) {
      if (pos >= body.byteLength) throw new Error('Parquet index run is truncated');
      const b = body[pos++];
      header += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new Error('Parquet index run header is oversized');
    }
    if ((header & 1) === 0) {
      const run = Math.min(header / 2, count - n);
      let v = 0;
      if (pos + bytesPer > body.byteLength) throw new Error('Parquet index run is truncated');
      for (let k = 0; k < bytesPer; k++) v |= body[pos + k] << (8 * k);
      pos += bytesPer;
      if (v >>> 0 >= limit) throw new Error('Parquet dictionary index out of range');
      out.fill(remap[v], at + n, at + n + run);
      n += run;
    } else {
      const values = ((header - 1) / 2) * 8;
      const byteLen = (values * width) / 8;
      if (pos + byteLen > body.byteLength) throw new Error('Parquet bit-packed run is truncated');
      const take = Math.min(values, count - n);
      const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
      if (width <= 8 && take === values) {
        // Whole groups of 8 values in `width` bytes: read each group as two 32-bit words.
        const groups = values / 8;
        let p = pos;
        let o = at + n;
        for (let g = 0; g < groups; g++, p += width) {
          const lo = (body[p] | (body[p + 1] << 8) | (body[p + 2] << 16) | (body[p + 3] << 24)) >>> 0;
          const hi = width > 4 ? (body[p + 4] | (body[p + 5] << 8) | (body[p + 6] << 16) | (body[p + 7] << 24)) >>> 0 : 0;
          for (let k = 0, b = 0; k < 8; k++, b += width) {
            const v = b + width <= 32 ? (lo >>> b) & mask : b >= 32 ? (hi >>> (b - 32)) & mask : ((lo >>> b) | (hi << (32 - b))) & mask;
            if (v >= limit) throw new Error('Parquet dictionary index out of range');
            out[o++] = remap[v];
          }
        }
        pos += byteLen;
        n += take;
        continue;
      }
      if (width <= 24) {
        // Fast path: a bit buffer refilled a byte at a time never exceeds 31 bits.
        let buf = 0;
        let bits = 0;
        let p = pos;
        for (let i = 0; i < take; i++) {
          while (bits < width) { buf |= body[p++] << bits; bits += 8; }
          const v = buf & mask;
          buf >>>= width;
          bits -= width;
          if (v >= limit) throw new Error('Parquet dictionary index out of range');
          out[at + n + i] = remap[v];
        }
        pos += byteLen;
        n += take;
        continue;
      }
      let bitPos = pos * 8;
      for (let i = 0; i < take; i++, bitPos += width) {
        let byte = bitPos >>> 3;
        let off = bitPos & 7;
        let v = 0;
        let got = 0;
        while (got < width) {
          v |= ((body[byte] >>> off) << got);
          got += 8 - off;
          off = 0;
          byte++;
        }
        v = (v & mask) >>> 0;
        if (v >= limit) throw new Error('Parquet dictionary index out of range');
        out[at + n + i] = remap[v];
      }
      pos += byteLen;
      n += take;
    }
  }
}

/**
 * Filter straight from dictionary indices: row `base + i` joins the selection when
 * lut[index] is 1. No code array is written; an RLE run costs one test. Returns the new
 * selection length.
 */
export function dictionaryMatches(body: Uint8Array, count: number, lut: Uint8Array, sel: Uint32Array, k: number, base: number): number {
  if (body.byteLength < 1) throw new Error('Parquet dictionary page is empty');
  const width = body[0];
  if (width > 24) throw new UnsupportedParquetError(`dictionary index width ${width}`);
  const bytesPer = (width + 7) >>> 3;
  const mask = (1 << width) - 1;
  const limit = lut.length;
  let pos = 1;
  let n = 0;
  while (n < count) {
    let header = 0;
    let shift = 0;
    for (;;) {
      if (pos >= body.byteLength) throw new Error('Parquet index run is truncated');
      const b = body[pos++];
      header += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new Error('Parquet index run header is oversized');
    }
    if ((header & 1) === 0) {
      const run = Math.min(header / 2, count - n);
      let v = 0;
      if (pos + bytesPer > body.byteLength) throw new Error('Parquet index run is truncated');
      for (let q = 0; q < bytesPer; q++) v |= body[pos + q] << (8 * q);
      pos += bytesPer;
      if (v >>> 0 >= limit) throw new Error('Parquet dictionary index out of range');
      if (lut[v] === 1) for (let i = 0; i < run; i++) sel[k++] = base + n + i;
      n += run;
    } else {
      const values = ((header - 1) / 2) * 8;
      const byteLen = (values * width) / 8;
      if (pos + byteLen > body.byteLength) throw new Error('Parquet bit-packed run is truncated');
      const take = Math.min(values, count - n);
      const row = base + n;
      if (width >= 1 && width <= 4 && take === values && limit >= 1 << width) {
        k = matchNarrowGroups(body, pos, values / 8, width, lut, sel, k, row);
        pos += byteLen;
        n += take;
        continue;
      }
      if (width <= 8 && take === values && limit >= 1 << width) {
        // Whole groups of 8 in `width` bytes, read as two words; every index is < limit.
        let p = pos;
        let r = row;
        for (let g = 0; g < values / 8; g++, p += width) {
          const lo = (body[p] | (body[p + 1] << 8) | (body[p + 2] << 16) | (body[p + 3] << 24)) >>> 0;
          const hi = width > 4 ? (body[p + 4] | (body[p + 5] << 8) | (body[p + 6] << 16) | (body[p + 7] << 24)) >>> 0 : 0;
          for (let q = 0, b = 0; q < 8; q++, b += width, r++) {
            const v = b + width <= 32 ? (lo >>> b) & mask : b >= 32 ? (hi >>> (b - 32)) & mask : ((lo >>> b) | (hi << (32 - b))) & mask;
            sel[k] = r;
            k += lut[v];
          }
        }
        pos += byteLen;
        n += take;
        continue;
      }
      let buf = 0;
      let bits = 0;
      let p = pos;
      for (let i = 0; i < take; i++) {
        while (bits < width) { buf |= body[p++] << bits; bits += 8; }
        const v = buf & mask;
        buf >>>= width;
        bits -= width;
        if (v >= limit) throw new Error('Parquet dictionary index out of range');
        sel[k] = row + i;
        k += lut[v];
      }
      pos += byteLen;
      n += take;
    }
  }
  return k;
}

/**
 * dictionaryMatches' common case (at most 16 distinct strings): a group of 8 indices of
 * `width` ≤ 4 bits is one little-endian word of `width` bytes, unpacked with fixed shifts and
 * no per-value branch (2-3x the general loop). Every index is < lut.length (the caller checks).
 */
function matchNarrowGroups(body: Uint8Array, pos: number, groups: number, width: number, lut: Uint8Array, sel: Uint32Array, k: number, row: number): number {
  const mask = (1 << width) - 1;
  const w2 = 2 * width, w3 = 3 * width, w4 = 4 * width, w5 = 5 * width, w6 = 6 * width, w7 = 7 * width;
  for (let g = 0, p = pos, r = row; g < groups; g++, p += width, r += 8) {
    let w = body[p];
    if (width > 1) w |= body[p + 1] << 8;
    if (width > 2) w |= body[p + 2] << 16;
    if (width > 3) w |= body[p + 3] << 24;
    sel[k] = r; k += lut[w & mask];
    sel[k] = r + 1; k += lut[(w >>> width) & mask];
    sel[k] = r + 2; k += lut[(w >>> w2) & mask];
    sel[k] = r + 3; k += lut[(w >>> w3) & mask];
    sel[k] = r + 4; k += lut[(w >>> w4) & mask];
    sel[k] = r + 5; k += lut[(w >>> w5) & mask];
    sel[k] = r + 6; k += lut[(w >>> w6) & mask];
    sel[k] = r + 7; k += lut[(w >>> w7) & mask];
  }
  return k;
}

export { PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY };
