// A fast reader for the Parquet blocks this engine writes: only the named columns of the
// chosen row groups, copied straight into typed arrays. Files outside the supported subset
// throw UnsupportedParquetError; the caller then uses parquet-wasm.
import type { ColumnType, ColumnView, Compression } from '@backtracedb/engine';
import { readFooter, type ChunkInfo, type Footer } from './footer.js';
import { copy8, dictionaryIndices, dictionaryMatches, pagesOf, plainBools, plainStrings, PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY } from './pages.js';
import type { CompareOp, Predicate } from '@backtracedb/engine';
import { compareScalar } from '@backtracedb/engine/thread';
import { UnsupportedParquetError } from './thrift.js';
import { PhysicalType } from './fields.js';
import { CODEC_OF, isKnownCodec } from './compress.js';
import { decodeLevels, spreadValues } from './levels.js';

const PHYSICAL: Readonly<Record<ColumnType, number>> = { bool: PhysicalType.BOOLEAN, int64: PhysicalType.INT64, float64: PhysicalType.DOUBLE, string: PhysicalType.BYTE_ARRAY };

function checkChunk(chunk: ChunkInfo | undefined, name: string, type: ColumnType, rows: number): ChunkInfo {
  if (chunk === undefined) throw new Error(`column "${name}" is missing from the block`);
  if (chunk.physicalType !== PHYSICAL[type]) throw new Error(`column "${name}" has physical type ${chunk.physicalType}, expected ${PHYSICAL[type]}`);
  if (!isKnownCodec(chunk.codec)) throw new UnsupportedParquetError(`codec ${chunk.codec}`);
  if (chunk.numValues !== rows) throw new Error(`column "${name}" holds ${chunk.numValues} values in a row group of ${rows}`);
  return chunk;
}

/** Strings of all chosen row groups share one dictionary: each group's entries are mapped in. */
interface StringSink { values: Int32Array; dictionary: string[]; codeOf: Map<string, number> }

function mapIn(sink: StringSink, entries: readonly string[]): Int32Array {
  const remap = new Int32Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    let c = sink.codeOf.get(entries[i]);
    if (c === undefined) { c = sink.dictionary.length; sink.dictionary.push(entries[i]); sink.codeOf.set(entries[i], c); }
    remap[i] = c;
  }
  return remap;
}

/**
 * Decode a chunk's pages into out[at …]. With `valid` (an OPTIONAL column), each data page
 * opens with definition levels: they go to valid[at …], the page's values (non-null rows
 * only) are decoded densely and then spread to their rows.
 */
function readChunk(bytes: Uint8Array, chunk: ChunkInfo, type: ColumnType, out: ColumnView, sink: StringSink | null, at: number, rows: number, valid: Uint8Array | null = null): void {
  let n = 0;
  let remap: Int32Array | null = null;
  for (const raw of pagesOf(bytes, chunk.start, chunk.end, chunk.codec)) {
    let page = raw;
    let present = raw.numValues;
    if (valid !== null && raw.kind === 'data') {
      if (n + raw.numValues > rows) throw new Error('Parquet pages hold more values than their row group');
      const levels = decodeLevels(raw.body, raw.numValues, valid, at + n);
      present = levels.present;
      page = { ...raw, numValues: present, body: raw.body.subarray(levels.valuesAt) };
      // PLAIN fixed-width values fill the rest of the page exactly: a page that is not what its
      // levels say (damage, or a REQUIRED page read as OPTIONAL) is refused, never misread.
      const width = type === 'int64' || type === 'float64' ? 8 : 0;
      if (page.encoding === PLAIN && width > 0 && page.body.byteLength !== present * width) throw new Error(`Parquet page of ${present} non-null values holds ${page.body.byteLength} value bytes`);
      if (page.encoding === PLAIN && type === 'bool' && page.body.byteLength !== Math.ceil(present / 8)) throw new Error(`Parquet page of ${present} non-null bools holds ${page.body.byteLength} value bytes`);
    }
    if (page.kind === 'dictionary') {
      if (type !== 'string' || sink === null) throw new UnsupportedParquetError(`dictionary page on a ${type} column`);
      if (page.encoding !== PLAIN && page.encoding !== PLAIN_DICTIONARY) throw new UnsupportedParquetError(`dictionary encoding ${page.encoding}`);
      remap = mapIn(sink, plainStrings(page.body, page.numValues));
      continue;
    }
    const count = page.numValues;
    if (n + count > rows) throw new Error('Parquet pages hold more values than their row group');
    if (page.encoding === PLAIN) {
      switch (out.type) {
        case 'int64': case 'float64': copy8(page.body, count, out.values, at + n); break;
        case 'bool': plainBools(page.body, count, out.values, at + n); break;
        case 'string': out.values.set(mapIn(sink as StringSink, plainStrings(page.body, count)), at + n); break;
      }
    } else if ((page.encoding === RLE_DICTIONARY || page.encoding === PLAIN_DICTIONARY) && out.type === 'string' && remap !== null) {
      dictionaryIndices(page.body, count, out.values, at + n, remap);
    } else {
      throw new UnsupportedParquetError(`encoding ${page.encoding} on a ${type} column`);
    }
    if (valid !== null && present !== raw.numValues) {
      // A null's slot: 0, or the code of '' for strings (kernels read every slot).
      const zero = out.type === 'string' ? mapIn(sink as StringSink, [''])[0] : 0;
      spreadValues(out, valid, at + n, raw.numValues, present, zero);
    }
    n += raw.numValues;
  }
  if (n !== rows) throw new Error(`Parquet column chunk holds ${n} values, its row group ${rows}`);
}

