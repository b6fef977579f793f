// TableBlocks: a table's rows in memory — the active block, the sealed blocks, and the write
// path validate → active block → seal → hand to an encoder. Worker-free: the encoder is
// injected, so this runs the same under tests and in the API. (Files are TableStore's.)
import { newActiveBlock, roomLeft, writeBatch, writePayloadRows, type ActiveBlock } from '../block/active-block.js';
import { ensureCapacity, type ColumnStore } from '../block/column-store.js';
import { compileRowChecker, compileRowWriter, type RowChecker, type RowWriter } from './row-codegen.js';
import { frozenViewsOf, type EncodedBlock, type EncodeTask, type SealedBlock } from '../block/sealed-block.js';
import { schemaToJson, type ResolvedSchema } from '../schema/schema.js';
import { normalizeBatch } from './validate.js';
import { sliceBatch, type NormalizedBatch } from '../column/values.js';
import { batchOfLayout } from '../wal/batch-codec.js';
import type { PayloadLayout } from '../wal/payload-layout.js';
import { checkIntSetting, MAX_BLOCK_SIZE_LIMIT } from './options.js';
import { LateWriter } from './late-writer.js';
import { lateCapacity, newLateState, type SplitSeal } from './late-rows.js';
import type { Compression } from './create-options.js';

export const DEFAULT_MAX_BLOCK_SIZE = 10_000_000;
export { MAX_BLOCK_SIZE_LIMIT } from './options.js';
export const DEFAULT_MAX_PENDING_SEALS = 2;
export const DEFAULT_ROW_GROUP_ROWS = 65_536;

/** Called exactly once per submitted block, with its encoded form or why encoding failed. */
export type EncodeDone = (result: EncodedBlock | Error) => void;

/**
 * Where sealed blocks are encoded. Hand-off and pick-up need no event-loop turn of the
 * appending thread, so a loop that never awaits still keeps every encoder thread busy.
 */
export interface BlockEncoder {
  /** Hand `task` to an encoder thread now (shared buffers, no copy); false if none can take it. */
  submit(task: EncodeTask, done: EncodeDone): boolean;
  /** Deliver every finished encode now, synchronously; returns how many. */
  harvest(): number;
  /** Block the calling thread until some encode finishes (delivered), at most timeoutMs. */
  waitForOne(timeoutMs: number): boolean;
  /** Encode on the calling thread, or null while no encoder is loaded on it (loading starts). */
  encodeInline(task: EncodeTask): EncodedBlock | null;
}

/**
 * How long a seal at the backlog bound waits for an encoder thread before encoding on the
 * appending thread: long enough for any healthy thread to finish a block.
 */
export const SEAL_WAIT_LIMIT_MS = 10_000;

export interface TableBlocksOptions {
  maxBlockSize?: number;
  maxPendingSeals?: number;
  rowGroupRows?: number;
  /** 0n (default): times never go backwards; else rows may be this much older than the newest. */
  outOfOrderWindow?: bigint;
  /**
   * false: sealed blocks stay in their shared buffers and are never encoded — a read-only view
   * of the WAL tail writes nothing, and scans read the buffers (encoding cost it encoder threads).
   */
  encodeSealed?: boolean;
}

/** Called for every sealed block once it is encoded (the disk layer writes it then). */
export type OnEncoded = (block: SealedBlock, encoded: EncodedBlock) => Promise<void> | void;

export const MAX_PENDING_SEALS_LIMIT = 64;

export function checkMaxBlockSize(table: string, n: unknown): number {
  return checkIntSetting(table, 'maxBlockSize', n, 1, MAX_BLOCK_SIZE_LIMIT);
}

export class TableBlocks {
  readonly schema: ResolvedSchema;
  readonly sealed: SealedBlock[] = [];
  private active: ActiveBlock;
  private maxRows: number;
  private readonly maxPendingSeals: number;
  private readonly encodeSealed: boolean;
  private readonly rowGroupRows: number;
  private lastTime: bigint | null = null;
  /** Blocks handed to the encoder whose result has not been delivered yet. */
  private encoding = 0;
  /** Encoded blocks still in onEncoded (being written, with disk storage). */
  private readonly settling = new Set<Promise<void>>();
  /** Woken whenever `encoding` or `settling` shrinks. */
  private changeWaiters: Array<() => void> = [];
  /** Sealed blocks, and those of them encoded on the appending thread (backpressure). */
  private sealedCount = 0;
  private inlineCount = 0;
  private encodeErrors: Error[] = [];
  onEncoded: OnEncoded | null = null;
  /** Whether sealed blocks stay in memory (their Parquet bytes then go on shared memory). */
  sharedOutput: () => boolean = () => true;
  /** At each seal: the active block it came from and the row sequence number after its last row (the WAL logs up to it). */
  onSeal: ((block: SealedBlock, from: ActiveBlock, endRowSeq: number) => void) | null = null;
  readonly late: LateWriter | null; // the write path under an outOfOrderWindow (null: none)
  /** The table's compression setting, read as each block seals. */
  compression: () => Compression = () => 'none';

