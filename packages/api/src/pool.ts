// The worker pool: Piscina threads scan blocks; encoder threads (encoder-threads.ts) encode
// sealed blocks. Until a scan thread is up, scans run on the calling thread, so the first
// query after open() never waits for threads to start.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { scanBlock, taskFileUrl, type PoolTask, type ScanOutput, type ScanTask } from '@backtracedb/workers';
import type { BlockEncoder, EncodeDone, EncodedBlock, EncodeTask, ScanResult } from '@backtracedb/engine';
import { EncoderThreads } from './encoder-threads.js';
import { settledWithin, THREAD_STARTUP_WAIT_MS } from './settle.js';

export interface BlockPool extends BlockEncoder {
  /** Scan one block (or slice) in a pool thread, or here while none is ready; bytes read for the task are handed over. */
  scan(task: ScanTask): Promise<ScanOutput>;
  /** Scan threads (0: everything runs on the calling thread). */
  readonly threads: number;
  /** Start the scan threads now, in the background. */
  warm(): void;
  /** Load the encoder on the calling thread (for tables that encode every block inline). */
  loadInlineEncoder(): Promise<void>;
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
  let piscina: Piscina<PoolTask, ScanResult> | null = null;
  /** Set once a scan thread has answered: until then scans run here. */
  let ready = false;
  let destroyed = false;
  /** Settles once the scan threads have loaded the task module (or failed to). */
  let started: Promise<unknown> = Promise.resolve();
  const start = (): void => {
    if (threads === 0 || piscina !== null || destroyed) return;
    const p = new Piscina<PoolTask, ScanResult>({
      filename: taskFileUrl.href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 30_000,
      // A second task waits in each worker, so it never idles while the main thread dispatches.
      concurrentTasksPerWorker: 2,
      atomics: 'disabled',
      // Piscina loads the task module with require() first; on Node 20.19+ that takes the
      // synchronous require(esm) path, which aborted whole processes now and then ("Module::
      // IsGraphAsync must be used on an instantiated module"). Without it, require() refuses
      // the ES module at once and Piscina imports it instead.
      execArgv: [...process.execArgv.filter((a) => !a.startsWith('--input-type')), ...NO_REQUIRE_ESM],
      // Bounded queue: readers keep at most 4 scans per thread in flight.
      maxQueue: 4096,
    });
    piscina = p;
    // An empty scan tells when a thread is up (it has loaded the task module).
    const probe: ScanTask = { kind: 'scan', source: 'views', label: 'probe', views: [], rowCount: 0, request: { predicates: [], projection: [], countOnly: true, timeColumn: 0 } };
    started = p.run(probe).then(() => { ready = true; }, () => undefined);
  };
  return {
    threads,
    // Encoder threads start with the first sealed block (submit): a reader never pays for them.
    warm: () => { start(); },
    submit: (task: EncodeTask, done: EncodeDone) => encoders.submit(task, done),
    harvest: () => encoders.harvest(),
    waitForOne: (timeoutMs: number) => encoders.waitForOne(timeoutMs),
    encodeInline: (task: EncodeTask): EncodedBlock | null => encoders.encodeInline(task),
    loadInlineEncoder: () => encoders.loadInline(),
    scan: async (task: ScanTask): Promise<ScanOutput> => {
      start();
      if (!ready || piscina === null) return scanBlock(task);
      return piscina.run(task, { transferList: transferListOf(task) }) as Promise<ScanOutput>;
    },
    destroy: async () => {
      destroyed = true;
      // Never terminate a thread while it is still loading its modules: Node 20 aborts the whole
      // process when a worker dies inside module instantiation (an open-query-close that is over
      // before the threads are up hit this).
      await settledWithin(started, THREAD_STARTUP_WAIT_MS);
      const p = piscina;
      piscina = null;
      await Promise.all([p?.destroy(), encoders.destroy()]);
    },
  };
}

/** The flag, where this Node has require(esm) at all (20.17 on): an older one would refuse it. */
const NO_REQUIRE_ESM = process.allowedNodeEnvironmentFlags.has('--experimental-require-module') ? ['--no-experimental-require-module'] : [];

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
