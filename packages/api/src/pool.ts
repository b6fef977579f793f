// The worker pool: Piscina over the built task module of @backtracedb/workers.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { taskFileUrl, encodeBlock, type PoolTask, type ScanOutput, type ScanTask, type ScanViewsTask } from '@backtracedb/workers';
import type { BlockEncoder, EncodedBlock, EncodeTask, ScanResult } from '@backtracedb/engine';

export interface BlockPool extends BlockEncoder {
  /** `handOver`: the task's `parquet` bytes were read for it and may be transferred. */
  scan(task: ScanTask, handOver?: boolean): Promise<ScanOutput>;
  scanViews(task: ScanViewsTask): Promise<ScanResult>;
  readonly threads: number;
  /** Start the worker threads now (a table is about to seal blocks). */
  warm(): void;
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
  // Threads start on first use, so a database that only appends small tables costs nothing.
  let piscina: Piscina<PoolTask, EncodedBlock | ScanResult> | null = null;
  const get = (): Piscina<PoolTask, EncodedBlock | ScanResult> => {
    piscina ??= new Piscina<PoolTask, EncodedBlock | ScanResult>({
      filename: taskFileUrl.href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 30_000,
      // A second task waits in each worker, so it never idles while the main thread dispatches.
      concurrentTasksPerWorker: 2,
      atomics: 'disabled',
      // Bounded queue: readers keep at most 2 scans per thread in flight, seals at most a few.
      maxQueue: 4096,
    });
    return piscina;
  };
  return {
    threads,
    warm: () => { get(); },
    encode: (task: EncodeTask) => get().run(task) as Promise<EncodedBlock>,
    encodeNow: (task: EncodeTask) => encodeBlock(task),
    scan: (task: ScanTask, handOver = false) => {
      // Bytes read from a file are handed over, not copied; shared bytes need neither.
      const transferList = new Set<ArrayBuffer>();
      const own = (b: Uint8Array) => { if (b.buffer instanceof ArrayBuffer && b.byteLength > 0) transferList.add(b.buffer); };
      // Only buffers read for this scan are handed over: a block's in-memory bytes stay put.
      if (handOver) own(task.parquet);
      task.chunks?.chunks.forEach((row) => row.forEach(own));
      return get().run(task, { transferList: [...transferList] }) as Promise<ScanOutput>;
    },
    scanViews: (task: ScanViewsTask) => get().run(task) as Promise<ScanResult>,
    destroy: async () => {
      const p = piscina;
      piscina = null;
      if (p !== null) await p.destroy();
    },
  };
}