  constructor(schema: ResolvedSchema, private readonly encoder: BlockEncoder, opts: TableBlocksOptions = {}, start?: { firstRowSeq: number; lastTime: bigint | null; nextBlockId: number; newest?: bigint | null; columns?: readonly ColumnStore[] }) {
    this.schema = schema;
    this.maxRows = checkMaxBlockSize(schema.name, opts.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE);
    this.encodeSealed = opts.encodeSealed ?? true;
    this.maxPendingSeals = checkIntSetting(schema.name, 'maxPendingSeals', opts.maxPendingSeals ?? DEFAULT_MAX_PENDING_SEALS, 0, MAX_PENDING_SEALS_LIMIT);
    // A bad row group size would make the encoder loop forever in a pool worker.
    this.rowGroupRows = checkIntSetting(schema.name, 'rowGroupRows', opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS, 1, MAX_BLOCK_SIZE_LIMIT);
    this.lastTime = start?.lastTime ?? null;
    this.nextBlockId = start?.nextBlockId ?? 0;
    this.checkRow = compileRowChecker(schema);
    this.writeRow = compileRowWriter(schema);
    this.rowValues = new Array<unknown>(schema.columns.length);
    const window = opts.outOfOrderWindow ?? 0n;
    this.late = window === 0n ? null : new LateWriter(this, newLateState(window, start?.newest ?? this.lastTime), this.checkRow, this.writeRow, this.rowValues);
    this.active = newActiveBlock(schema, start?.firstRowSeq ?? 0, this.activeCapacity, start?.columns);
  }
  get activeCapacity(): number { return this.late === null ? this.maxRows : lateCapacity(this.maxRows, MAX_BLOCK_SIZE_LIMIT); } // + room for a seal's leftovers
  private nextBlockId: number;
  private readonly checkRow: RowChecker;
  private readonly writeRow: RowWriter;
  /** The values of the row being appended, read once by checkRow and written from here. */
  private readonly rowValues: unknown[];

  get maxBlockSize(): number { return this.maxRows; }
  set maxBlockSize(n: number) {
    this.maxRows = checkMaxBlockSize(this.schema.name, n);
    // An empty active block was sized for the old limit: give appends one of the new size.
    if (this.active.rowCount === 0 && this.active.capacityRows !== this.activeCapacity) {
      this.active = newActiveBlock(this.schema, this.active.firstRowSeq, this.activeCapacity);
    } else if (this.late !== null && this.active.capacityRows < this.activeCapacity) this.active = this.late.regrown(this.activeCapacity);
  }

  /** Total rows: sealed plus active. */
  get rowCount(): number { return this.active.firstRowSeq + this.active.rowCount; }
  /**
   * Row sequence numbers below rowCount that hold no row any more (deleteBefore, retention):
   * rowCount stays the next row's sequence number, so the WAL still counts from it.
   */
  droppedRows = 0;
  /** Rows present: sealed plus active, less those removed. */
  get presentRowCount(): number { return this.rowCount - this.droppedRows; }
  /** An id for a block made outside seal() (a rewritten or merged block). */
  takeBlockId(): number { return this.nextBlockId++; }
  get lastTimestamp(): bigint | null { return this.late === null ? this.lastTime : this.late.state.newest; }
  get activeBlock(): ActiveBlock { return this.active; }
  get firstNewRowSeq(): number { return this.active.firstRowSeq + (this.late?.state.seqs.length ?? 0); }
  /** Sealed blocks not yet encoded and written. */
  get pendingSeals(): number { return this.encoding + this.settling.size; }
  /** Blocks sealed since the table opened, and how many of them the appending thread encoded. */
  get sealStats(): { blocksSealed: number; blocksEncodedInline: number } {
    return { blocksSealed: this.sealedCount, blocksEncodedInline: this.inlineCount };
  }

