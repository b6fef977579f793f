// The worker pool: Piscina over the built task module of @backtracedb/workers.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { taskFileUrl, encodeBlock, type PoolTask, type ScanOutput, type ScanTask } from '@backtracedb/workers';
import type { BlockEncoder, EncodedBlock, EncodeTask, ScanResult } from '@backtracedb/engine';

export interface BlockPool extends BlockEncoder {
  /** Scan one block (or slice) in a pool thread; bytes read for the task are handed over. */
  scan(task: ScanTask): Promise<ScanOutput>;
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
    scan: (task: ScanTask) => get().run(task, { transferList: transferListOf(task) }) as Promise<ScanOutput>,
    destroy: async () => {
      const p = piscina;
      piscina = null;
      if (p !== null) await p.destroy();
    },
  };
}

/**
 * Buffers read from a file for this one task move to the worker instead of being copied.
 * Shared memory (a block's in-memory bytes, cached or active columns) needs neither.
 */
function transferListOf(task: ScanTask): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const own = (b: Uint8Array, whole: boolean) => {
    if (!(b.buffer instanceof ArrayBuffer) || b.byteLength === 0) return;
    if (whole && (b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength)) return;
    out.add(b.buffer);
  };
  if (task.source === 'chunks') task.chunks.chunks.forEach((row) => row.forEach((b) => own(b, false)));
  if (task.source === 'parquet' && task.origin.kind === 'file') own(task.parquet, true);
  return [...out];
}
