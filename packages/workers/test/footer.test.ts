// The Parquet footer reader: what it finds in files from the project's encoder and from
// parquet-wasm (checked against parquet-wasm's own metadata), and what it refuses.
import { describe, expect, it } from 'vitest';
import { readFooter, type Footer } from '../src/parquet/footer.js';
import { pagesOf } from '../src/parquet/pages.js';
import { ThriftReader, UnsupportedParquetError, type ThriftStruct, type ThriftValue } from '../src/parquet/thrift.js';
import { arrow, footerBytes, int, pq, projectBlock, rng, wasmParquet, withFooter } from './parquet-bytes.js';

/** The chunk ranges a footer reports must lie between the magic and the footer, without overlap. */
function expectSaneRanges(file: Uint8Array, footer: Footer): void {
  const { start: metaStart } = footerBytes(file);
  const ranges = footer.rowGroups.flatMap((rg) => [...rg.chunks.values()].map((c) => [c.start, c.end] as const)).sort((a, b) => a[0] - b[0]);
  ranges.forEach(([s, e], i) => {
    expect(s).toBeGreaterThanOrEqual(4);
    expect(e).toBeGreaterThan(s);
    expect(e).toBeLessThanOrEqual(metaStart);
    if (i > 0) expect(s).toBeGreaterThanOrEqual(ranges[i - 1][1]);
  });
}

/** The same facts from parquet-wasm's own metadata reader. */
async function wasmFacts(file: Uint8Array) {
  const f = await pq.ParquetFile.fromFile(new Blob([file]));
  const md = f.metadata();
  return {
    rowCount: md.fileMetadata().numRows(),
    rowGroups: md.rowGroups().map((rg) => ({
      rowCount: rg.numRows(),
      chunks: Object.fromEntries(rg.columns().map((c) => [c.columnPath().join('.'), { numValues: c.numValues(), size: c.compressedSize() }])),
    })),
  };
}

function ours(footer: Footer) {
  return {
    rowCount: footer.rowCount,
    rowGroups: footer.rowGroups.map((rg) => ({
      rowCount: rg.rowCount,
      chunks: Object.fromEntries([...rg.chunks].map(([name, c]) => [name, { numValues: c.numValues, size: c.end - c.start }])),
    })),
  };
}

const meta = (file: Uint8Array): ThriftStruct => { const { start, end } = footerBytes(file); return new ThriftReader(file, start, end).struct(); };
/** Field path into the decoded footer: numbers are field ids or list indexes. */
function at(s: ThriftValue, ...path: number[]): ThriftStruct {
  let v = s;
  for (const p of path) v = (v instanceof Map ? v.get(p) : (v as ThriftValue[])[p]) as ThriftValue;
  return v as ThriftStruct;
}
/** A column chunk's ColumnMetaData: row group g, column c. */
const chunkMeta = (m: ThriftStruct, g: number, c: number): ThriftStruct => at(m, 4, g, 1, c, 3);

describe('readFooter on the project encoder', () => {
  for (const [n, distinct, groupRows] of [[1, 1, 65_536], [1000, 7, 300], [5000, 300, 1024]] as const) {
    it(`${n} rows in groups of ${groupRows}: row groups, types, counts and byte ranges, as parquet-wasm reads them`, async () => {
      const { bytes, names } = projectBlock(n, distinct, groupRows, n);
      const footer = readFooter(bytes);
      expect(footer.rowCount).toBe(n);
      expect(footer.optional.size).toBe(0);
      expect(footer.rowGroups.map((rg) => rg.rowCount)).toEqual(Array.from({ length: Math.ceil(n / groupRows) }, (_, g) => Math.min(groupRows, n - g * groupRows)));
      for (const rg of footer.rowGroups) {
        expect([...rg.chunks.keys()]).toEqual(names);
        expect(names.map((name) => rg.chunks.get(name)?.physicalType)).toEqual([2, 6, 5, 0]);
        for (const c of rg.chunks.values()) { expect(c.codec).toBe(0); expect(c.numValues).toBe(rg.rowCount); }
        // Each range starts at a page header; strings start with their dictionary page.
        for (const [name, c] of rg.chunks) expect(pagesOf(bytes, c.start, c.end).next().value?.kind).toBe(name === 's' ? 'dictionary' : 'data');
      }
      expectSaneRanges(bytes, footer);
      expect(ours(footer)).toEqual(await wasmFacts(bytes));
    });
  }
});

