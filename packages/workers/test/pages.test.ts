// Page decoding: real chunks split into pages and decoded back to the source values; the RLE /
// bit-packed hybrid at every bit width 0..32, run lengths around groups of 8; bad input rejected.
import { describe, expect, it } from 'vitest';
import type { ColumnView } from '@backtracedb/engine';
import { copy8, dictionaryIndices, dictionaryMatches, pagesOf, plainBools, plainStrings, PLAIN, RLE_DICTIONARY, type Page } from '../src/parquet/pages.js';
import { readFooter } from '../src/parquet/footer.js';
import { UnsupportedParquetError } from '../src/parquet/thrift.js';
import { concat, decodeChunk, hybrid, hybridWithCuts, identity, int, page, plain, pq, projectBlock, randomRuns, rng, valuesOf, wasmFromViews } from './parquet-bytes.js';

describe('pagesOf on real chunks', () => {
  it('project encoder: every chunk splits into pages that decode to the source column', () => {
    const { bytes, names, columns } = projectBlock(3000, 40, 1000, 71);
    const footer = readFooter(bytes);
    footer.rowGroups.forEach((rg, g) => {
      names.forEach((name, c) => {
        const chunk = rg.chunks.get(name)!;
        const pages = [...pagesOf(bytes, chunk.start, chunk.end)];
        expect(pages.filter((p) => p.kind === 'data').reduce((n, p) => n + p.numValues, 0)).toBe(rg.rowCount);
        expect(pages.filter((p) => p.kind === 'dictionary').length).toBe(name === 's' ? 1 : 0);
        expect(decodeChunk(bytes, chunk.start, chunk.end, columns[c].type)).toEqual(plain(columns[c]).slice(g * 1000, g * 1000 + rg.rowCount));
      });
    });
  });

  it('parquet-wasm: small pages, dictionaries on every type, dictionary overflow into PLAIN pages', () => {
    const r = rng(72);
    const n = 3000;
    const names = ['i', 'f', 'b', 's'];
    const dictionary = Array.from({ length: 1500 }, (_, i) => `${['', 'ü', '日本', '🙂'][i % 4]}${i}`);
    const views: ColumnView[] = [
      { type: 'int64', values: BigInt64Array.from({ length: n }, () => BigInt(int(r, 50)) - 2n ** 63n) },
      { type: 'float64', values: Float64Array.from({ length: n }, (_, i) => [NaN, -0, Infinity][i % 50] ?? int(r, 40) / 8) },
      { type: 'bool', values: Uint8Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0)) },
      // Strings grow a big dictionary: past the dictionary page limit the writer falls back to PLAIN.
      { type: 'string', values: Int32Array.from({ length: n }, (_, i) => (i < 1500 ? i : int(r, 1500))), dictionary },
    ];
    const bytes = wasmFromViews(names, views, (b) => b.setCompression(pq.Compression.UNCOMPRESSED).setWriterVersion(pq.WriterVersion.V1)
      .setDictionaryEnabled(true).setDataPageSizeLimit(512).setDictionaryPageSizeLimit(4096).setWriteBatchSize(64).setMaxRowGroupSize(1200));
    const footer = readFooter(bytes);
    const encodings = new Set<number>();
    let pagesSeen = 0;
    names.forEach((name, c) => {
      const got: unknown[] = [];
      for (const rg of footer.rowGroups) {
        const chunk = rg.chunks.get(name)!;
        for (const p of pagesOf(bytes, chunk.start, chunk.end)) { if (p.kind === 'data') encodings.add(p.encoding); pagesSeen++; }
        got.push(...decodeChunk(bytes, chunk.start, chunk.end, views[c].type));
      }
      expect(got, name).toEqual(plain(views[c]));
    });
    expect(pagesSeen).toBeGreaterThan(30);
    expect([...encodings].sort()).toEqual([PLAIN, RLE_DICTIONARY]);
  });

  it('dictionary index widths written by parquet-wasm for dictionaries of 2 .. 4097 entries decode', () => {
    const widths = new Set<number>();
    for (const d of [2, 3, 5, 9, 17, 33, 65, 129, 257, 4097]) {
      const r = rng(d);
      const n = d + 300;
      const codes = new Int32Array(n);
      // Every entry once (so the width is that of d entries), then runs of repeats and noise.
      for (let i = 0; i < n; i++) codes[i] = i < d ? i : r() < 0.5 ? codes[i - 1] : int(r, d);
      const view: ColumnView = { type: 'string', values: codes, dictionary: Array.from({ length: d }, (_, i) => `v${i}`) };
      const bytes = wasmFromViews(['s'], [view], (b) => b.setCompression(pq.Compression.UNCOMPRESSED).setWriterVersion(pq.WriterVersion.V1).setDictionaryPageSizeLimit(1 << 30));
      const chunk = readFooter(bytes).rowGroups[0].chunks.get('s')!;
      expect(decodeChunk(bytes, chunk.start, chunk.end, 'string', widths)).toEqual(plain(view));
    }
    expect([...widths].sort((a, b) => a - b)).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6, 7, 8, 9, 13]));
  });

  it('data page v2 is unsupported (the caller falls back to parquet-wasm); compressed pages read as uncompressed are refused', () => {
    const view: ColumnView = { type: 'int64', values: BigInt64Array.from({ length: 100 }, (_, i) => BigInt(i)) };
    const v2 = wasmFromViews(['i'], [view], (b) => b.setWriterVersion(pq.WriterVersion.V2).setCompression(pq.Compression.UNCOMPRESSED));
    const c2 = readFooter(v2).rowGroups[0].chunks.get('i')!;
    expect(() => [...pagesOf(v2, c2.start, c2.end)]).toThrow(/data page v2/);
    const zs = wasmFromViews(['i'], [view], (b) => b.setWriterVersion(pq.WriterVersion.V1).setCompression(pq.Compression.ZSTD));
    const cz = readFooter(zs).rowGroups[0].chunks.get('i')!;
    expect(() => [...pagesOf(zs, cz.start, cz.end)]).toThrow(/uncompressed Parquet page of \d+ bytes says 800/);
  });
});

