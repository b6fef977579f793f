// Scan one block: decode the columns the query needs from Parquet (or take already decoded
// columns from shared memory), run the kernels, gather the selected rows.
import { scanViews, type ColumnView, type ScanRequest, type ScanResult, type TableSchema } from '@backtracedb/engine';
import { decodeParquet } from './parquet-decode.js';

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
  const set = new Set<number>([req.timeColumn]);
  for (const p of req.predicates) set.add(p.column);
  if (!req.countOnly) for (const c of req.projection) set.add(c);
  return [...set].sort((a, b) => a - b);
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

export function scanBlock(task: ScanTask): ScanOutput {
  const defs = task.schema.columns;
  const cols = task.keepDecoded ? defs.map((_, i) => i) : neededColumns(task.request);
  let decoded;
  try {
    decoded = decodeParquet(task.parquet, cols.map((c) => defs[c].name), cols.map((c) => defs[c].type), task.rowGroups);
  } catch (err) {
    throw new Error(`block ${task.label} is damaged or unreadable: ${(err as Error).message}`);
  }
  if (task.rowGroups === null && task.expectedRows !== null && decoded.rowCount !== task.expectedRows) {
    throw new Error(`block ${task.label} is damaged: it holds ${decoded.rowCount} rows, the manifest says ${task.expectedRows}`);
  }
  let views: ColumnView[] = new Array<ColumnView>(defs.length);
  cols.forEach((c, i) => { views[c] = decoded.views[i]; });
  if (task.keepDecoded) views = views.map(toShared);
  const result: ScanOutput = scanViews(views, 0, decoded.rowCount, task.request);
  result.rowGroupsDecoded = task.rowGroups?.length ?? task.totalRowGroups;
  if (task.keepDecoded) result.decoded = views;
  return result;
}

export function scanDecoded(task: ScanViewsTask): ScanResult {
  const result = scanViews(task.views, 0, task.rowCount, task.request);
  result.rowGroupsDecoded = 0;
  return result;
}
