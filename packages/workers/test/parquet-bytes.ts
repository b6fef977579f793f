// Shared by the Parquet reader's unit tests: a thrift compact-protocol writer, an RLE /
// bit-packed hybrid encoder, and Parquet files from the project's encoder and from parquet-wasm.
import { seededRandom } from '@backtracedb/engine';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import type { ColumnType, ColumnView, Compression } from '@backtracedb/engine';
import { copy8, dictionaryIndices, pagesOf, plainBools, plainStrings, PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY } from '../src/parquet/pages.js';
import { encodeBlock } from '../src/parquet-encode.js';
import { arrowTableOf } from '../src/arrow-build.js';
import type { ThriftStruct, ThriftValue } from '../src/parquet/thrift.js';

/** The project's seeded generator (mulberry32). */
export const rng = seededRandom;
export const int = (r: () => number, n: number): number => Math.floor(r() * n);

// ---- Thrift compact protocol, written by hand from the spec ----

/** A value with its wire type, so every thrift type can be written (bool lists, i8/i16, sets...). */
export type Typed =
  | { t: 'bool'; v: boolean } | { t: 'i8'; v: number } | { t: 'i16'; v: number } | { t: 'i32'; v: number } | { t: 'i64'; v: bigint }
  | { t: 'double'; v: number } | { t: 'binary'; v: Uint8Array | string }
  | { t: 'list' | 'set'; elem: Typed['t']; v: Typed[]; boolFalse?: 0 | 2 }
  | { t: 'struct'; v: Array<[number, Typed]> };

export const CODE: Readonly<Record<Typed['t'], number>> = { bool: 1, i8: 3, i16: 4, i32: 5, i64: 6, double: 7, binary: 8, list: 9, set: 10, struct: 12 };

export class CompactWriter {
  private out: number[] = [];
  bytes(): Uint8Array { return Uint8Array.from(this.out); }
  length(): number { return this.out.length; }
  raw(...b: number[]): this { this.out.push(...b); return this; }
  varint(n: bigint): void {
    do { const b = Number(n & 0x7fn); n >>= 7n; this.out.push(n > 0n ? b | 0x80 : b); } while (n > 0n);
  }
  zigzag(n: bigint): void { this.varint(n >= 0n ? n * 2n : -n * 2n - 1n); }
  value(x: Typed): void {
    switch (x.t) {
      case 'bool': this.out.push(x.v ? 1 : 2); break; // only inside lists; fields carry it in the type nibble
      case 'i8': this.out.push(x.v & 0xff); break;
      case 'i16': case 'i32': this.zigzag(BigInt(x.v)); break;
      case 'i64': this.zigzag(x.v); break;
      case 'double': { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, x.v, true); this.out.push(...b); break; }
      case 'binary': { const b = typeof x.v === 'string' ? new TextEncoder().encode(x.v) : x.v; this.varint(BigInt(b.length)); this.out.push(...b); break; }
      case 'list': case 'set': {
        const elem = CODE[x.elem];
        if (x.v.length < 15) this.out.push((x.v.length << 4) | elem); else { this.out.push(0xf0 | elem); this.varint(BigInt(x.v.length)); }
        for (const e of x.v) {
          if (e.t === 'bool') this.out.push(e.v ? 1 : (x.boolFalse ?? 2)); else this.value(e);
        }
        break;
      }
      case 'struct': this.struct(x.v); break;
    }
  }
  struct(fields: Array<[number, Typed]>): void {
    let last = 0;
    for (const [id, x] of fields) {
      const type = x.t === 'bool' ? (x.v ? 1 : 2) : CODE[x.t];
      const delta = id - last;
      if (delta > 0 && delta <= 15) this.out.push((delta << 4) | type);
      else { this.out.push(type); this.zigzag(BigInt(id)); }
      if (x.t !== 'bool') this.value(x);
      last = id;
    }
    this.out.push(0);
  }
}

export function encodeStruct(fields: Array<[number, Typed]>): Uint8Array {
  const w = new CompactWriter();
  w.struct(fields);
  return w.bytes();
}

/** What ThriftReader must return for a typed value. */
export function decoded(x: Typed): ThriftValue {
  switch (x.t) {
    case 'bool': case 'i8': case 'i16': case 'i32': case 'double': case 'i64': return x.v;
    case 'binary': return typeof x.v === 'string' ? new TextEncoder().encode(x.v) : x.v;
    case 'list': case 'set': return x.v.map(decoded);
    case 'struct': return new Map(x.v.map(([id, v]) => [id, decoded(v)]));
  }
}

/**
 * The reverse of ThriftReader for what Parquet footers hold: numbers as i32, bigints as i64,
 * bytes as binary. Used to edit a real footer and write it back.
 */