  append(row: unknown): void {
    if (this.late !== null) { this.late.append(row); return; }
    const t = this.checkRow(row, this.lastTime, this.rowValues);
    if (this.active.rowCount >= this.maxRows) this.seal();
    const block = this.active;
    const at = block.rowCount;
    if (at >= block.columns[0].values.length) ensureCapacity(block.columns, at + 1, block.capacityRows);
    this.writeRow(block.columns, this.rowValues, at);
    block.rowCount = at + 1;
    this.lastTime = t;
    if (block.rowCount >= this.maxRows || block.rowCount === block.capacityRows) this.seal();
  }

  appendBatch(input: unknown): number {
    if (this.late !== null) return this.late.appendBatch(input);
    const batch = normalizeBatch(this.schema, input, this.lastTime);
    this.writeNormalized(batch);
    return batch.rowCount;
  }

  /** Write an already-validated batch (WAL replay uses this too). */
  writeNormalized(batch: NormalizedBatch): void {
    if (this.late !== null) { this.late.write(batch); return; }
    this.writeRows(0, batch.rowCount, (block, from, count) => writeBatch(block, batch, from, count));
    if (batch.rowCount > 0) this.lastTime = (batch.columns[this.schema.timeIndex] as BigInt64Array)[batch.rowCount - 1];
  }

  /**
   * WAL replay: rows [from, rowCount) of a checked record payload, copied straight into the
   * active block (no batch of strings in between). Under a window, through the late-row path.
   */
  writePayload(layout: PayloadLayout, from: number): void {
    if (this.late !== null) { this.late.write(sliceBatch(batchOfLayout(layout), from)); return; }
    this.writeRows(from, layout.rowCount, (block, at, count) => writePayloadRows(block, layout, at, count));
    const time = layout.columns[this.schema.timeIndex];
    if (from < layout.rowCount && time.type === 'int64') {
      this.lastTime = new DataView(layout.bytes.buffer, layout.bytes.byteOffset).getBigInt64(time.at + 8 * (layout.rowCount - 1), true);
    }
  }

  /** Rows [from, to) of a source, into the active block in pieces that fit, sealing as blocks fill. */
  private writeRows(from: number, to: number, write: (block: ActiveBlock, from: number, count: number) => void): void {
    while (from < to) {
      if (this.active.rowCount >= this.maxRows) this.seal();
      const room = Math.min(roomLeft(this.active), this.maxRows - this.active.rowCount);
      const count = Math.min(room, to - from);
      write(this.active, from, count);
      from += count;
      if (this.active.rowCount >= this.maxRows || roomLeft(this.active) === 0) this.seal();
    }
  }

  /** Seal the active block now (no-op when empty) and hand it to the encoder. */
  seal(): SealedBlock | null {
    if (this.late !== null) return this.late.sealAll();
    const raw = this.active;
    if (raw.rowCount === 0) return null;
    const times = raw.columns[this.schema.timeIndex].values as BigInt64Array;
    const block: SealedBlock = {
      id: this.nextBlockId++, firstRowSeq: raw.firstRowSeq, rowCount: raw.rowCount,
      minTime: times[0], maxTime: times[raw.rowCount - 1],
      raw, zoneMap: null, rowGroups: null, parquet: null, file: null, sizeBytes: 0, checksum: 0, layout: null,
    };
    this.sealed.push(block);
    this.active = newActiveBlock(this.schema, raw.firstRowSeq + raw.rowCount, this.maxRows);
    this.onSeal?.(block, raw, raw.firstRowSeq + raw.rowCount);
    this.startEncode(block);
    return block;
  }

  /** @internal A late row took sealed blocks back (LateWriter): `block` holds their rows and the active block's. */
  replaceActive(block: ActiveBlock): void { this.active = block; }

  /** @internal A seal under a window (LateWriter): sealed rows to the encoder, the rest stay active. */
  publishSplit(split: SplitSeal, from: ActiveBlock, replaces: SealedBlock[] | null = null): SealedBlock {
    const block: SealedBlock = { id: this.nextBlockId++, firstRowSeq: from.firstRowSeq, rowCount: split.sealed.rowCount, minTime: split.minTime, maxTime: split.maxTime,
      raw: split.sealed, zoneMap: null, rowGroups: null, parquet: null, file: null, sizeBytes: 0, checksum: 0, layout: null, late: split.late, replaces };
    this.sealed.push(block); this.active = split.next;
    this.onSeal?.(block, from, split.late.rowSeq);
    this.startEncode(block);
    return block;
  }

