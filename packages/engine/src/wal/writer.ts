// WAL writer with group commit. append() only queues an encoded record; one group commit writes
// everything queued with a single positional write and a single fsync per segment. A failed
// group commit keeps its records queued and rewrites them at the same offset next time, so a
// transient ENOSPC/EIO loses nothing and never acknowledges what is not on disk.
import { join } from 'node:path';
import type { FileHandle, Storage } from '../storage/storage.js';
import { encodeRecord, sealRecord, encodeSegmentHeader, parseSegmentName, SEGMENT_HEADER_BYTES, segmentName } from './record.js';

/** Default cap on queued, unwritten bytes. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024 * 1024;

type QueueItem = { kind: 'record'; bytes: Uint8Array } | { kind: 'rotate'; firstRowSeq: number };

interface Segment { handle: FileHandle; firstRowSeq: number; sizeBytes: number }

export interface WalWriterOptions {
  nextRowSeq: number;
  /** Queued records reach the disk within this delay even without sync(). */
  commitDelayMs?: number;
  maxBufferedBytes?: number;
}

export class WalWriter {
  private queue: QueueItem[] = [];
  /** Items ever queued / ever made durable: sync() waits for the count it saw. */
  private queuedCount = 0;
  private durableCount = 0;
  private bufferedBytes = 0;
  private nextSeq: number;
  private committing: Promise<void> | null = null;
  /** Rows below this are durable in blocks: queued records of theirs need not be written. */
  private durableFloor = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly commitDelayMs: number;
  private readonly maxBufferedBytes: number;

  private constructor(private readonly storage: Storage, readonly dir: string, private segment: Segment, opts: WalWriterOptions) {
    this.nextSeq = opts.nextRowSeq;
    this.commitDelayMs = opts.commitDelayMs ?? 2;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  }

  /** Start a new segment at nextRowSeq (older segments stay until retired). */
  static async open(storage: Storage, dir: string, opts: WalWriterOptions): Promise<WalWriter> {
    await storage.mkdirp(dir);
    const segment = await createSegment(storage, dir, opts.nextRowSeq);
    return new WalWriter(storage, dir, segment, opts);
  }

  get pendingBytes(): number { return this.bufferedBytes; }
  /** Whether the queued bytes reached maxBufferedBytes: callers stop taking rows until a group commit. */
  get isFull(): boolean { return this.bufferedBytes >= this.maxBufferedBytes; }
  get bufferLimitBytes(): number { return this.maxBufferedBytes; }

  /** Queue a record of rows [firstRowSeq, firstRowSeq + rowCount). Synchronous; no I/O. Refused when full. */
  append(firstRowSeq: number, rowCount: number, payload: Uint8Array): void {
    if (this.bufferedBytes + payload.byteLength > this.maxBufferedBytes) {
      throw new Error(`WAL ${this.dir}: ${this.bufferedBytes} bytes are waiting to be written (limit ${this.maxBufferedBytes}); await sync()`);
    }
    this.appendRecord(firstRowSeq, rowCount, encodeRecord(firstRowSeq, rowCount, payload));
  }

  /**
   * Queue a record built in place: payload at RECORD_HEADER_BYTES of `buf` (see sealRecord).
   * Never refused for the buffer limit: the table logs rows it already holds (a sealed
   * block's rows must be logged before its buffers go) and checks isFull before taking more.
   */
  appendInPlace(firstRowSeq: number, rowCount: number, buf: Uint8Array, type?: number): void {
    this.appendRecord(firstRowSeq, rowCount, sealRecord(buf, firstRowSeq, rowCount, type));
  }

  private appendRecord(firstRowSeq: number, rowCount: number, bytes: Uint8Array): void {
    if (this.closed) throw new Error(`WAL ${this.dir}: closed`);
    if (firstRowSeq !== this.nextSeq) throw new Error(`internal: WAL record starts at row ${firstRowSeq}, expected ${this.nextSeq}`);
    this.queue.push({ kind: 'record', bytes });
    this.queuedCount++;
    this.bufferedBytes += bytes.byteLength;
    this.nextSeq += rowCount;
    this.arm();
  }