describe('pagesOf on hand-made chunks', () => {
  const body8 = new Uint8Array(new BigInt64Array([5n, -6n]).buffer);
  const chunk = concat(page('dictionary', 2, PLAIN, body8), page('index', 0, 0, Uint8Array.from([9, 9, 9])), page('data', 3, RLE_DICTIONARY, hybrid(1, [{ packed: [1, 0, 1] }])));

  it('skips index pages and yields the others with their bodies', () => {
    const pages = [...pagesOf(chunk, 0, chunk.length)];
    expect(pages.map((p) => [p.kind, p.numValues, p.encoding])).toEqual([['dictionary', 2, PLAIN], ['data', 3, RLE_DICTIONARY]]);
    expect(Array.from(pages[0].body)).toEqual(Array.from(body8));
  });

  it('every truncation either throws or yields a prefix of the pages, unchanged', () => {
    const full = [...pagesOf(chunk, 0, chunk.length)];
    const same = (a: Page, b: Page) => a.kind === b.kind && a.numValues === b.numValues && Buffer.from(a.body).equals(Buffer.from(b.body));
    for (let cut = 0; cut < chunk.length; cut++) {
      let got: Page[];
      try { got = [...pagesOf(chunk, 0, cut)]; } catch (err) { expect(err).toBeInstanceOf(Error); continue; }
      expect(got.length, `cut at ${cut}`).toBeLessThan(full.length);
      got.forEach((p, i) => expect(same(p, full[i]), `cut at ${cut}, page ${i}`).toBe(true));
    }
  });

  it('a page body running past its chunk, and a data page without its header struct, are named', () => {
    const p = page('data', 3, PLAIN, new Uint8Array(24));
    // The second page's header fits in the chunk, its body does not.
    expect(() => [...pagesOf(concat(p, p), 0, p.length + (p.length - 24) + 5)]).toThrow(/runs past its column chunk/);
    const noHeader = concat(Uint8Array.from([0x15, 0x00, 0x15, 0x02, 0x15, 0x02, 0x00]), new Uint8Array(1));
    expect(() => [...pagesOf(noHeader, 0, noHeader.length)]).toThrow(/field 5 is missing or not a struct/);
  });

  it('random garbage ends in an Error or pages inside the chunk, quickly', () => {
    const r = rng(73);
    for (let round = 0; round < 800; round++) {
      const bytes = r() < 0.5 ? Uint8Array.from({ length: int(r, 60) }, () => int(r, 256)) : chunk.map((b) => (r() < 0.05 ? int(r, 256) : b));
      try {
        for (const p of pagesOf(bytes, 0, bytes.length)) {
          expect(p.body.byteOffset + p.body.byteLength).toBeLessThanOrEqual(bytes.byteOffset + bytes.length);
        }
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
      }
    }
  });
});

