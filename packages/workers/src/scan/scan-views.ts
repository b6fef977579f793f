// Scan columns that are already decoded (shared memory): the kernels, nothing to decode.
import type { ScanResult } from '@backtracedb/engine';
import { scanViews } from '@backtracedb/engine/thread';
import type { ViewsScanTask } from './task.js';

export function scanViewsTask(task: ViewsScanTask): ScanResult {
  return scanViews(task.views, 0, task.rowCount, task.request);
}