  /** Later records go to a new segment starting at nextRowSeq (created in commit order). */
  rotate(nextRowSeq: number): void {
    if (nextRowSeq !== this.nextSeq) throw new Error(`internal: WAL rotation at row ${nextRowSeq}, expected ${this.nextSeq}`);
    this.queue.push({ kind: 'rotate', firstRowSeq: nextRowSeq });
    this.queuedCount++;
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.commitGroup().catch(() => undefined); // retried by the next group commit; sync() reports it
    }, this.commitDelayMs);
    this.timer.unref();
  }

  /** Resolves once everything queued before the call is written and fsynced. */
  async sync(): Promise<void> {
    const target = this.queuedCount;
    while (this.durableCount < target) {
      if (this.committing !== null) {
        await this.committing.catch(() => undefined);
        continue;
      }
      await this.commitGroup();
    }
  }

  private commitGroup(): Promise<void> {
    if (this.committing !== null) return this.committing;
    const run = this.writeQueued().finally(() => { this.committing = null; });
    this.committing = run;
    return run;
  }

  /** Whether a rotation waits in the queue: records of a sealed block are not written yet. */
  get hasQueuedRotation(): boolean { return this.queue.some((q) => q.kind === 'rotate'); }

  /**
   * Drop queued items before the last queued rotation at or below the durable floor: their
   * rows are all in durable blocks. A backfill loop that never awaits seals many blocks whose
   * records are still queued at sync(); written, they would only be retired again.
   */
  private dropDurable(): void {
    let cut = -1;
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i];
      if (q.kind !== 'rotate') continue;
      if (q.firstRowSeq > this.durableFloor) break;
      cut = i;
    }
    if (cut <= 0) return;
    for (let i = 0; i < cut; i++) { const q = this.queue[i]; if (q.kind === 'record') this.bufferedBytes -= q.bytes.byteLength; }
    this.queue.splice(0, cut);
    this.durableCount += cut;
  }

  /** Write queued items in order; each item leaves the queue only once durable. */
  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      this.dropDurable();
      const head = this.queue[0];
      if (head.kind === 'rotate') {
        const next = await createSegment(this.storage, this.dir, head.firstRowSeq);
        await this.segment.handle.close().catch(() => undefined);
        this.segment = next;
        this.queue.shift();
        this.durableCount++;
        continue;
      }
      let n = 0;
      let size = 0;
      while (n < this.queue.length && this.queue[n].kind === 'record') size += (this.queue[n++] as { bytes: Uint8Array }).bytes.byteLength;
      // Small records are gathered into one write; large ones are written as they are.
      let at = this.segment.sizeBytes;
      let small: Uint8Array[] = [];
      let smallBytes = 0;
      const writeSmall = async (): Promise<void> => {
        if (small.length === 0) return;
        const chunk = small.length === 1 ? small[0] : new Uint8Array(smallBytes);
        if (small.length > 1) { let o = 0; for (const b of small) { chunk.set(b, o); o += b.byteLength; } }
        await this.segment.handle.write(chunk, at);
        at += smallBytes;
        small = [];
        smallBytes = 0;
      };
      for (let i = 0; i < n; i++) {
        const b = (this.queue[i] as { bytes: Uint8Array }).bytes;
        if (b.byteLength >= 256 * 1024) {
          await writeSmall();
          await this.segment.handle.write(b, at);
          at += b.byteLength;
        } else {
          small.push(b);
          smallBytes += b.byteLength;
        }
      }
      await writeSmall();
      await this.segment.handle.sync();
      this.segment.sizeBytes += size;
      this.queue.splice(0, n);
      this.bufferedBytes -= size;
      this.durableCount += n;
    }
  }

  /**
   * Delete segments all of whose rows are below durableRowCount (held by durable blocks), and
   * skip writing queued ones (dropDurable). A segment ends where the next one starts; the
   * newest segment is never deleted.
   */
  async retireThrough(durableRowCount: number): Promise<void> {
    this.durableFloor = Math.max(this.durableFloor, durableRowCount);
    const seqs = (await this.storage.list(this.dir)).map(parseSegmentName).filter((s): s is number => s !== null).sort((a, b) => a - b);
    let removed = false;
    for (let i = 0; i + 1 < seqs.length; i++) {
      if (seqs[i] === this.segment.firstRowSeq) break;
      if (seqs[i + 1] > durableRowCount) break;
      await this.storage.remove(join(this.dir, segmentName(seqs[i])));
      removed = true;
    }
    if (removed) await this.storage.syncDir(this.dir);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    try {
      await this.sync();
    } finally {
      this.closed = true;
      await this.segment.handle.close().catch(() => undefined);
    }
  }
}

async function createSegment(storage: Storage, dir: string, firstRowSeq: number): Promise<Segment> {
  // A file of this name can only hold a header or a tail that replay already moved aside.
  const handle = await storage.openWrite(join(dir, segmentName(firstRowSeq)), { create: true });
  try {
    await handle.truncate(0);
    await handle.write(encodeSegmentHeader(), 0);
    await handle.sync();
    await storage.syncDir(dir);
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  return { handle, firstRowSeq, sizeBytes: SEGMENT_HEADER_BYTES };
}
