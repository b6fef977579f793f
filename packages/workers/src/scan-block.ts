// Scan one block in a pool thread: one strategy per source (scan/), chosen by the task's
// `source`, which the main thread's read plan decided.
import { scanChunksTask } from './scan/scan-chunks.js';
import { scanParquetTask } from './scan/scan-parquet.js';
import { scanViewsTask } from './scan/scan-views.js';
import type { ScanOutput, ScanTask } from './scan/task.js';

export type { ScanTask, ScanOutput, ViewsScanTask, ChunksScanTask, ParquetScanTask } from './scan/task.js';

/** Scan on this thread (a pool thread, or the calling thread when no pool thread is ready). */
export function scanBlock(task: ScanTask): ScanOutput | Promise<ScanOutput> {
  switch (task.source) {
    case 'views': return scanViewsTask(task);
    case 'chunks': return scanChunksTask(task);
    case 'parquet': return scanParquetTask(task);
  }
}
