// Scan one Parquet block: decode the columns the query needs, run the kernels, gather.
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
}

export function neededColumns(req: ScanRequest): number[] {
  const set = new Set<number>([req.timeColumn]);
  for (const p of req.predicates) set.add(p.column);
  if (!req.countOnly) for (const c of req.projection) set.add(c);
  return [...set].sort((a, b) => a - b);
}

export function scanBlock(task: ScanTask): ScanResult {
  const cols = neededColumns(task.request);
  const defs = task.schema.columns;
  let decoded;
  try {
    decoded = decodeParquet(task.parquet, cols.map((c) => defs[c].name), cols.map((c) => defs[c].type), task.rowGroups);
  } catch (err) {
    throw new Error(`block ${task.label} is damaged or unreadable: ${(err as Error).message}`);
  }
  if (task.rowGroups === null && task.expectedRows !== null && decoded.rowCount !== task.expectedRows) {
    throw new Error(`block ${task.label} is damaged: it holds ${decoded.rowCount} rows, the manifest says ${task.expectedRows}`);
  }
  const views: ColumnView[] = new Array<ColumnView>(defs.length);
  cols.forEach((c, i) => { views[c] = decoded.views[i]; });
  return scanViews(views, 0, decoded.rowCount, task.request);
}
