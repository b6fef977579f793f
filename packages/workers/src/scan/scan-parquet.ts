// Scan a whole Parquet block (bytes kept in memory, or a file read whole): the fast reader
// for the engine's own layout; parquet-wasm, loaded only then, for anything outside it.
// Filter columns are decoded first; the projection only if some row matches.
import { crc32 } from 'node:zlib';
import type { ColumnView } from '@backtracedb/engine';
import { aggregateRows, gather, selectRows } from '@backtracedb/engine/thread';
import { readFooter, type Footer } from '../parquet/footer.js';
import { codecsReady, isKnownCodec } from '../parquet/compress.js';
import { freshView, readParquetColumns, scratchView, type DecodedColumns, type ViewAllocator } from '../parquet/read.js';
import { UnsupportedParquetError } from '../parquet/thrift.js';
import { timesToTableUnit } from '../parquet/timestamp.js';
import { damaged, toShared, type ParquetScanTask, type ScanOutput } from './task.js';

type Decoder = (cols: readonly number[]) => DecodedColumns;

/** The footer, if the fast reader supports the file; null sends the whole scan to parquet-wasm. */
function fastFooter(task: ParquetScanTask): Footer | null {
  try {
    const footer = readFooter(task.parquet);
    for (const rg of footer.rowGroups) for (const c of rg.chunks.values()) if (!isKnownCodec(c.codec)) return null;
    return footer;
  } catch (err) {
    if (err instanceof UnsupportedParquetError) return null;
    throw damaged(task.label, err);
  }
}

function fastDecoder(task: ParquetScanTask, footer: Footer): Decoder {
  const defs = task.schema.columns;
  const groups = task.rowGroups === null ? null : [...task.rowGroups];
  return (cols) => {
    const alloc: ViewAllocator = task.fillCache ? freshView : (type, rows, i) => scratchView(type, rows, cols[i]);
    return readParquetColumns(task.parquet, cols.map((c) => defs[c].name), cols.map((c) => defs[c].type), groups, footer, alloc);
  };
}

/** The scan itself, synchronous: a page outside the fast reader's subset throws UnsupportedParquetError. */
function scanWith(task: ParquetScanTask, decode: Decoder): ScanOutput {
  const req = task.request;
  const views = new Array<ColumnView>(task.schema.columns.length);
  let rowCount = -1;
  const load = (cols: readonly number[]): void => {
    const missing = cols.filter((c) => views[c] === undefined);
    if (missing.length === 0) return;
    let d: DecodedColumns;
    try {
      d = decode(missing);
    } catch (err) {
      if (err instanceof UnsupportedParquetError) throw err;
      throw damaged(task.label, err);
    }
    timesToTableUnit(task.schema, missing, d.views, d.rowCount);
    if (rowCount !== -1 && d.rowCount !== rowCount) throw new Error(`block ${task.label} is damaged: its columns differ in length`);
    rowCount = d.rowCount;
    missing.forEach((c, i) => { views[c] = d.views[i]; });
  };
  if (task.fillCache) {
    load(task.schema.columns.map((_, i) => i));
  } else {
    const filters = [...new Set(req.predicates.map((p) => p.column))];
    // With no filter, the time column gives the row count (and is usually projected anyway).
    load(filters.length > 0 ? filters : [req.timeColumn]);
  }
  if (rowCount !== task.expectedRows) {
    throw new Error(`block ${task.label} is damaged: it holds ${rowCount} rows, the manifest says ${task.expectedRows}`);
  }
  const { lo, hi, sel, n } = selectRows(views, 0, rowCount, req);
  const result: ScanOutput = { rowCount: n, columns: [] };
  if (req.aggregate !== undefined) {
    if (n > 0) load(req.projection);
    result.partials = n > 0 ? aggregateRows(views, lo, hi, sel, req.aggregate, req.timeColumn) : [];
  } else if (!req.countOnly && n > 0) {
    load(req.projection);
    result.columns = req.projection.map((c) => gather(views[c], lo, hi, sel));
  }
  if (task.fillCache) result.decoded = views.map(toShared);
  return result;
}

export function scanParquetTask(task: ParquetScanTask): ScanOutput | Promise<ScanOutput> {
  if (task.origin.kind === 'file' && crc32(task.parquet) !== task.origin.checksum) {
    throw new Error(`block ${task.label} is damaged: checksum mismatch`);
  }
  const footer = fastFooter(task);
  if (footer === null) return scanWithParquetWasm(task);
  // Decompression happens in the scan's thread; zstd's wasm loads on its first block.
  const loading = codecsReady(footer.rowGroups.flatMap((rg) => [...rg.chunks.values()].map((c) => c.codec)));
  return loading === null ? scanFast(task, footer) : loading.then(() => scanFast(task, footer));
}

/** The fast reader, or parquet-wasm for a page outside its subset. */
function scanFast(task: ParquetScanTask, footer: Footer): ScanOutput | Promise<ScanOutput> {
  try {
    return scanWith(task, fastDecoder(task, footer));
  } catch (err) {
    if (!(err instanceof UnsupportedParquetError)) throw err;
  }
  return scanWithParquetWasm(task);
}

/** parquet-wasm, imported once per thread on first need (never twice at once: see cli/main.ts). */
let parquetWasm: Promise<typeof import('../parquet-decode.js')> | null = null;

/** Outside the fast reader's subset: decode with parquet-wasm (fresh buffers, no scratch). */
async function scanWithParquetWasm(task: ParquetScanTask): Promise<ScanOutput> {
  parquetWasm ??= import('../parquet-decode.js');
  const { decodeParquet } = await parquetWasm;
  const defs = task.schema.columns;
  const groups = task.rowGroups === null ? null : [...task.rowGroups];
  return scanWith(task, (cols) => {
    try {
      return decodeParquet(task.parquet, cols.map((c) => defs[c].name), cols.map((c) => defs[c].type), groups);
    } catch (err) {
      throw damaged(task.label, err);
    }
  });
}
