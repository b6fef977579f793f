// The worker pool: Piscina threads scan blocks; encoder threads (encoder-threads.ts) encode
// sealed blocks. Until a scan thread is up, scans run on the calling thread, so the first
// query after open() never waits for threads to start.
import { availableParallelism } from 'node:os';
import { scanBlock, type ScanOutput, type ScanTask } from '@backtracedb/workers';
import type { BlockEncoder, EncodeDone, EncodedBlock, EncodeTask } from '@backtracedb/engine';
import { EncoderThreads } from './encoder-threads.js';
import { ScanThreads } from './scan-threads.js';
import { ReadBuffers } from './read/read-buffers.js';

export interface BlockPool extends BlockEncoder {
  /** Scan one block (or slice) in a pool thread, or here while none is ready; bytes read for the task are handed over. */
  scan(task: ScanTask): Promise<ScanOutput>;
  /** Scan threads (0: everything runs on the calling thread). */
  readonly threads: number;
  /** Start the scan threads in the background, once the calling thread is idle (scan-threads.ts); called as each query begins too. */
  warm(): void;
  /** Load the encoder on the calling thread (for tables that encode every block inline). */
  loadInlineEncoder(): Promise<void>;
  /** Buffers block chunks are read into, reused across scans (read-buffers.ts). */
  readonly readBuffers: ReadBuffers;
  destroy(): Promise<void>;
}

export const MAX_POOL_THREADS = 64;

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(MAX_POOL_THREADS, availableParallelism()));
}

export function createPool(threads: number): BlockPool {
  if (!Number.isSafeInteger(threads) || threads < 0 || threads > MAX_POOL_THREADS) {
    throw new Error(`poolSize must be an integer from 0 to ${MAX_POOL_THREADS}, got ${String(threads)}`);
  }
  // Half as many encoder threads as scan threads (at least one): the appending thread needs a
  // core too, and each encoder holds a parquet-wasm heap the size of its largest block
  // (measured: 20 1M-row blocks ingest as fast with one encoder as with two on 2 cores, and
  // peak RSS drops from 729 to 570 MiB; bench/RESULTS.md).
  const encoders = new EncoderThreads(threads === 0 ? 0 : Math.max(1, Math.floor(threads / 2)));
  const scanThreads = new ScanThreads(threads);
  return {
    threads,
    readBuffers: new ReadBuffers(),
    // Encoder threads start with the first sealed block (submit): a reader never pays for them.
    warm: () => { scanThreads.startWhenIdle(); },
    submit: (task: EncodeTask, done: EncodeDone) => encoders.submit(task, done),
    harvest: () => encoders.harvest(),
    waitForOne: (timeoutMs: number) => encoders.waitForOne(timeoutMs),
    encodeInline: (task: EncodeTask): EncodedBlock | null => encoders.encodeInline(task),
    loadInlineEncoder: () => encoders.loadInline(),
    scan: async (task: ScanTask): Promise<ScanOutput> => scanThreads.run(task, transferListOf(task)) ?? scanBlock(task),
    destroy: async () => {
      await Promise.all([scanThreads.destroy(), encoders.destroy()]);
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
