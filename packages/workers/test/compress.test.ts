// Compressed pages: our writer's SNAPPY and ZSTD blocks read back by the fast reader and by
// parquet-wasm (an independent reader), parquet-wasm's own SNAPPY and ZSTD files read by the
// fast reader, and damaged compressed pages refused, never decoded into other values.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ColumnView, Compression } from '@backtracedb/engine';
import { readFooter } from '../src/parquet/footer.js';
import { readParquetColumns, readChunkColumns } from '../src/parquet/read.js';
import { CODEC_OF, compressPage, decompressPage, loadZstd, zstdContentSize } from '../src/parquet/compress.js';
import { decodeParquet } from '../src/parquet-decode.js';
import { UnsupportedParquetError } from '../src/parquet/thrift.js';
import * as pq from 'parquet-wasm';
import { decodeChunk, plain, projectBlock, wasmFromViews } from './parquet-bytes.js';

beforeAll(async () => { await loadZstd(); });

const CODECS: Array<Exclude<Compression, 'none'>> = ['snappy', 'zstd'];

describe('blocks written compressed', () => {
  for (const compression of CODECS) {
    it(`${compression}: every chunk says codec ${CODEC_OF[compression]}, decodes to the source, and parquet-wasm reads the same values`, () => {
      const { bytes, names, columns } = projectBlock(5000, 30, 1200, 91, compression);
      const plainBytes = projectBlock(5000, 30, 1200, 91).bytes;
      expect(bytes.byteLength).toBeLessThan(plainBytes.byteLength);
      const footer = readFooter(bytes);
      expect(footer.rowGroups.length).toBe(5);
      footer.rowGroups.forEach((rg, g) => names.forEach((name, c) => {
        const chunk = rg.chunks.get(name)!;
        expect(chunk.codec).toBe(CODEC_OF[compression]);
        expect(decodeChunk(bytes, chunk.start, chunk.end, columns[c].type, undefined, chunk.codec)).toEqual(plain(columns[c]).slice(g * 1200, g * 1200 + rg.rowCount));
      }));
      const types = columns.map((v) => v.type);
      const fast = readParquetColumns(bytes, names, types, null);
      const wasm = decodeParquet(bytes, names, types, null);
      fast.views.forEach((v, c) => {
        expect(plain(v)).toEqual(plain(columns[c]));
        expect(plain(wasm.views[c])).toEqual(plain(columns[c]));
      });
      const last = readParquetColumns(bytes, ['s', 'x'], ['string', 'float64'], [4]);
      expect(plain(last.views[1])).toEqual(plain(columns[2]).slice(4800));
    });
  }

  it('chunk reads take the codec from the block layout', () => {
    const { bytes, names, columns } = projectBlock(3000, 12, 1000, 92, 'zstd');
    const footer = readFooter(bytes);
    const chunks = footer.rowGroups.map((rg) => names.map((n) => bytes.subarray(rg.chunks.get(n)!.start, rg.chunks.get(n)!.end)));
    const set = { rowCounts: footer.rowGroups.map((rg) => rg.rowCount), columns: [0, 1, 2, 3], chunks, compression: 'zstd' as const };
    const d = readChunkColumns(set, [0, 1, 2, 3], columns.map((v) => v.type));
    d.views.forEach((v, c) => expect(plain(v)).toEqual(plain(columns[c])));
    // The same chunks taken for uncompressed: refused, not misread.
    expect(() => readChunkColumns({ ...set, compression: 'none' }, [0], ['int64'])).toThrow(/uncompressed Parquet page/);
  });
});

