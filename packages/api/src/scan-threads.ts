// Scan threads, one Piscina of one thread each, started one after another. On a machine with
// few cores, threads that load their modules while the first query runs take the cores that
// query needs (measured on 2 cores: the first query after open took ~120 ms with two threads
// starting at once, ~80 with one, ~65 with none). So as many start at once as leave a core to
// the calling thread, and each further one when the one before it is up. Scans go to the
// ready thread with the fewest scans in flight; while none is ready, the caller runs them.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { taskFileUrl, type PoolTask, type ScanOutput, type ScanTask } from '@backtracedb/workers';
import type { ScanResult } from '@backtracedb/engine';
import { settledWithin, THREAD_STARTUP_WAIT_MS } from './settle.js';

interface ScanThread {
  readonly piscina: Piscina<PoolTask, ScanResult>;
  /** Settles once the thread has loaded the task module (or failed to). */
  readonly started: Promise<void>;
  ready: boolean;
  inFlight: number;
  /** Scans this thread has been given (for tests and diagnostics). */
  scans: number;
}

/** An empty scan: its answer tells that a thread is up. */
const PROBE: ScanTask = { kind: 'scan', source: 'views', label: 'probe', views: [], rowCount: 0, request: { predicates: [], projection: [], countOnly: true, timeColumn: 0 } };

/** The calling thread counts as idle once it has run no scan for this long: threads start then. */
export const IDLE_START_MS = 20;
/** A query that has kept the calling thread scanning this long starts the threads anyway. */
export const BUSY_START_MS = 50;

export class ScanThreads {
  private readonly threads: ScanThread[] = [];
  private destroyed = false;
  /** Scans run here before any thread was started: when the last one ran, and since when they have. */
  private lastInlineMs = -Infinity;
  private busySinceMs = -Infinity;
  /** When a query last began (startWhenIdle): the threads wait until this is IDLE_START_MS old too. */
  private lastBeganMs = -Infinity;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly count: number) {}

  /**
   * Start the threads once the calling thread is idle, or once a query has kept it scanning
   * for BUSY_START_MS. A query right after open() is over in tens of milliseconds, while a
   * thread takes 70-100 ms to load: started under it, the threads only took its cores (first
   * query after open on 2 cores: ~70 ms with one thread loading, ~55 ms with none).
   */
  startWhenIdle(): void {
    // Called as a query begins as well: a reader that first catches up with a live writer's
    // WAL runs its first scan tens of ms after open(), and a thread loading under that query
    // took its cores (read-only live first query 20 -> 30-45 ms now and then).
    this.lastBeganMs = performance.now();
    if (this.threads.length > 0 || this.count === 0 || this.destroyed || this.idleTimer !== null) return;
    this.idleTimer = setInterval(() => {
      if (performance.now() - Math.max(this.lastInlineMs, this.lastBeganMs) < IDLE_START_MS) return;
      this.start();
    }, IDLE_START_MS);
    this.idleTimer.unref();
  }

  /** Start the threads now (at once: as many as leave the caller a core; the rest one by one). */
  start(): void {
    if (this.idleTimer !== null) { clearInterval(this.idleTimer); this.idleTimer = null; }
    if (this.threads.length > 0 || this.count === 0 || this.destroyed) return;
    const atOnce = Math.max(1, Math.min(this.count, availableParallelism() - 1));
    for (let i = 0; i < atOnce; i++) this.startOne();
  }

  private startOne(): void {
    if (this.destroyed || this.threads.length >= this.count) return;
    const piscina = new Piscina<PoolTask, ScanResult>({
      filename: taskFileUrl.href,
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: 30_000,
      // A second task waits in the thread, so it never idles while the main thread dispatches.
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
    const thread: ScanThread = {
      piscina,
      ready: false,
      inFlight: 0,
      scans: 0,
      started: piscina.run(PROBE).then(() => { thread.ready = true; }, () => undefined).then(() => { this.startOne(); }),
    };
    this.threads.push(thread);
  }

  /** The ready thread with the fewest scans in flight; null while none is up. */
  private pick(): ScanThread | null {
    let best: ScanThread | null = null;
    for (const t of this.threads) if (t.ready && (best === null || t.inFlight < best.inFlight)) best = t;
    return best;
  }

  /** Run a scan in a thread; null when none is ready (the caller runs it). */
  run(task: ScanTask, transferList: ArrayBuffer[]): Promise<ScanOutput> | null {
    if (this.threads.length === 0) {
      const now = performance.now();
      if (now - this.lastInlineMs >= IDLE_START_MS) this.busySinceMs = now;
      this.lastInlineMs = now;
      if (now - this.busySinceMs >= BUSY_START_MS) this.start();
      else this.startWhenIdle();
    }
    const t = this.pick();
    if (t === null) return null;
    t.inFlight++;
    t.scans++;
    const out = t.piscina.run(task, { transferList }) as Promise<ScanOutput>;
    return out.finally(() => { t.inFlight--; });
  }

  /** Each started thread: whether it is up, and how many scans it was given. */
  state(): Array<{ ready: boolean; scans: number }> {
    return this.threads.map((t) => ({ ready: t.ready, scans: t.scans }));
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    if (this.idleTimer !== null) { clearInterval(this.idleTimer); this.idleTimer = null; }
    // Never terminate a thread while it is still loading its modules: Node 20 aborts the whole
    // process when a worker dies inside module instantiation (an open-query-close that is over
    // before the threads are up hit this).
    await Promise.all(this.threads.map((t) => settledWithin(t.started, THREAD_STARTUP_WAIT_MS)));
    await Promise.all(this.threads.map((t) => t.piscina.destroy()));
    this.threads.length = 0;
  }
}

/** The flag, where this Node has require(esm) at all (20.17 on): an older one would refuse it. */
const NO_REQUIRE_ESM = process.allowedNodeEnvironmentFlags.has('--experimental-require-module') ? ['--no-experimental-require-module'] : [];
