// Encoder threads: sealed blocks are handed to a thread at once (postMessage on the thread's
// own port needs no event-loop turn of the appending thread), and finished blocks are picked
// up synchronously at the next seal, or by the event loop, whichever comes first. A table at
// its backlog bound waits for a thread (Atomics.wait) instead of encoding on its own thread.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { encodeThreadUrl, type EncodeReply } from '@backtracedb/workers';
import type { EncodedBlock, EncodeDone, EncodeTask } from '@backtracedb/engine';
import { settledWithin, THREAD_STARTUP_WAIT_MS } from './settle.js';

interface EncoderThread {
  readonly worker: Worker;
  readonly port: MessagePort;
  /** Resolves when the thread has loaded its modules (it may then be terminated safely). */
  readonly loaded: Promise<void>;
  markLoaded: () => void;
  readonly outstanding: Map<number, EncodeDone>;
  failed: Error | null;
}

type InlineEncoder = typeof import('@backtracedb/workers/encode');

/**
 * An encoder thread allocates little on its JS heap, so with the default young generation its
 * minor GCs are rare, and the handles it got for each raw block's SharedArrayBuffers live on:
 * the shared memory of dozens of encoded blocks stayed allocated. A small young generation
 * collects them after a few blocks (bench/src/rss-child.ts, 20M rows in 1M-row blocks: peak
 * RSS 513-548 MiB with the default, 400-430 MiB with 1-2 MiB, ingest time unchanged).
 */
const ENCODER_YOUNG_GENERATION_MB = 2;

export class EncoderThreads {
  private threads: EncoderThread[] = [];
  /** Bumped by a thread after each reply it posts. */
  private readonly completions = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;
  private inline: InlineEncoder | null = null;
  private inlineLoading: Promise<void> | null = null;
  private destroyed = false;

  constructor(readonly threadCount: number) {}

  /** Start the threads (idempotent); they load the encoder right away. */
  start(): void {
    if (this.threads.length > 0 || this.destroyed) return;
    for (let i = 0; i < this.threadCount; i++) this.threads.push(this.spawn());
  }

  private spawn(): EncoderThread {
    const { port1, port2 } = new MessageChannel();
    // The parent's execArgv minus what only a main thread takes (a script run with
    // `node --input-type=module -e …` made every encoder thread fail to start).
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type') && a !== '-e' && a !== '--eval');
    const worker = new Worker(encodeThreadUrl, { workerData: { port: port2, completions: this.completions }, transferList: [port2], execArgv, resourceLimits: { maxYoungGenerationSizeMb: ENCODER_YOUNG_GENERATION_MB } });
    let markLoaded: () => void = () => undefined;
    const loaded = new Promise<void>((resolve) => { markLoaded = resolve; });
    const t: EncoderThread = { worker, port: port1, loaded, markLoaded, outstanding: new Map(), failed: null };
    port1.on('message', (reply: EncodeReply) => this.deliver(t, reply));
    port1.unref();
    worker.unref();
    const fail = (err: Error) => {
      t.failed = err;
      const waiting = [...t.outstanding.values()];
      t.outstanding.clear();
      port1.unref();
      for (const done of waiting) done(new Error(`encoder thread failed: ${err.message}`));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => { markLoaded(); if (!this.destroyed) fail(new Error(`exited with code ${code}`)); });
    return t;
  }

  private deliver(t: EncoderThread, reply: EncodeReply): void {
    if ('ready' in reply) { t.markLoaded(); return; }
    const done = t.outstanding.get(reply.id);
    if (done === undefined) return;
    t.outstanding.delete(reply.id);
    if (t.outstanding.size === 0) t.port.unref();
    done('error' in reply ? new Error(reply.error) : reply.encoded);
  }

  /**
   * Hand `task` to the least busy live thread now; false when no thread can take it. With no
   * threads at all (poolSize 0) the block is encoded here, once the encoder has loaded.
   */
  submit(task: EncodeTask, done: EncodeDone): boolean {
    if (this.threadCount === 0) {
      this.loadInline().then(async () => {
        const m = this.inline as InlineEncoder;
        await m.encoderReady(task); // the task's codec (zstd) may load first
        done(m.encodeBlock(task));
      }, (err: unknown) => done(err as Error))
        .catch((err: unknown) => done(err as Error));
      return true;
    }
    this.start();
    let best: EncoderThread | null = null;
    for (const t of this.threads) if (t.failed === null && (best === null || t.outstanding.size < best.outstanding.size)) best = t;
    if (best === null) return false;
    const id = this.nextId++;
    best.outstanding.set(id, done);
    best.port.ref(); // a reply is due: keep the process alive for it
    best.port.postMessage({ id, task });
    return true;
  }

  /** Deliver every reply already posted; returns how many. */
  harvest(): number {
    let n = 0;
    for (const t of this.threads) {
      for (let m = receiveMessageOnPort(t.port); m !== undefined; m = receiveMessageOnPort(t.port)) {
        const reply = m.message as EncodeReply;
        this.deliver(t, reply);
        if (!('ready' in reply)) n++;
      }
    }
    return n;
  }

  /** Block this thread until some reply arrives (delivering it), at most timeoutMs; false on timeout. */
  waitForOne(timeoutMs: number): boolean {
    if (!this.threads.some((t) => t.failed === null && t.outstanding.size > 0)) return this.harvest() > 0;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.completions, 0);
      if (this.harvest() > 0) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.completions, 0, seen, left);
    }
  }

  /** Encode on the calling thread, or null while the encoder is not loaded here (loading starts). */
  encodeInline(task: EncodeTask): EncodedBlock | null {
    if (this.inline !== null) return this.inline.encodeBlockIfReady(task);
    void this.loadInline();
    return null;
  }

  /** Load the encoder on this thread (parquet-wasm), for tables that always encode inline. */
  loadInline(): Promise<void> {
    this.inlineLoading ??= import('@backtracedb/workers/encode').then((m) => { this.inline = m; });
    return this.inlineLoading;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    const threads = this.threads;
    this.threads = [];
    for (const t of threads) for (const done of t.outstanding.values()) done(new Error('the pool was destroyed'));
    // Never terminate a thread still loading its modules (Node 20 aborts the process then).
    await Promise.all(threads.map(async (t) => {
      await settledWithin(t.loaded, THREAD_STARTUP_WAIT_MS);
      t.port.close();
      await t.worker.terminate();
    }));
  }
}
