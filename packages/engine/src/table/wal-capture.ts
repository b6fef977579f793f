// Rows go to the WAL as ranges copied out of the block buffers: single-row appends are
// coalesced into one record per group commit instead of one record per row.
import type { ActiveBlock } from '../block/active-block.js';
import type { ResolvedSchema } from '../schema/schema.js';
import type { ColumnValues, NormalizedBatch } from '../column/values.js';
import { encodeBlockRange, fitRows } from '../wal/batch-codec.js';
import { withValid, type ColumnView } from '../column/column-view.js';
import { MAX_RECORD_ROWS, RECORD_HEADER_BYTES, RECORD_TARGET_BYTES, RECORD_TYPE_BATCH, RECORD_TYPE_BATCH_NULLS } from '../wal/record.js';
import type { WalWriter } from '../wal/writer.js';

/** Rows [from, to) of a block (offsets inside the block) as a batch. */
export function batchFromBlock(block: ActiveBlock, from: number, to: number): NormalizedBatch {
  const valid = block.columns.map((c) => (c.validity === null ? null : c.validity.values.slice(from, to)));
  const columns = block.columns.map((c): ColumnValues => {
    switch (c.type) {
      case 'int64': return c.values.slice(from, to);
      case 'float64': return c.values.slice(from, to);
      case 'bool': return c.values.slice(from, to);
      case 'string': {
        const out = new Array<string>(to - from);
        const dict = c.dictionary.values;
        for (let i = from; i < to; i++) out[i - from] = dict[c.values[i]];
        return out;
      }
    }
  });
  if (valid.every((v) => v === null)) return { rowCount: to - from, columns };
  return { rowCount: to - from, columns, valid };
}

/**
 * Log rows [fromSeq, toSeq) of `block` in records of at most MAX_RECORD_ROWS rows and
 * RECORD_TARGET_BYTES payload bytes (a single bigger row, at most MAX_ROW_BYTES as append
 * checked, gets a record of its own); returns toSeq.
 */
export function captureRows(wal: WalWriter, schema: ResolvedSchema, block: ActiveBlock, fromSeq: number, toSeq: number): number {
  const types = schema.columns.map((c) => c.type);
  // Nullable columns carry their validity: those records are of type 2 (docs/wal.md).
  const columns = block.columns.map((c): ColumnView => {
    const valid = withValid(c.validity?.values);
    return c.type === 'string' ? { type: 'string', values: c.values, dictionary: c.dictionary.values, ...valid } : { ...c, ...valid } as ColumnView;
  });
  const type = columns.some((c) => c.valid) ? RECORD_TYPE_BATCH_NULLS : RECORD_TYPE_BATCH;
  let seq = fromSeq;
  while (seq < toSeq) {
    const at = seq - block.firstRowSeq;
    const end = fitRows(columns, at, at + Math.min(MAX_RECORD_ROWS, toSeq - seq), RECORD_TARGET_BYTES);
    if (at < 0 || end > block.rowCount) throw new Error('internal: WAL capture outside the block');
    wal.appendInPlace(seq, end - at, encodeBlockRange(types, columns, at, end, RECORD_HEADER_BYTES), type);
    seq += end - at;
  }
  return seq;
}

/** What WalCapture reads of the table: its active block and its end. */
export interface CaptureSource {
  readonly activeBlock: ActiveBlock;
  readonly rowCount: number;
  /** Sequence number of the active block's first row appended to it (past rows a seal carried over). */
  readonly firstNewRowSeq?: number;
}

/**
 * Hands a table's rows to its WAL writer: on a timer after appends (group commit), on
 * sync(), and at every seal (before the block's buffers go). Nothing is ever thrown from the
 * timer or from a seal — either would end the process or fail an append whose rows are in
 * — a failure is kept and reported by the next sync()/close().
 */
export class WalCapture {
  /** Next row sequence number not yet handed to the writer. */
  private rowSeq: number;
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  private stopped = false;

  constructor(readonly writer: WalWriter, private readonly schema: ResolvedSchema, private readonly source: CaptureSource, private readonly delayMs: number) {
    this.rowSeq = source.rowCount;
  }

  /** Refuse rows up front (nothing changes) while the writer holds too much: the disk is behind. */
  assertRoom(): void {
    const w = this.writer;
    if (w.isFull) {
      throw new Error(`table "${this.schema.name}": ${w.pendingBytes} bytes of WAL records are waiting to be written (limit ${w.bufferLimitBytes}); the disk is behind or failing: await sync() and append again`);
    }
  }

  /** Log rows appended since the last capture (buffered; written on the writer's group commit). */
  capture(): void {
    const active = this.source.activeBlock;
    const end = this.source.rowCount;
    if (this.rowSeq >= end) return;
    if (this.rowSeq < (this.source.firstNewRowSeq ?? active.firstRowSeq)) throw new Error('internal: WAL capture fell behind a sealed block');
    this.rowSeq = captureRows(this.writer, this.schema, active, this.rowSeq, end);
  }

  /** A block was sealed: log the rest of its rows now; later rows go to a new segment. */
  onSeal(block: ActiveBlock, end: number): void {
    try {
      if (this.rowSeq < end) this.rowSeq = captureRows(this.writer, this.schema, block, this.rowSeq, end);
      this.writer.rotate(end);
    } catch (err) {
      this.keep(err);
    }
  }

  /** Capture within the flush delay after an append. */
  arm(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      try {
        this.capture();
      } catch (err) {
        this.keep(err);
      }
      // A failed background write stays queued in the writer and is retried; sync() reports it.
      this.writer.sync().catch(() => undefined);
    }, this.delayMs);
    this.timer.unref();
  }

  /** Throw, once, what failed in the background since the last call. */
  reportFailure(): void {
    const err = this.failure;
    if (err === null) return;
    this.failure = null;
    throw new Error(`table "${this.schema.name}": logging rows to the WAL failed: ${err.message}`);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
  }

  private keep(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
  }
}