/** Makes the output array of one column; `slot` tells columns apart for reuse. */
export type ViewAllocator = (type: ColumnType, rowCount: number, slot: number) => ColumnView;

export const freshView: ViewAllocator = (type, rowCount) => {
  switch (type) {
    case 'int64': return { type, values: new BigInt64Array(rowCount) };
    case 'float64': return { type, values: new Float64Array(rowCount) };
    case 'bool': return { type, values: new Uint8Array(rowCount) };
    case 'string': return { type, values: new Int32Array(rowCount), dictionary: [] };
  }
};

/**
 * Views over per-thread buffers reused from scan to scan: decoding a block then allocates
 * (and zero-fills, and later collects) nothing. Valid only until the next scan on this
 * thread, so only for scans that copy out what they keep.
 */
const scratch = new Map<number, ArrayBuffer>();
export const scratchView: ViewAllocator = (type, rowCount, slot) => {
  const bytes = rowCount * (type === 'bool' ? 1 : type === 'string' ? 4 : 8);
  let buf = scratch.get(slot);
  if (buf === undefined || buf.byteLength < bytes) { buf = new ArrayBuffer(Math.max(bytes, 8)); scratch.set(slot, buf); }
  switch (type) {
    case 'int64': return { type, values: new BigInt64Array(buf, 0, rowCount) };
    case 'float64': return { type, values: new Float64Array(buf, 0, rowCount) };
    case 'bool': return { type, values: new Uint8Array(buf, 0, rowCount) };
    case 'string': return { type, values: new Int32Array(buf, 0, rowCount), dictionary: [] };
  }
};

function sinkOf(out: ColumnView): StringSink | null {
  return out.type === 'string' ? { values: out.values, dictionary: out.dictionary as string[], codeOf: new Map() } : null;
}

export interface DecodedColumns {
  rowCount: number;
  views: ColumnView[];
}

export function readParquetColumns(bytes: Uint8Array, names: readonly string[], types: readonly ColumnType[], rowGroups: number[] | null, footer: Footer = readFooter(bytes), alloc: ViewAllocator = freshView): DecodedColumns {
  const groups = rowGroups ?? footer.rowGroups.map((_, i) => i);
  let rowCount = 0;
  for (const g of groups) {
    const rg = footer.rowGroups[g];
    if (rg === undefined) throw new Error(`row group ${g} does not exist`);
    rowCount += rg.rowCount;
  }
  const views = names.map((name, c): ColumnView => {
    const type = types[c];
    const out = alloc(type, rowCount, c);
    const sink = sinkOf(out);
    const valid = footer.optional.has(name) ? new Uint8Array(rowCount) : null;
    let at = 0;
    for (const g of groups) {
      const rg = footer.rowGroups[g];
      readChunk(bytes, checkChunk(rg.chunks.get(name), name, type, rg.rowCount), type, out, sink, at, rg.rowCount, valid);
      at += rg.rowCount;
    }
    return withNulls(out, valid);
  });
  return { rowCount, views };
}

