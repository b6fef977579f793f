// Scan column chunks read from a block file: verify each chunk's CRC32, decode the chunks
// with the fast reader, run the kernels, gather the selected rows.
import { crc32 } from 'node:zlib';
import type { ColumnView } from '@backtracedb/engine';
import { applyPredicate, gather, scanViews, scratchSelection } from '@backtracedb/engine/thread';
import { freshView, readChunkColumns, scratchView, selectByStrings, type DecodedColumns } from '../parquet/read.js';
import { CODEC_OF, codecsReady } from '../parquet/compress.js';
import { timesToTableUnit } from '../parquet/timestamp.js';
import { chunkBuffers, damaged, toShared, type ChunksScanTask, type ScanOutput } from './task.js';

/**
 * The first filter on a string column, evaluated on the dictionary indices as they are
 * unpacked (no codes array), then the other filters on the selection. Applies when no time
 * range narrows the scan and the string column is not needed afterwards; null otherwise.
 */
function scanByStrings(task: ChunksScanTask): ScanOutput | null {
  const req = task.request;
  const set = task.chunks;
  const preds = req.predicates;
  const first = preds[0];
  if (task.fillCache || req.aggregate !== undefined || first === undefined || first.type !== 'string') return null;
  // A nullable string column's pages open with definition levels: the general path reads them.
  if (task.schema.columns[first.column].nullable === true || first.op === 'isNull' || first.op === 'isNotNull') return null;
  if (preds.some((p) => p.column === req.timeColumn && p.op !== '!=')) return null;
  if (!req.countOnly && req.projection.includes(first.column)) return null;
  if (preds.slice(1).some((p) => p.column === first.column)) return null;
  const at = set.columns.indexOf(first.column);
  const rowCount = set.rowCounts.reduce((a, b) => a + b, 0);
  const defs = task.schema.columns;
  const sel = scratchSelection(rowCount);
  let n: number;
  const views = new Array<ColumnView>(defs.length);
  try {
    n = selectByStrings(set.chunks.map((g) => g[at]), set.rowCounts, first, sel, set.compression);
    const others = set.columns.filter((c) => c !== first.column);
    const d = n === 0 ? { rowCount, views: [] } : readChunkColumns(set, others, others.map((c) => defs[c].type), scratchView, others.map((c) => defs[c].nullable === true));
    timesToTableUnit(task.schema, others, d.views, d.rowCount);
    others.forEach((c, i) => { if (d.views[i] !== undefined) views[c] = d.views[i]; });
  } catch (err) {
    throw damaged(task.label, err);
  }
  for (const p of preds.slice(1)) {
    if (n === 0) break;
    n = applyPredicate(views[p.column], p, sel, n);
  }
  const result: ScanOutput = { rowCount: n, columns: [] };
  if (!req.countOnly && n > 0) result.columns = req.projection.map((c) => gather(views[c], 0, rowCount, sel.subarray(0, n)));
  return result;
}

export function scanChunksTask(task: ChunksScanTask): ScanOutput | Promise<ScanOutput> {
  const set = task.chunks;
  set.chunks.forEach((row, g) => row.forEach((bytes, c) => {
    if (crc32(bytes) !== set.crcs[g][c]) throw new Error(`block ${task.label} is damaged: checksum mismatch in a column chunk`);
  }));
  // Decompression happens here, in the scan's thread; zstd's wasm loads on its first block.
  const loading = codecsReady([CODEC_OF[set.compression]]);
  return loading === null ? scanChecked(task) : loading.then(() => scanChecked(task));
}

/** The scan of chunks whose CRC32s are verified; the chunks' buffers go back with the result. */
function scanChecked(task: ChunksScanTask): ScanOutput {
  const out = scanCheckedChunks(task);
  out.spent = chunkBuffers(task.chunks.chunks);
  return out;
}

function scanCheckedChunks(task: ChunksScanTask): ScanOutput {
  const set = task.chunks;
  const fused = scanByStrings(task);
  if (fused !== null) return fused;
  const defs = task.schema.columns;
  let d: DecodedColumns;
  try {
    d = readChunkColumns(set, set.columns, set.columns.map((c) => defs[c].type), task.fillCache ? freshView : scratchView, set.columns.map((c) => defs[c].nullable === true));
    timesToTableUnit(task.schema, set.columns, d.views, d.rowCount);
  } catch (err) {
    throw damaged(task.label, err);
  }
  const views = new Array<ColumnView>(defs.length);
  set.columns.forEach((c, i) => { views[c] = d.views[i]; });
  const result: ScanOutput = scanViews(views, 0, d.rowCount, task.request);
  if (task.fillCache) result.decoded = views.map(toShared);
  return result;
}
