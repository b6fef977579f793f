// Scan a whole Parquet block (bytes kept in memory, or a file read whole): the fast reader
// for the engine's own layout, parquet-wasm for anything outside it. Filter columns are
// decoded first; the projection only if some row matches (late materialization).
import { Codec } from '../parquet/fields.js';
import { crc32 } from 'node:zlib';
import { gather, selectRows, type ColumnView } from '@backtracedb/engine';
import { decodeParquet, type DecodedColumns } from '../parquet-decode.js';
import { readFooter, type Footer } from '../parquet/footer.js';
import { freshView, readParquetColumns, scratchView, type ViewAllocator } from '../parquet/read.js';
import { UnsupportedParquetError } from '../parquet/thrift.js';
import { damaged, toShared, type ParquetScanTask, type ScanOutput } from './task.js';

/** The footer, if the fast reader supports the file; null sends the whole scan to parquet-wasm. */
function fastFooter(task: ParquetScanTask): Footer | null {
  try {
    const footer = readFooter(task.parquet);
    if (footer.optional.size > 0) return null;
    for (const rg of footer.rowGroups) for (const c of rg.chunks.values()) if (c.codec !== Codec.UNCOMPRESSED) return null;
    return footer;
  } catch (err) {
    if (err instanceof UnsupportedParquetError) return null;
    throw damaged(task.label, err);
  }
}

/** Decodes columns on demand, each once, with the reader chosen for this file. */
class ColumnLoader {
  readonly views: ColumnView[];
  rowCount = -1;
  constructor(private readonly task: ParquetScanTask, private footer: Footer | null) {
    this.views = new Array<ColumnView>(task.schema.columns.length);
  }

  load(cols: readonly number[]): void {
    const missing = cols.filter((c) => this.views[c] === undefined);
    if (missing.length === 0) return;
    let d: DecodedColumns;
    try {
      d = this.decode(missing);
    } catch (err) {
      if (this.footer === null || !(err instanceof UnsupportedParquetError)) throw damaged(this.task.label, err);
      this.footer = null; // a page outside the fast reader's subset: parquet-wasm reads the rest
      try { d = this.decode(missing); } catch (err2) { throw damaged(this.task.label, err2); }
    }
    if (this.rowCount !== -1 && d.rowCount !== this.rowCount) throw new Error(`block ${this.task.label} is damaged: its columns differ in length`);
    this.rowCount = d.rowCount;
    missing.forEach((c, i) => { this.views[c] = d.views[i]; });
  }

  private decode(cols: readonly number[]): DecodedColumns {
    const { task } = this;
    const defs = task.schema.columns;
    const names = cols.map((c) => defs[c].name);
    const types = cols.map((c) => defs[c].type);
    const groups = task.rowGroups === null ? null : [...task.rowGroups];
    if (this.footer === null) return decodeParquet(task.parquet, names, types, groups);
    const alloc: ViewAllocator = task.fillCache ? freshView : (type, rows, i) => scratchView(type, rows, cols[i]);
    return readParquetColumns(task.parquet, names, types, groups, this.footer, alloc);
  }
}

export function scanParquetTask(task: ParquetScanTask): ScanOutput {
  if (task.origin.kind === 'file' && crc32(task.parquet) !== task.origin.checksum) {
    throw new Error(`block ${task.label} is damaged: checksum mismatch`);
  }
  const req = task.request;
  const loader = new ColumnLoader(task, fastFooter(task));
  if (task.fillCache) {
    loader.load(task.schema.columns.map((_, i) => i));
  } else {
    const filters = [...new Set(req.predicates.map((p) => p.column))];
    // With no filter, the time column gives the row count (and is needed for ordering anyway).
    loader.load(filters.length > 0 ? filters : [req.timeColumn]);
  }
  if (loader.rowCount !== task.expectedRows) {
    throw new Error(`block ${task.label} is damaged: it holds ${loader.rowCount} rows, the manifest says ${task.expectedRows}`);
  }
  const views = loader.views;
  const { lo, hi, sel, n } = selectRows(views, 0, loader.rowCount, req);
  const result: ScanOutput = { rowCount: n, columns: [] };
  if (!req.countOnly && n > 0) {
    loader.load(req.projection);
    result.columns = req.projection.map((c) => gather(views[c], lo, hi, sel));
  }
  if (task.fillCache) result.decoded = views.map(toShared);
  return result;
}