/** The view with its validity, kept only when some row is null. */
function withNulls(out: ColumnView, valid: Uint8Array | null): ColumnView {
  if (valid === null) return out;
  let present = 0;
  for (let i = 0; i < valid.length; i++) present += valid[i];
  return present === valid.length ? out : { ...out, valid };
}

/** Column chunks already cut out of the file: chunks[g][c] for the g-th chosen row group. */
export interface ChunkSet {
  readonly rowCounts: readonly number[];
  /** Schema column indexes present, in the order of chunks[g]. */
  readonly columns: readonly number[];
  readonly chunks: ReadonlyArray<ReadonlyArray<Uint8Array>>;
  /** How every chunk's pages are compressed. */
  readonly compression: Compression;
}

/** `nullable[c]`: the c-th of `columns` is OPTIONAL (its pages carry definition levels). */
export function readChunkColumns(set: ChunkSet, columns: readonly number[], types: readonly ColumnType[], alloc: ViewAllocator = freshView, nullable: readonly boolean[] = []): DecodedColumns {
  const rowCount = set.rowCounts.reduce((a, b) => a + b, 0);
  const views = columns.map((col, c): ColumnView => {
    const type = types[c];
    const at = set.columns.indexOf(col);
    if (at < 0) throw new Error(`internal: column ${col} was not read`);
    const out = alloc(type, rowCount, col);
    const sink = sinkOf(out);
    const valid = nullable[c] === true ? new Uint8Array(rowCount) : null;
    let row = 0;
    set.rowCounts.forEach((rows, g) => {
      const bytes = set.chunks[g][at];
      const info: ChunkInfo = { physicalType: PHYSICAL[type], codec: CODEC_OF[set.compression], numValues: rows, start: 0, end: bytes.byteLength };
      readChunk(bytes, info, type, out, sink, row, rows, valid);
      row += rows;
    });
    return withNulls(out, valid);
  });
  return { rowCount, views };
}

/**
 * Rows of the chosen row groups whose string value satisfies `p`, read straight from the
 * dictionary indices (see dictionaryMatches). `chunks[g]` is the column's chunk in group g.
 */
export function selectByStrings(chunks: readonly Uint8Array[], rowCounts: readonly number[], p: Predicate, sel: Uint32Array, compression: Compression): number {
  let k = 0;
  let base = 0;
  rowCounts.forEach((rows, g) => {
    const bytes = chunks[g];
    let lut: Uint8Array | null = null;
    let n = 0;
    for (const page of pagesOf(bytes, 0, bytes.byteLength, CODEC_OF[compression])) {
      if (page.kind === 'dictionary') {
        if (page.encoding !== PLAIN && page.encoding !== PLAIN_DICTIONARY) throw new UnsupportedParquetError(`dictionary encoding ${page.encoding}`);
        const entries = plainStrings(page.body, page.numValues);
        lut = new Uint8Array(entries.length);
        for (let d = 0; d < entries.length; d++) if (compareScalar(p.op as CompareOp, entries[d], p.value as string)) lut[d] = 1;
        continue;
      }
      if (n + page.numValues > rows) throw new Error('Parquet pages hold more values than their row group');
      if ((page.encoding === RLE_DICTIONARY || page.encoding === PLAIN_DICTIONARY) && lut !== null) {
        k = dictionaryMatches(page.body, page.numValues, lut, sel, k, base + n);
      } else if (page.encoding === PLAIN) {
        const values = plainStrings(page.body, page.numValues);
        for (let i = 0; i < values.length; i++) { sel[k] = base + n + i; k += compareScalar(p.op as CompareOp, values[i], p.value as string) ? 1 : 0; }
      } else {
        throw new UnsupportedParquetError(`encoding ${page.encoding} on a string column`);
      }
      n += page.numValues;
    }
    if (n !== rows) throw new Error(`Parquet column chunk holds ${n} values, its row group ${rows}`);
    base += rows;
  });
  return k;
}

export { readFooter, UnsupportedParquetError };
