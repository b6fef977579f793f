// Scan one block: decode the columns the query needs from Parquet (or take already decoded
// columns from shared memory), run the kernels, gather the selected rows.
import { crc32 } from 'node:zlib';
import { applyPredicate, gather, scanViews, scratchSelection, selectRows, type ColumnView, type ScanRequest, type ScanResult, type TableSchema } from '@backtracedb/engine';
import { decodeParquet, type DecodedColumns } from './parquet-decode.js';
import { readFooter, type Footer } from './parquet/footer.js';
import { freshView, readChunkColumns, readParquetColumns, scratchView, selectByStrings, type ChunkSet, type ViewAllocator } from './parquet/read.js';

/** Scratch views keyed by schema column (the reader numbers columns by their position in `cols`). */
function slotted(cols: readonly number[]): ViewAllocator {
  return (type, rows, i) => scratchView(type, rows, cols[i]);
}
import { UnsupportedParquetError } from './parquet/thrift.js';

export interface ScanTask {
  readonly kind: 'scan';
  /** The block's Parquet bytes: shared memory (memory storage) or a transferred copy (disk). */
  readonly parquet: Uint8Array;
  readonly schema: TableSchema;
  /** Row groups to read; null reads all. */
  readonly rowGroups: number[] | null;
  readonly request: ScanRequest;
  /** Names the block in errors (its file path, or "memory block N"). */
  readonly label: string;
  readonly expectedRows: number | null;
  /** Row groups in the block (for statistics). */
  readonly totalRowGroups: number;
  /** Also return every column, decoded, on shared memory (to fill the decoded-block cache). */
  readonly keepDecoded: boolean;
  /** CRC32 the bytes must have (a block read from its file), or null (bytes from memory). */
  readonly checksum: number | null;
  /**
   * Instead of the whole file: the needed column chunks of the chosen row groups, each with
   * the CRC32 it must have (`parquet` is then empty).
   */
  readonly chunks: (ChunkSet & { readonly crcs: ReadonlyArray<ReadonlyArray<number>> }) | null;
}

/** A scan over columns already decoded into shared memory (a cache hit). */
export interface ScanViewsTask {
  readonly kind: 'scan-views';
  /** Indexed by schema column; only the needed ones must be present. */
  readonly views: ColumnView[];
  readonly rowCount: number;
  readonly request: ScanRequest;
}

export type ScanOutput = ScanResult & { decoded?: ColumnView[] };

export function neededColumns(req: ScanRequest): number[] {
  const set = new Set<number>(filterColumns(req));
  if (!req.countOnly) for (const c of req.projection) set.add(c);
  return [...set].sort((a, b) => a - b);
}

/** Columns the predicates read (the time column is among them when a predicate is on it). */
export function filterColumns(req: ScanRequest): number[] {
  return [...new Set(req.predicates.map((p) => p.column))].sort((a, b) => a - b);
}

function toShared(v: ColumnView): ColumnView {
  const src = v.values;
  const bytes = new Uint8Array(new SharedArrayBuffer(src.byteLength));
  bytes.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  switch (v.type) {
    case 'int64': return { type: 'int64', values: new BigInt64Array(bytes.buffer) };
    case 'float64': return { type: 'float64', values: new Float64Array(bytes.buffer) };
    case 'bool': return { type: 'bool', values: new Uint8Array(bytes.buffer) };
    case 'string': return { type: 'string', values: new Int32Array(bytes.buffer), dictionary: v.dictionary };
  }
}

/** Decode with the fast reader; parquet-wasm for anything outside its subset. */
function decode(task: ScanTask, cols: readonly number[], footer: Footer | null): DecodedColumns {
  const defs = task.schema.columns;
  const names = cols.map((c) => defs[c].name);
  const types = cols.map((c) => defs[c].type);
  try {
    if (footer !== null) return readParquetColumns(task.parquet, names, types, task.rowGroups, footer, task.keepDecoded ? freshView : slotted(cols));
    return decodeParquet(task.parquet, names, types, task.rowGroups);
  } catch (err) {
    throw new Error(`block ${task.label} is damaged or unreadable: ${(err as Error).message}`);
  }
}

function fastFooter(task: ScanTask): Footer | null {
  try {
    const footer = readFooter(task.parquet);
    if (footer.optional.size > 0) return null;
    for (const rg of footer.rowGroups) for (const c of rg.chunks.values()) if (c.codec !== 0) return null;
    return footer;
  } catch (err) {
    if (err instanceof UnsupportedParquetError) return null;
    throw new Error(`block ${task.label} is damaged or unreadable: ${(err as Error).message}`);
  }
}

/**
 * The first filter on a string column, evaluated on the dictionary indices as they are
 * unpacked (no codes array), then the other filters on the selection. Applies when no time
 * range narrows the scan and the string column is not needed afterwards.
 */
