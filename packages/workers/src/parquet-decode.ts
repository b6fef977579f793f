// Parquet bytes → column views (typed arrays), through parquet-wasm and Arrow IPC.
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import type { ColumnType, ColumnView } from '@backtracedb/engine';

function concatChunks<T extends BigInt64Array | Float64Array>(chunks: readonly arrow.Data[], make: (n: number) => T, length: number): T {
  if (chunks.length === 1) {
    const d = chunks[0];
    return (d.values as T).subarray(d.offset, d.offset + d.length) as T;
  }
  const out = make(length);
  let at = 0;
  for (const d of chunks) { (out as Float64Array).set((d.values as Float64Array).subarray(d.offset, d.offset + d.length), at); at += d.length; }
  return out;
}

function unpackBools(chunks: readonly arrow.Data[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const d of chunks) {
    const bits = d.values as Uint8Array;
    for (let i = 0; i < d.length; i++) { const b = d.offset + i; out[at++] = (bits[b >>> 3] >>> (b & 7)) & 1; }
  }
  return out;
}

/** Strings arrive per chunk with their own dictionary (or as plain Utf8): unify into one. */
function unifyStrings(vector: arrow.Vector, length: number): { values: Int32Array; dictionary: string[] } {
  const dictionary: string[] = [];
  const codeOf = new Map<string, number>();
  const values = new Int32Array(length);
  const code = (s: string): number => {
    let c = codeOf.get(s);
    if (c === undefined) { c = dictionary.length; dictionary.push(s); codeOf.set(s, c); }
    return c;
  };
  let at = 0;
  for (const d of vector.data) {
    if (d.dictionary !== undefined) {
      const dict = d.dictionary;
      const remap = new Int32Array(dict.length);
      for (let k = 0; k < dict.length; k++) remap[k] = code(dict.get(k) as string);
      const codes = d.values as Int32Array;
      // A null's index may be anything: '' in its place (viewOfVector marks it null).
      for (let i = 0; i < d.length; i++) values[at++] = d.getValid(i) ? remap[codes[d.offset + i]] : code('');
    } else {
      const chunk = new arrow.Vector([d]);
      for (let i = 0; i < d.length; i++) values[at++] = code((chunk.get(i) as string | null) ?? '');
    }
  }
  return { values, dictionary };
}

/** A vector's validity, one byte per row (1 = a value), or null when nothing is null. */
function validityOf(vector: arrow.Vector): Uint8Array | null {
  if (vector.nullCount === 0) return null;
  const out = new Uint8Array(vector.length);
  let at = 0;
  for (const d of vector.data) for (let i = 0; i < d.length; i++) out[at++] = d.getValid(i) ? 1 : 0;
  return out;
}

/**
 * Arrow nulls (an OPTIONAL column) become the view's validity; a null's slot is set to 0, or
 * the code of '' for strings, as the engine keeps it.
 */
export function viewOfVector(type: ColumnType, vector: arrow.Vector): ColumnView {
  const view = valuesOfVector(type, vector);
  const valid = validityOf(vector);
  if (valid === null) return view;
  let values = view.values.slice() as typeof view.values;
  if (view.type === 'string') {
    const dictionary = [...view.dictionary];
    let empty = dictionary.indexOf('');
    if (empty === -1) { empty = dictionary.length; dictionary.push(''); }
    const codes = values as Int32Array;
    for (let i = 0; i < valid.length; i++) if (valid[i] === 0) codes[i] = empty;
    return { type: 'string', values: codes, dictionary, valid };
  }
  if (view.type === 'int64') { const v = values as BigInt64Array; for (let i = 0; i < valid.length; i++) if (valid[i] === 0) v[i] = 0n; values = v; }
  else { const v = values as Float64Array | Uint8Array; for (let i = 0; i < valid.length; i++) if (valid[i] === 0) v[i] = 0; }
  return { ...view, values, valid } as ColumnView;
}

function valuesOfVector(type: ColumnType, vector: arrow.Vector): ColumnView {
  const n = vector.length;
  switch (type) {
    case 'int64': return { type, values: concatChunks(vector.data, (k) => new BigInt64Array(k), n) };
    case 'float64': return { type, values: concatChunks(vector.data, (k) => new Float64Array(k), n) };
    case 'bool': return { type, values: unpackBools(vector.data, n) };
    case 'string': return { type, ...unifyStrings(vector, n) };
  }
}

export interface DecodedColumns {
  rowCount: number;
  /** Indexed like `names`. */
  views: ColumnView[];
}

/** Decode the named columns of the given row groups (all when null). */
export function decodeParquet(bytes: Uint8Array, names: readonly string[], types: readonly ColumnType[], rowGroups: number[] | null): DecodedColumns {
  const options: pq.ReaderOptions = { columns: [...names], batchSize: 1 << 20 };
  if (rowGroups !== null) options.rowGroups = rowGroups;
  const table = arrow.tableFromIPC(pq.readParquet(bytes, options).intoIPCStream());
  const views = names.map((name, i) => {
    const vector = table.getChild(name);
    if (vector === null) throw new Error(`column "${name}" is missing from the block`);
    return viewOfVector(types[i], vector);
  });
  return { rowCount: table.numRows, views };
}