describe("parquet-wasm's compressed files through the fast reader", () => {
  const n = 20_000;
  const views: ColumnView[] = [
    { type: 'int64', values: BigInt64Array.from({ length: n }, (_, i) => 1_700_000_000_000n + BigInt(i >> 2)) },
    { type: 'float64', values: Float64Array.from({ length: n }, (_, i) => Math.round(Math.sin(i) * 1e4) / 100) },
    { type: 'string', values: Int32Array.from({ length: n }, (_, i) => (i * 7) % 5), dictionary: ['a', 'bb', 'ü', '日本', ''] },
  ];
  for (const [name, c] of [['SNAPPY', pq.Compression.SNAPPY], ['ZSTD', pq.Compression.ZSTD]] as const) {
    it(`${name}, many pages per chunk, dictionaries on every type`, () => {
      const bytes = wasmFromViews(['t', 'x', 's'], views, (b) => b.setWriterVersion(pq.WriterVersion.V1).setCompression(c).setMaxRowGroupSize(6000).setDataPageSizeLimit(4096));
      const footer = readFooter(bytes);
      const got = views.map(() => [] as unknown[]);
      for (const rg of footer.rowGroups) {
        ['t', 'x', 's'].forEach((col, i) => {
          const chunk = rg.chunks.get(col)!;
          expect(chunk.codec).toBe(name === 'SNAPPY' ? 1 : 6);
          got[i].push(...decodeChunk(bytes, chunk.start, chunk.end, views[i].type, undefined, chunk.codec));
        });
      }
      got.forEach((values, i) => expect(values).toEqual(plain(views[i])));
    });
  }

  it('another codec (GZIP) is outside the subset: UnsupportedParquetError, so scans fall back', () => {
    const bytes = wasmFromViews(['t'], [views[0]], (b) => b.setWriterVersion(pq.WriterVersion.V1).setCompression(pq.Compression.GZIP));
    expect(() => readParquetColumns(bytes, ['t'], ['int64'], null)).toThrow(UnsupportedParquetError);
  });
});

describe('damaged compressed pages', () => {
  const page = new Uint8Array(new Float64Array(Array.from({ length: 4000 }, (_, i) => Math.floor(i / 3) * 0.25)).buffer);

  for (const compression of CODECS) {
    const codec = CODEC_OF[compression];
    it(`${compression}: a wrong size in the page header is refused`, () => {
      const stored = compressPage(codec, page);
      expect(Buffer.compare(decompressPage(codec, stored, page.byteLength), page)).toBe(0);
      expect(() => decompressPage(codec, stored, page.byteLength + 1)).toThrow(/bytes/);
      expect(() => decompressPage(codec, stored, page.byteLength - 8)).toThrow(/bytes/);
    });

    it(`${compression}: truncated bodies throw`, () => {
      const stored = compressPage(codec, page);
      for (const cut of [0, 1, 5, stored.byteLength >> 1, stored.byteLength - 1]) {
        expect(() => decompressPage(codec, stored.subarray(0, cut), page.byteLength), `cut at ${cut}`).toThrow();
      }
    });

    it(`${compression}: any single flipped byte throws or keeps the page's length (the CRC32 catches the rest)`, () => {
      const stored = compressPage(codec, page);
      for (let i = 0; i < stored.byteLength; i += Math.max(1, stored.byteLength >> 6)) {
        const bad = stored.slice();
        bad[i] ^= 0x5a;
        let out: Uint8Array | null = null;
        try { out = decompressPage(codec, bad, page.byteLength); } catch { /* refused: fine */ }
        if (out !== null) expect(out.byteLength).toBe(page.byteLength);
      }
    });
  }

  it('zstd frame headers: the announced content size is checked before inflating', () => {
    for (const n of [0, 1, 255, 256, 300, 65_791, 65_792, 70_000, 1 << 20]) {
      const raw = new Uint8Array(n).map((_, i) => (i * 31) >>> 3);
      expect(zstdContentSize(compressPage(CODEC_OF.zstd, raw)), `${n} bytes`).toBe(n);
    }
    const stored = compressPage(CODEC_OF.zstd, page);
    const lying = stored.slice();
    lying[6] ^= 0x40; // inside the content size field (bytes 5-6 for this size)
    expect(() => decompressPage(CODEC_OF.zstd, lying, page.byteLength)).toThrow(/announces|does not/);
    expect(() => zstdContentSize(Uint8Array.of(1, 2, 3, 4, 5))).toThrow(/zstd frame/);
    expect(() => zstdContentSize(stored.subarray(0, 4))).toThrow(/shorter/);
  });

  it('an absurd uncompressed size is refused before anything is allocated', () => {
    expect(() => decompressPage(CODEC_OF.snappy, Uint8Array.of(0), 2 ** 31)).toThrow(/claims/);
  });
});