function scanChunksByStrings(task: ScanTask, set: NonNullable<ScanTask['chunks']>): ScanOutput | null {
  const req = task.request;
  const preds = req.predicates;
  const first = preds[0];
  if (task.keepDecoded || first === undefined || first.type !== 'string') return null;
  if (preds.some((p) => p.column === req.timeColumn && p.op !== '!=')) return null;
  if (!req.countOnly && req.projection.includes(first.column)) return null;
  if (preds.slice(1).some((p) => p.column === first.column)) return null;
  const at = set.columns.indexOf(first.column);
  const rowCount = set.rowCounts.reduce((a, b) => a + b, 0);
  const defs = task.schema.columns;
  let n: number;
  let sel: Uint32Array;
  let views: ColumnView[];
  try {
    sel = scratchSelection(rowCount);
    n = selectByStrings(set.chunks.map((g) => g[at]), set.rowCounts, first, sel);
    const others = set.columns.filter((c) => c !== first.column);
    const d = n === 0 ? { rowCount, views: [] } : readChunkColumns(set, others, others.map((c) => defs[c].type), scratchView);
    views = new Array<ColumnView>(defs.length);
    others.forEach((c, i) => { if (d.views[i] !== undefined) views[c] = d.views[i]; });
  } catch (err) {
    if (err instanceof UnsupportedParquetError) return null;
    throw new Error(`block ${task.label} is damaged or unreadable: ${(err as Error).message}`);
  }
  for (const p of preds.slice(1)) {
    if (n === 0) break;
    n = applyPredicate(views[p.column], p, sel, n);
  }
  const result: ScanOutput = { rowCount: n, columns: [], rowGroupsDecoded: set.rowCounts.length };
  if (!req.countOnly && n > 0) result.columns = req.projection.map((c) => gather(views[c], 0, rowCount, sel.subarray(0, n)));
  return result;
}

function scanChunks(task: ScanTask, set: NonNullable<ScanTask['chunks']>): ScanOutput {
  set.chunks.forEach((row, g) => row.forEach((bytes, c) => {
    if (crc32(bytes) !== set.crcs[g][c]) throw new Error(`block ${task.label} is damaged: checksum mismatch in a column chunk`);
  }));
  const fused = scanChunksByStrings(task, set);
  if (fused !== null) return fused;
  const defs = task.schema.columns;
  let d: DecodedColumns;
  try {
    d = readChunkColumns(set, set.columns, set.columns.map((c) => defs[c].type), task.keepDecoded ? freshView : scratchView);
  } catch (err) {
    throw new Error(`block ${task.label} is damaged or unreadable: ${(err as Error).message}`);
  }
  const views: ColumnView[] = new Array<ColumnView>(defs.length);
  set.columns.forEach((c, i) => { views[c] = d.views[i]; });
  const result: ScanOutput = scanViews(views, 0, d.rowCount, task.request);
  result.rowGroupsDecoded = set.rowCounts.length;
  if (task.keepDecoded) result.decoded = views.map(toShared);
  return result;
}

export function scanBlock(task: ScanTask): ScanOutput {
  if (task.chunks !== null) return scanChunks(task, task.chunks);
  if (task.checksum !== null && crc32(task.parquet) !== task.checksum) {
    throw new Error(`block ${task.label} is damaged: checksum mismatch`);
  }
  const defs = task.schema.columns;
  let footer = fastFooter(task);
  const views: ColumnView[] = new Array<ColumnView>(defs.length);
  let rowCount = -1;
  const load = (cols: readonly number[]): void => {
    const missing = cols.filter((c) => views[c] === undefined);
    if (missing.length === 0) return;
    let d: DecodedColumns;
    try {
      d = decode(task, missing, footer);
    } catch (err) {
      if (footer === null || !(String((err as Error).message).includes('unsupported Parquet feature'))) throw err;
      footer = null; // outside the fast reader's subset: parquet-wasm reads it
      d = decode(task, missing, null);
    }
    if (rowCount !== -1 && d.rowCount !== rowCount) throw new Error(`block ${task.label} is damaged: its columns differ in length`);
    rowCount = d.rowCount;
    missing.forEach((c, i) => { views[c] = d.views[i]; });
  };
  const expectedRows = task.rowGroups === null ? task.expectedRows : null;
  if (task.keepDecoded) {
    load(defs.map((_, i) => i));
    for (let c = 0; c < views.length; c++) views[c] = toShared(views[c]);
  } else {
    // Late materialization: the filter columns first; the rest only if some row matches.
    load(filterColumns(task.request));
    if (rowCount === -1) {
      rowCount = footer !== null
        ? (task.rowGroups ?? footer.rowGroups.map((_, g) => g)).reduce((n, g) => n + (footer?.rowGroups[g]?.rowCount ?? 0), 0)
        : -1;
      if (rowCount === -1) load([task.request.timeColumn]);
    }
  }
  if (expectedRows !== null && rowCount !== expectedRows) {
    throw new Error(`block ${task.label} is damaged: it holds ${rowCount} rows, the manifest says ${expectedRows}`);
  }
  const { lo, hi, sel, n } = selectRows(views, 0, rowCount, task.request);
  const result: ScanOutput = { rowCount: n, columns: [] };
  if (!task.request.countOnly && n > 0) {
    load(task.request.projection);
    result.columns = task.request.projection.map((c) => gather(views[c], lo, hi, sel));
  }
  result.rowGroupsDecoded = task.rowGroups?.length ?? task.totalRowGroups;
  if (task.keepDecoded) result.decoded = views;
  return result;
}

export function scanDecoded(task: ScanViewsTask): ScanResult {
  const result = scanViews(task.views, 0, task.rowCount, task.request);
  result.rowGroupsDecoded = 0;
  return result;
}