  /** What a reader scans of the active block: its rows in time order (a copy only when late rows broke the order). */
  activeView(): { block: ActiveBlock; rows: number } { return this.late === null ? { block: this.active, rows: this.active.rowCount } : this.late.view(); }

  private encodeTask(block: SealedBlock): EncodeTask {
    const raw = block.raw;
    if (raw === null) throw new Error('internal: encoding a block without raw buffers');
    return { kind: 'encode', schema: schemaToJson(this.schema), rowCount: block.rowCount, columns: frozenViewsOf(raw, block.rowCount), rowGroupRows: this.rowGroupRows, sharedOutput: this.sharedOutput(), compression: this.compression() };
  }

  /**
   * Hand the block to an encoder thread. At the backlog bound, first pick up finished blocks,
   * then wait for a thread; only if none finishes in time (or none can take it) does the
   * appending thread encode it itself, so raw blocks never pile up.
   */
  private startEncode(block: SealedBlock): void {
    this.sealedCount++;
    if (!this.encodeSealed) return;
    const task = this.encodeTask(block);
    const done = (r: EncodedBlock | Error) => this.delivered(block, r);
    if (this.maxPendingSeals > 0) {
      this.encoder.harvest();
      const deadline = performance.now() + SEAL_WAIT_LIMIT_MS;
      while (this.encoding >= this.maxPendingSeals) {
        const left = deadline - performance.now();
        if (left <= 0 || !this.encoder.waitForOne(left)) break;
      }
      if (this.encoding < this.maxPendingSeals) {
        this.encoding++;
        if (this.encoder.submit(task, done)) return;
        this.encoding--;
      }
    }
    let encoded: EncodedBlock | null;
    try {
      encoded = this.encoder.encodeInline(task);
    } catch (err) {
      this.encodeErrors.push(err as Error);
      return;
    }
    if (encoded === null) {
      // No encoder on this thread yet: the threads take it, over the bound this once.
      this.encoding++;
      if (!this.encoder.submit(task, done)) { this.encoding--; this.encodeErrors.push(new Error('no encoder thread can take the block')); }
      return;
    }
    this.inlineCount++;
    this.settle(block, encoded);
  }

  private delivered(block: SealedBlock, result: EncodedBlock | Error): void {
    this.encoding--;
    if (result instanceof Error) this.encodeErrors.push(result);
    else this.settle(block, result);
    this.wake();
  }

  private wake(): void {
    const waiters = this.changeWaiters;
    this.changeWaiters = [];
    for (const w of waiters) w();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.changeWaiters.push(resolve));
  }

  /** The block is readable from its encoded form at once; writing it (onEncoded) follows. */
  private settle(block: SealedBlock, encoded: EncodedBlock): void {
    block.zoneMap = encoded.zoneMap;
    block.rowGroups = encoded.rowGroups;
    block.checksum = encoded.checksum;
    block.layout = encoded.layout;
    block.sizeBytes = encoded.parquet.byteLength;
    block.parquet = encoded.parquet;
    // Only now may the shared buffers go: the block is readable from its encoded form.
    block.raw = null;
    const onEncoded = this.onEncoded;
    if (onEncoded === null) return;
    const p: Promise<void> = Promise.resolve()
      .then(() => onEncoded(block, encoded))
      .catch((err: unknown) => { this.encodeErrors.push(err instanceof Error ? err : new Error(String(err))); })
      .finally(() => { this.settling.delete(p); this.wake(); });
    this.settling.add(p);
  }

  /**
   * Resolves once at most maxPendingSeals sealed blocks are still being encoded or written:
   * appends themselves never wait, so callers that sync() get backpressure here.
   */
  async waitForBacklog(): Promise<void> {
    this.encoder.harvest();
    while (this.pendingSeals > this.maxPendingSeals) await this.changed();
  }

  /** Resolves when every sealed block is encoded (and written, with disk storage). */
  async waitUntilEncoded(): Promise<void> {
    this.encoder.harvest();
    while (this.pendingSeals > 0) await this.changed();
    if (this.encodeErrors.length > 0) {
      const errs = this.encodeErrors.splice(0);
      throw new Error(`table "${this.schema.name}": sealing a block failed: ${errs.map((e) => e.message).join('; ')}`);
    }
  }
}