export function typedOf(v: ThriftValue): Typed {
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'number') return Number.isInteger(v) ? { t: 'i32', v } : { t: 'double', v };
  if (typeof v === 'bigint') return { t: 'i64', v };
  if (v instanceof Uint8Array) return { t: 'binary', v };
  if (Array.isArray(v)) { const items = v.map(typedOf); return { t: 'list', elem: items[0]?.t ?? 'i32', v: items }; }
  return { t: 'struct', v: [...v.entries()].sort((a, b) => a[0] - b[0]).map(([id, x]) => [id, typedOf(x)]) };
}

export function footerBytes(file: Uint8Array): { start: number; end: number } {
  const n = file.byteLength;
  const len = new DataView(file.buffer, file.byteOffset + n - 8, 4).getUint32(0, true);
  return { start: n - 8 - len, end: n - 8 };
}

/** The file with its footer replaced by `meta` (the pages stay where they are). */
export function withFooter(file: Uint8Array, meta: ThriftStruct | Uint8Array): Uint8Array {
  const { start } = footerBytes(file);
  const body = meta instanceof Uint8Array ? meta : encodeStruct((typedOf(meta) as { v: Array<[number, Typed]> }).v);
  const out = new Uint8Array(start + body.length + 8);
  out.set(file.subarray(0, start));
  out.set(body, start);
  new DataView(out.buffer).setUint32(start + body.length, body.length, true);
  out.set([0x50, 0x41, 0x52, 0x31], start + body.length + 4);
  return out;
}

// ---- RLE / bit-packed hybrid (Parquet's dictionary index encoding) ----

export type Run = { rle: number; count: number } | { packed: number[] };

/** Bit width byte, then runs. A bit-packed run is padded with zeros to a whole group of 8. */
export function hybrid(width: number, runs: readonly Run[]): Uint8Array {
  return hybridWithCuts(width, runs).body;
}

/**
 * Also the cuts (body lengths) that end inside an RLE run's value bytes: a reader given such
 * a truncated body has the run's header but only part of its value.
 */
export function hybridWithCuts(width: number, runs: readonly Run[]): { body: Uint8Array; insideRleValue: number[] } {
  const w = new CompactWriter().raw(width);
  const insideRleValue: number[] = [];
  for (const run of runs) {
    if ('rle' in run) {
      w.varint(BigInt(run.count) << 1n);
      const valueStart = w.length();
      for (let b = 0; b < Math.ceil(width / 8); b++) { insideRleValue.push(valueStart + b); w.raw(Number((BigInt(run.rle) >> BigInt(8 * b)) & 0xffn)); }
    } else {
      const groups = Math.ceil(run.packed.length / 8);
      w.varint((BigInt(groups) << 1n) | 1n);
      const bytes = new Uint8Array(groups * width);
      run.packed.forEach((v, i) => {
        for (let b = 0; b < width; b++) if (Math.floor(v / 2 ** b) % 2 === 1) bytes[(i * width + b) >>> 3] |= 1 << ((i * width + b) & 7);
      });
      w.raw(...bytes);
    }
  }
  return { body: w.bytes(), insideRleValue };
}

export const identity = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

export const valuesOf = (runs: readonly Run[]): number[] => runs.flatMap((r) => ('rle' in r ? Array<number>(r.count).fill(r.rle) : r.packed));

const LENGTHS = [1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65];

/** RLE runs of any length (lengths around groups of 8); bit-packed runs of whole groups, except the last, which is padded. */
export function randomRuns(r: () => number, limit: number): Run[] {
  const top = limit > 1 ? 2 ** Math.floor(Math.log2(limit - 1)) : 0; // only the highest bit set
  const val = (): number => { const u = r(); return u < 0.2 ? limit - 1 : u < 0.3 ? 0 : u < 0.4 ? top : int(r, limit); };
  const runs: Run[] = [];
  const k = 1 + int(r, 6);
  for (let i = 0; i < k; i++) {
    if (r() < 0.45) runs.push({ rle: val(), count: LENGTHS[int(r, LENGTHS.length)] });
    else runs.push({ packed: Array.from({ length: i === k - 1 ? LENGTHS[int(r, LENGTHS.length)] : 8 * [1, 2, 3, 8][int(r, 4)] }, val) });
  }
  return runs;
}

// ---- Decoding whole chunks with the page functions ----

/** PLAIN values of one page, through the page functions. */
export function plainValues(type: ColumnType, body: Uint8Array, n: number): unknown[] {
  switch (type) {
    case 'int64': { const o = new BigInt64Array(n); copy8(body, n, o, 0); return Array.from(o); }
    case 'float64': { const o = new Float64Array(n); copy8(body, n, o, 0); return Array.from(o, (x) => (Object.is(x, -0) ? '-0' : x)); }
    case 'bool': { const o = new Uint8Array(n); plainBools(body, n, o, 0); return Array.from(o); }
    case 'string': return plainStrings(body, n);
  }
}