describe('PLAIN values', () => {
  it('copy8 copies int64 and float64 from unaligned bodies into any position, and checks the length', () => {
    const src = new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, (5n << 32n) | 0x80000000n]);
    const unaligned = new Uint8Array(src.byteLength + 3);
    unaligned.set(new Uint8Array(src.buffer), 3);
    const body = unaligned.subarray(3);
    const out = new BigInt64Array(9).fill(7n);
    copy8(body, 5, out, 2);
    expect(Array.from(out)).toEqual([7n, 7n, ...src, 7n, 7n]);
    const f = new Float64Array(5);
    copy8(body, 5, f, 0);
    expect(Array.from(new BigInt64Array(f.buffer))).toEqual(Array.from(src));
    expect(() => copy8(body.subarray(0, 39), 5, out, 0)).toThrow(/shorter than its values/);
    copy8(body, 0, out, 9); // nothing to copy at the very end
  });

  it('plainBools reads bits LSB first at every count around a byte, and checks the length', () => {
    const r = rng(74);
    for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65]) {
      const bits = Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
      const body = new Uint8Array(Math.ceil(n / 8));
      bits.forEach((b, i) => { body[i >> 3] |= b << (i & 7); });
      const out = new Uint8Array(n + 4).fill(9);
      plainBools(body, n, out, 2);
      expect(Array.from(out)).toEqual([9, 9, ...bits, 9, 9]);
      if (n % 8 !== 0 || n > 0) expect(() => plainBools(body.subarray(0, body.length - 1), n, out, 0), `n=${n}`).toThrow(/shorter than its values/);
    }
  });

  it('plainStrings: empty and non-ASCII strings; every truncation and invalid UTF-8 throw', () => {
    const strings = ['', 'a', 'ü', '日本語', '🙂', '', 'x'.repeat(300)];
    const body = concat(...strings.map((s) => { const b = new TextEncoder().encode(s); const len = new Uint8Array(4); new DataView(len.buffer).setUint32(0, b.length, true); return concat(len, b); }));
    expect(plainStrings(body, strings.length)).toEqual(strings);
    expect(plainStrings(body, 3)).toEqual(strings.slice(0, 3));
    expect(plainStrings(body, 0)).toEqual([]);
    for (let cut = 0; cut < body.length; cut++) {
      // A cut at a value boundary still holds the values before it: only asking for all must throw.
      expect(() => plainStrings(body.subarray(0, cut), strings.length), `cut at ${cut}`).toThrow(/truncated/);
    }
    expect(() => plainStrings(Uint8Array.from([2, 0, 0, 0, 0xc3, 0x28]), 1)).toThrow();
    expect(() => plainStrings(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x41]), 1)).toThrow(/truncated/);
  });
});