describe('readFooter on parquet-wasm files', () => {
  const table = arrow.tableFromArrays({ a: BigInt64Array.from({ length: 500 }, (_, i) => BigInt(i % 7)), b: Float64Array.from({ length: 500 }, (_, i) => i / 3) });
  for (const [codec, thriftCode] of [[pq.Compression.SNAPPY, 1], [pq.Compression.GZIP, 2], [pq.Compression.ZSTD, 6]] as const) {
    it(`reports codec ${thriftCode} (${pq.Compression[codec]}) and the dictionary page as the start of a dictionary-encoded chunk`, async () => {
      const file = wasmParquet(table, (b) => b.setCompression(codec).setDictionaryEnabled(true).setMaxRowGroupSize(200));
      const footer = readFooter(file);
      expect(footer.rowGroups).toHaveLength(3);
      for (const rg of footer.rowGroups) for (const c of rg.chunks.values()) expect(c.codec).toBe(thriftCode);
      const cm = chunkMeta(meta(file), 0, 0);
      expect(cm.has(11)).toBe(true); // dictionary_page_offset: the chunk starts there, before the data pages
      expect(footer.rowGroups[0].chunks.get('a')?.start).toBe(Number(cm.get(11)));
      expect(Number(cm.get(9))).toBeGreaterThan(Number(cm.get(11)));
      expectSaneRanges(file, footer);
      expect(ours(footer)).toEqual(await wasmFacts(file));
    });
  }

  it('a nullable column is listed as optional', () => {
    const req = arrow.vectorFromArray([1n, 2n, 3n], new arrow.Int64());
    const opt = arrow.vectorFromArray([1.5, null, 3], new arrow.Float64());
    const fields = [new arrow.Field('req', new arrow.Int64(), false), new arrow.Field('opt', new arrow.Float64(), true)];
    const data = arrow.makeData({ type: new arrow.Struct(fields), length: 3, nullCount: 0, children: [req.data[0], opt.data[0]] });
    const file = wasmParquet(new arrow.Table([new arrow.RecordBatch(new arrow.Schema(fields), data)]), (b) => b);
    expect([...readFooter(file).optional]).toEqual(['opt']);
  });

  it('nested columns (list, struct) are unsupported, not misread', () => {
    const listType = new arrow.List(new arrow.Field('item', new arrow.Int64(), true));
    const lists = arrow.vectorFromArray([[1n, 2n], [3n]], listType);
    expect(() => readFooter(wasmParquet(new arrow.Table({ l: lists }), (b) => b))).toThrow(UnsupportedParquetError);
    const structs = arrow.vectorFromArray([{ p: 1 }, { p: 2 }], new arrow.Struct([new arrow.Field('p', new arrow.Float64(), false)]));
    expect(() => readFooter(wasmParquet(new arrow.Table({ s: structs }), (b) => b))).toThrow(/nested schema/);
  });
});

