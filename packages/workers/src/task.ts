// The Piscina task module: scans. (Encoding runs on encoder threads: encode-thread.ts.)
import { Piscina } from 'piscina';
import type { ScanResult } from '@backtracedb/engine';
import { transferablesOf } from '@backtracedb/engine/thread';
import { scanBlock, type ScanTask } from './scan-block.js';

export type PoolTask = ScanTask;

export default async function runTask(task: PoolTask): Promise<ScanResult> {
  const result = await scanBlock(task);
  // Hand the result's buffers (and the spent chunk buffers) over instead of cloning them.
  const movable = { [Piscina.transferableSymbol]: [...transferablesOf(result), ...(result.spent ?? [])], [Piscina.valueSymbol]: result };
  return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]) as unknown as ScanResult;
}