/** A whole column chunk decoded page by page: dictionary pages, PLAIN pages, index pages. */
export function decodeChunk(bytes: Uint8Array, start: number, end: number, type: ColumnType, widths?: Set<number>, codec = 0): unknown[] {
  let dict: unknown[] | null = null;
  const out: unknown[] = [];
  for (const p of pagesOf(bytes, start, end, codec)) {
    if (p.kind === 'dictionary') {
      if (p.encoding !== PLAIN && p.encoding !== PLAIN_DICTIONARY) throw new Error(`dictionary page encoding ${p.encoding}`);
      dict = plainValues(type, p.body, p.numValues);
      continue;
    }
    if (p.encoding === PLAIN) { out.push(...plainValues(type, p.body, p.numValues)); continue; }
    if ((p.encoding !== RLE_DICTIONARY && p.encoding !== PLAIN_DICTIONARY) || dict === null) throw new Error(`data page encoding ${p.encoding}`);
    const d = dict;
    const idx = new Int32Array(p.numValues);
    dictionaryIndices(p.body, p.numValues, idx, 0, identity(d.length));
    widths?.add(p.body[0]);
    for (const i of idx) out.push(d[i]);
  }
  return out;
}

export const plain = (v: ColumnView): unknown[] =>
  v.type === 'string' ? Array.from(v.values, (c) => v.dictionary[c]) : Array.from(v.values as ArrayLike<unknown>, (x) => (Object.is(x, -0) ? '-0' : x));

// ---- Parquet files ----

export interface Block { names: string[]; columns: ColumnView[]; bytes: Uint8Array }

/** A block from the project's encoder: ts int64, s string (dictionary), x float64, b bool. */
export function projectBlock(n: number, distinct: number, rowGroupRows: number, seed: number, compression: Compression = 'none'): Block {
  const r = rng(seed);
  const dictionary = Array.from({ length: distinct }, (_, i) => ['', `ü${i}`, `日本${i}`, `🙂${i}`, `s${i}`][i % 5] + (i % 5 === 0 && i > 0 ? String(i) : ''));
  const columns: ColumnView[] = [
    { type: 'int64', values: BigInt64Array.from({ length: n }, (_, i) => BigInt.asIntN(64, BigInt(i) * 0x1_0000_0001n - 2n ** 62n)) },
    { type: 'string', values: Int32Array.from({ length: n }, () => int(r, distinct)), dictionary },
    { type: 'float64', values: Float64Array.from({ length: n }, (_, i) => [NaN, -0, Infinity, -Infinity][i % 13] ?? (r() - 0.5) * 1e9) },
    { type: 'bool', values: Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)) },
  ];
  const names = ['ts', 's', 'x', 'b'];
  const schema = { name: 't', timeColumn: 'ts', columns: names.map((name, i) => ({ name, type: columns[i].type })) };
  const enc = encodeBlock({ kind: 'encode', schema, rowCount: n, columns, rowGroupRows, sharedOutput: false, compression });
  return { names, columns, bytes: enc.parquet };
}

/** Any Arrow table through parquet-wasm, with the writer properties the caller sets. */
export function wasmParquet(table: arrow.Table, props: (b: pq.WriterPropertiesBuilder) => pq.WriterPropertiesBuilder): Uint8Array {
  const ipc = arrow.tableToIPC(table, 'stream');
  return pq.writeParquet(pq.Table.fromIPCStream(ipc), props(new pq.WriterPropertiesBuilder()).build());
}

export { arrow, pq };

/** Non-nullable columns (as the engine writes them) through parquet-wasm with the caller's properties. */
export function wasmFromViews(names: readonly string[], views: readonly ColumnView[], props: (b: pq.WriterPropertiesBuilder) => pq.WriterPropertiesBuilder): Uint8Array {
  const n = views[0].values.length;
  return wasmParquet(arrowTableOf({ columns: [] }, names, views, n), props);
}

/** A page header (thrift PageHeader) followed by its body, uncompressed. */
export function page(kind: 'data' | 'dictionary' | 'index', numValues: number, encoding: number, body: Uint8Array): Uint8Array {
  const size: Typed = { t: 'i32', v: body.length };
  const header: Array<[number, Typed]> = [[1, { t: 'i32', v: kind === 'data' ? 0 : kind === 'index' ? 1 : 2 }], [2, size], [3, size]];
  if (kind === 'data') header.push([5, { t: 'struct', v: [[1, { t: 'i32', v: numValues }], [2, { t: 'i32', v: encoding }], [3, { t: 'i32', v: 3 }], [4, { t: 'i32', v: 3 }]] }]);
  if (kind === 'index') header.push([6, { t: 'struct', v: [] }]);
  if (kind === 'dictionary') header.push([7, { t: 'struct', v: [[1, { t: 'i32', v: numValues }], [2, { t: 'i32', v: encoding }]] }]);
  const h = encodeStruct(header);
  const out = new Uint8Array(h.length + body.length);
  out.set(h);
  out.set(body, h.length);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
