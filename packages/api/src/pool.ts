// The worker pool: Piscina over the built task module of @backtracedb/workers.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { taskFileUrl, encodeBlock, type PoolTask, type ScanTask } from '@backtracedb/workers';
import type { BlockEncoder, EncodedBlock, EncodeTask, ScanResult } from '@backtracedb/engine';

export interface BlockPool extends BlockEncoder {
  scan(task: ScanTask): Promise<ScanResult>;
  readonly threads: number;
  destroy(): Promise<void>;
}

export const MAX_POOL_THREADS = 64;

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(MAX_POOL_THREADS, availableParallelism()));
}

export function createPool(threads: number): BlockPool {
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > MAX_POOL_THREADS) {
    throw new Error(`poolSize must be an integer from 1 to ${MAX_POOL_THREADS}, got ${String(threads)}`);
  }
  const piscina = new Piscina<PoolTask, EncodedBlock | ScanResult>({
    filename: taskFileUrl.href,
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 30_000,
    // Bounded queue: the engine itself never queues more than a few blocks per reader.
    maxQueue: 4096,
  });
  return {
    threads,
    encode: (task: EncodeTask) => piscina.run(task) as Promise<EncodedBlock>,
    encodeNow: (task: EncodeTask) => encodeBlock(task),
    scan: (task: ScanTask) => piscina.run(task) as Promise<ScanResult>,
    destroy: () => piscina.destroy(),
  };
}
