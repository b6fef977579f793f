// Page compression for the Parquet codecs the engine writes and reads: UNCOMPRESSED, SNAPPY
// (our own, snappy.ts) and ZSTD (@bokuweb/zstd-wasm, the official C library built to wasm,
// loaded on first need). The choices were measured: docs/parquet-subset.md.
import type { BlockLayout, Compression } from '@backtracedb/engine';
import { Codec } from './fields.js';
import * as snappy from './snappy.js';

/** The Parquet codec number written for each table setting. */
export const CODEC_OF: Readonly<Record<Compression, number>> = { none: Codec.UNCOMPRESSED, snappy: Codec.SNAPPY, zstd: Codec.ZSTD };

/** zstd level 1: measured smaller than level 3 on trade pages, and faster (docs/parquet-subset.md). */
const ZSTD_LEVEL = 1;
/** Largest page the reader inflates: a bound on what a damaged header can make it allocate. */
export const MAX_PAGE_BYTES = 1 << 30;

type Zstd = typeof import('@bokuweb/zstd-wasm');
let zstd: Zstd | null = null;
let zstdLoading: Promise<void> | null = null;

/** Load the zstd wasm on this thread (once; later calls share the first). */
export function loadZstd(): Promise<void> {
  zstdLoading ??= import('@bokuweb/zstd-wasm').then(async (m) => { await m.init(); zstd = m; });
  return zstdLoading;
}

/** Whether `codec` is one this reader decodes. */
export function isKnownCodec(codec: number): boolean {
  return codec === Codec.UNCOMPRESSED || codec === Codec.SNAPPY || codec === Codec.ZSTD;
}

/** null when pages of these codecs can be decoded now; else a promise that resolves when they can. */
export function codecsReady(codecs: Iterable<number>): Promise<void> | null {
  if (zstd !== null) return null;
  for (const c of codecs) if (c === Codec.ZSTD) return loadZstd();
  return null;
}

function zstdModule(): Zstd {
  if (zstd === null) throw new Error('internal: zstd used before loadZstd() resolved');
  return zstd;
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * The content size a zstd frame header announces, or null when the frame leaves it out
 * (RFC 8878 §3.1.1.1): read before inflating, so a damaged header cannot make the decoder
 * allocate what it says.
 */
export function zstdContentSize(frame: Uint8Array): number | null {
  if (frame.byteLength < 5) throw new Error('zstd page is shorter than a frame header');
  const magic = (frame[0] | (frame[1] << 8) | (frame[2] << 16) | (frame[3] << 24)) >>> 0;
  if (magic !== ZSTD_MAGIC) throw new Error('zstd page does not start with a zstd frame');
  const descriptor = frame[4];
  const singleSegment = (descriptor >>> 5) & 1;
  const fcsBytes = [singleSegment === 1 ? 1 : 0, 2, 4, 8][descriptor >>> 6];
  if (fcsBytes === 0) return null;
  const at = 5 + (singleSegment === 1 ? 0 : 1) + [0, 1, 2, 4][descriptor & 3];
  if (frame.byteLength < at + fcsBytes) throw new Error('zstd frame header is truncated');
  let size = 0;
  for (let k = fcsBytes - 1; k >= 0; k--) size = size * 256 + frame[at + k];
  return fcsBytes === 2 ? size + 256 : size;
}

/** A page body as stored with `codec` (the same bytes for UNCOMPRESSED). */
export function compressPage(codec: number, body: Uint8Array): Uint8Array {
  switch (codec) {
    case Codec.UNCOMPRESSED: return body;
    case Codec.SNAPPY: return snappy.compress(body);
    case Codec.ZSTD: return zstdModule().compress(body, ZSTD_LEVEL);
    default: throw new Error(`internal: no compressor for codec ${codec}`);
  }
}

/** The page body inflated; it must come out exactly `uncompressedSize` bytes. */
export function decompressPage(codec: number, stored: Uint8Array, uncompressedSize: number): Uint8Array {
  if (uncompressedSize > MAX_PAGE_BYTES) throw new Error(`Parquet page claims ${uncompressedSize} uncompressed bytes`);
  let out: Uint8Array;
  switch (codec) {
    case Codec.UNCOMPRESSED: out = stored; break;
    case Codec.SNAPPY:
      if (snappy.uncompressedLength(stored) !== uncompressedSize) throw new Error(`snappy page announces ${snappy.uncompressedLength(stored)} bytes, its header ${uncompressedSize}`);
      out = snappy.decompress(stored);
      break;
    case Codec.ZSTD: {
      const announced = zstdContentSize(stored);
      if (announced !== null && announced !== uncompressedSize) throw new Error(`zstd page announces ${announced} bytes, its header ${uncompressedSize}`);
      try {
        out = zstdModule().decompress(stored, { defaultHeapSize: uncompressedSize });
      } catch (err) {
        throw new Error(`zstd page does not decompress: ${(err as Error).message}`);
      }
      break;
    }
    default: throw new Error(`internal: no decompressor for codec ${codec}`);
  }
  if (out.byteLength !== uncompressedSize) throw new Error(`Parquet page inflates to ${out.byteLength} bytes, its header says ${uncompressedSize}`);
  return out;
}

const NAME_OF: ReadonlyMap<number, 'snappy' | 'zstd'> = new Map([[Codec.SNAPPY, 'snappy'], [Codec.ZSTD, 'zstd']]);

/** The block layout with the codec its chunks were written with (absent: uncompressed). */
export function withCompression(layout: BlockLayout, codec: number): BlockLayout {
  const name = NAME_OF.get(codec);
  return name === undefined ? layout : { ...layout, compression: name };
}