describe('RLE / bit-packed hybrid dictionary indices', () => {
  // Indices must stay below the dictionary size; above 2^20 entries the test stops growing it.
  const MAX_LIMIT = 2 ** 20 + 3;
  const remapAll = Int32Array.from({ length: MAX_LIMIT }, (_, i) => Math.imul(i, 0x9e3779b1));
  const lutAll = Uint8Array.from(remapAll, (x) => ((x >>> 7) % 5 < 2 ? 1 : 0));
  const zeros = new Uint8Array(MAX_LIMIT);
  const limitFor = (w: number): number => (w === 0 ? 1 : Math.min(2 ** w, MAX_LIMIT));
  const WIDTHS = Array.from({ length: 33 }, (_, w) => w);

  /** Index of the first difference, or -1: keeps failure output short on long arrays. */
  const firstDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
    return -1;
  };

  it('dictionaryIndices decodes every bit width 0..32, mixed runs, through the remap, at an offset', () => {
    const r = rng(81);
    for (const width of WIDTHS) {
      const limit = limitFor(width);
      const remap = remapAll.subarray(0, limit);
      for (let round = 0; round < 20; round++) {
        const runs = randomRuns(r, limit);
        const values = valuesOf(runs);
        // Sometimes the page ends inside the last run (RLE clipped, or bit-packed padding unread).
        const last = runs[runs.length - 1];
        const count = values.length - (r() < 0.3 ? int(r, 'rle' in last ? last.count : last.packed.length) : 0);
        const out = new Int32Array(count + 5).fill(-7);
        dictionaryIndices(hybrid(width, runs), count, out, 2, remap);
        const want = [-7, -7, ...values.slice(0, count).map((v) => remap[v]), -7, -7, -7];
        expect(firstDiff(out, want), `width ${width}, runs ${JSON.stringify(runs.map((x) => ('rle' in x ? `rle ${x.rle}×${x.count}` : `packed ${x.packed.length}`)))}`).toBe(-1);
      }
    }
  });

  it('dictionaryMatches selects the rows whose index the lookup table marks, every width 0..24', () => {
    const r = rng(82);
    for (const width of WIDTHS.filter((w) => w <= 24)) {
      for (let round = 0; round < 20; round++) {
        // A lookup table of 2^width entries takes the whole-group path; a shorter one the checked path.
        const full = round % 2 === 0;
        const limit = full ? limitFor(width) : Math.max(1, Math.min(limitFor(width), 1 + int(r, limitFor(width))));
        const lut = lutAll.subarray(0, limit);
        const runs = randomRuns(r, limit);
        const values = valuesOf(runs);
        const count = values.length;
        const sel = new Uint32Array(count + 10).fill(111);
        const base = 1000;
        const k = dictionaryMatches(hybrid(width, runs), count, lut, sel, 3, base);
        const want = [111, 111, 111, ...values.flatMap((v, i) => (lut[v] === 1 ? [base + i] : []))];
        expect(k, `width ${width}`).toBe(want.length);
        expect(firstDiff(sel.subarray(0, k), want), `width ${width}`).toBe(-1);
      }
    }
  });

  it('an index past the dictionary is rejected at every width and position, high bits included', () => {
    const leaks: string[] = [];
    for (const width of WIDTHS.filter((w) => w >= 1)) {
      // Widths up to 20: the all-ones index with a dictionary one short; wider: only the top bit set.
      const limit = width <= 20 ? 2 ** width - 1 : 2 ** 20;
      const bads = width <= 20 ? [2 ** width - 1] : [2 ** (width - 1), 2 ** width - 1];
      const remap = remapAll.subarray(0, limit);
      const lut = new Uint8Array(limit).fill(1);
      for (const bad of bads) {
        const bodies: Array<[string, Uint8Array, number]> = [[`rle`, hybrid(width, [{ rle: bad, count: 3 }]), 3]];
        for (let p = 0; p < 8; p++) {
          const packed = Array.from({ length: 8 }, (_, i) => (i === p ? bad : 0));
          bodies.push([`packed@${p}`, hybrid(width, [{ packed }]), 8], [`partial@${p}`, hybrid(width, [{ rle: 0, count: 2 }, { packed }]), 3 + p]);
        }
        for (const [what, body, count] of bodies) {
          try { dictionaryIndices(body, count, new Int32Array(count), 0, remap); leaks.push(`indices width ${width} ${what} ${bad}`); } catch (err) { expect(String(err)).toMatch(/out of range/); }
          if (width > 24) continue;
          try { dictionaryMatches(body, count, lut, new Uint32Array(count + 1), 0, 0); leaks.push(`matches width ${width} ${what} ${bad}`); } catch (err) { expect(String(err)).toMatch(/out of range/); }
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('bad widths, empty bodies and oversized run headers are named', () => {
    const out = new Int32Array(4);
    expect(() => dictionaryIndices(Uint8Array.from([33, 2, 0]), 1, out, 0, identity(4))).toThrow(/index width 33/);
    expect(() => dictionaryIndices(new Uint8Array(0), 1, out, 0, identity(4))).toThrow(/empty/);
    expect(() => dictionaryMatches(new Uint8Array(0), 1, new Uint8Array(4), new Uint32Array(2), 0, 0)).toThrow(/empty/);
    expect(() => dictionaryMatches(Uint8Array.from([25, 2, 0, 0, 0, 0]), 1, new Uint8Array(4), new Uint32Array(2), 0, 0)).toThrow(UnsupportedParquetError);
    expect(() => dictionaryIndices(Uint8Array.from([8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 1, out, 0, identity(4))).toThrow(/oversized/);
    // A bit-packed run claiming 2^40 groups: rejected by its length, not allocated or looped over.
    expect(() => dictionaryIndices(Uint8Array.from([8, 0x81, 0x80, 0x80, 0x80, 0x80, 0x40, 0]), 1, out, 0, identity(4))).toThrow(/truncated/);
    expect(() => dictionaryMatches(Uint8Array.from([8, 0x81, 0x80, 0x80, 0x80, 0x80, 0x40, 0]), 1, new Uint8Array(4), new Uint32Array(2), 0, 0)).toThrow(/truncated/);
    // An RLE run longer than the page is clipped to the page.
    dictionaryIndices(hybrid(2, [{ rle: 3, count: 1000 }]), 4, out, 0, identity(4));
    expect(Array.from(out)).toEqual([3, 3, 3, 3]);
  });

  it('every truncation of a body throws, except inside an RLE value (see the RLE case below)', () => {
    const r = rng(83);
    const accepted: string[] = [];
    for (const width of [0, 1, 3, 7, 8, 9, 15, 16, 17, 24, 25, 31, 32]) {
      const limit = limitFor(width);
      for (let round = 0; round < 6; round++) {
        const runs = randomRuns(r, limit);
        const { body, insideRleValue } = hybridWithCuts(width, runs);
        const count = valuesOf(runs).length;
        const skip = new Set(insideRleValue);
        for (let cut = 0; cut < body.length; cut++) {
          if (skip.has(cut)) continue;
          const part = body.subarray(0, cut);
          try { dictionaryIndices(part, count, new Int32Array(count), 0, remapAll.subarray(0, limit)); accepted.push(`indices width ${width} cut ${cut}/${body.length}`); } catch { /* expected */ }
          if (width > 24) continue;
          try { dictionaryMatches(part, count, zeros.subarray(0, limit), new Uint32Array(count + 1), 0, 0); accepted.push(`matches width ${width} cut ${cut}/${body.length}`); } catch { /* expected */ }
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  it('a body cut inside an RLE run value throws (it decoded the missing bytes as zeros)', () => {
    // Width 16, one RLE run of 10 copies of index 0x0102: header 0x14, then the value 02 01.
    // Cut after 02 the reader reads index 0x0002; cut after the header, index 0.
    const body = hybrid(16, [{ rle: 0x0102, count: 10 }]);
    expect(Array.from(body)).toEqual([16, 0x14, 0x02, 0x01]);
    const accepted: string[] = [];
    for (const cut of [2, 3]) {
      try { dictionaryIndices(body.subarray(0, cut), 10, new Int32Array(10), 0, identity(0x0103)); accepted.push(`dictionaryIndices cut ${cut}`); } catch { /* expected */ }
      try { dictionaryMatches(body.subarray(0, cut), 10, new Uint8Array(0x0103).fill(1), new Uint32Array(11), 0, 0); accepted.push(`dictionaryMatches cut ${cut}`); } catch { /* expected */ }
    }
    expect(accepted).toEqual([]);
  });
});