describe('readFooter refuses damaged files', () => {
  const { bytes } = projectBlock(60, 9, 32, 7);

  it('too short, bad magic at either end, footer length past the file', () => {
    expect(() => readFooter(new Uint8Array(11))).toThrow(/not a Parquet file: 11 bytes/);
    const head = bytes.slice(); head[0] = 0x51;
    expect(() => readFooter(head)).toThrow(/bad magic/);
    const tail = bytes.slice(); tail[tail.length - 1] = 0x30;
    expect(() => readFooter(tail)).toThrow(/bad magic/);
    const long = bytes.slice(); new DataView(long.buffer).setUint32(long.length - 8, long.length - 11, true);
    expect(() => readFooter(long)).toThrow(/exceeds the file/);
  });

  it('every prefix of the file throws', () => {
    const accepted: number[] = [];
    for (let cut = 0; cut < bytes.length; cut += cut < 64 || cut > bytes.length - 600 ? 1 : 37) {
      try { readFooter(bytes.subarray(0, cut)); accepted.push(cut); } catch { /* expected */ }
    }
    expect(accepted).toEqual([]);
  });

  it('every truncation of the footer itself, with consistent framing, throws', () => {
    const { start, end } = footerBytes(bytes);
    const accepted: number[] = [];
    for (let len = 0; len < end - start; len++) {
      try { readFooter(withFooter(bytes, bytes.slice(start, start + len))); accepted.push(len); } catch { /* expected */ }
    }
    expect(accepted).toEqual([]);
  });

  it('edited footers: chunks outside the file, repeated and nested columns, missing fields, each named', () => {
    const edit = (f: (m: ThriftStruct) => void): Uint8Array => { const m = meta(bytes); f(m); return withFooter(bytes, m); };
    const { start: metaStart } = footerBytes(bytes);
    expect(() => readFooter(edit((m) => chunkMeta(m, 0, 0).set(9, BigInt(metaStart))))).toThrow(/lies outside the file/);
    expect(() => readFooter(edit((m) => chunkMeta(m, 1, 2).set(7, 10n ** 9n)))).toThrow(/lies outside the file/);
    expect(() => readFooter(edit((m) => chunkMeta(m, 0, 1).set(11, 2n)))).toThrow(/lies outside the file/);
    expect(() => readFooter(edit((m) => at(m, 2, 2).set(3, 2)))).toThrow(/repeated column/);
    expect(() => readFooter(edit((m) => at(m, 2, 2).set(5, 1)))).toThrow(/nested schema/);
    expect(() => readFooter(edit((m) => chunkMeta(m, 0, 0).set(3, [new Uint8Array(1), new Uint8Array(1)])))).toThrow(/nested column path/);
    expect(() => readFooter(edit((m) => m.delete(3)))).toThrow(/field 3 is missing/);
    expect(() => readFooter(edit((m) => m.delete(4)))).toThrow(/field 4 is missing or not a list/);
    expect(() => readFooter(edit((m) => chunkMeta(m, 0, 0).delete(9)))).toThrow(/field 9 is missing/);
    expect(() => readFooter(edit((m) => chunkMeta(m, 0, 0).set(5, -1n)))).toThrow(/field 5 is missing or not a number/);
    // A footer without row groups is an empty file, not an error.
    expect(readFooter(edit((m) => { m.set(4, []); m.set(3, 0n); })).rowGroups).toEqual([]);
  });

  it('random byte flips in the footer end in an Error or in chunk ranges inside the file', () => {
    const { start, end } = footerBytes(bytes);
    const r = rng(61);
    const bad: string[] = [];
    for (let round = 0; round < 500; round++) {
      const copy = bytes.slice();
      for (let k = 1 + int(r, 3); k > 0; k--) copy[start + int(r, end - start)] ^= 1 << int(r, 8);
      let footer: Footer;
      try { footer = readFooter(copy); } catch (err) { if (!(err instanceof Error)) bad.push(`round ${round}: threw ${String(err)}`); continue; }
      for (const rg of footer.rowGroups) {
        for (const [name, c] of rg.chunks) if (c.start < 4 || c.end > start) bad.push(`round ${round}: chunk ${name} at [${c.start}, ${c.end})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('negative or fractional counts and offsets (fields written as i32 or double) are refused (was a bug)', () => {
    // num() checks bigints (i64 fields) for 0 ≤ v ≤ MAX_SAFE_INTEGER but returns any number as it
    // is, so the same field with another thrift type slips through with an impossible value.
    const edit = (f: (m: ThriftStruct) => void): Uint8Array => { const m = meta(bytes); f(m); return withFooter(bytes, m); };
    const cases: Array<[string, (m: ThriftStruct) => void]> = [
      ['num_rows as i32 -5', (m) => m.set(3, -5)],
      ["a row group's num_rows as double 2.5", (m) => at(m, 4, 0).set(3, 2.5)],
      ['total_compressed_size as i32 -40 (end < start)', (m) => chunkMeta(m, 0, 0).set(7, -40)],
      ['num_values as double NaN', (m) => chunkMeta(m, 0, 0).set(5, NaN)],
    ];
    const accepted = cases.filter(([, f]) => { try { readFooter(edit(f)); return true; } catch { return false; } }).map(([what]) => what);
    expect(accepted).toEqual([]);
  });
});
