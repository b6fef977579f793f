// The write path of a table with an outOfOrderWindow (its rules: late-rows.ts). TableBlocks
// hands appends here when the window is not 0; without one, its own path runs as before.
// A row is refused only when older than newest − window; one older than the newest sealed row
// first takes the table's tail blocks back into the active block (reopen-tail.ts).
import { writeBatch, type ActiveBlock } from '../block/active-block.js';
import { ensureCapacity } from '../block/column-store.js';
import type { SealedBlock } from '../block/sealed-block.js';
import { countAtOrBelow, gatherRows } from '../block/sorted-rows.js';
import type { NormalizedBatch } from '../column/values.js';
import type { ResolvedSchema } from '../schema/schema.js';
import {
  checkLateTimes, dryRunLate, fullBlockError, noteWritten, oldestAllowed, REOPENED_SEQ, refuseLate, runLate, splitActive, timeOrderedView,
  type LateState, type SplitSeal,
} from './late-rows.js';
import { applyReopen, blockOfBatch, loadTail, mayReopen, planReopen, timesAfter, TailRows, type ReopenPlan, type TailBlockReader } from './reopen-tail.js';
import type { RowChecker, RowWriter } from './row-codegen.js';
import { normalizeBatch } from './validate.js';
import { MAX_BLOCK_SIZE_LIMIT } from './options.js';

/** What the late write path needs of TableBlocks. */
export interface LateHost {
  readonly schema: ResolvedSchema;
  readonly maxBlockSize: number;
  readonly activeBlock: ActiveBlock;
  /** Rows the next active block takes. */
  readonly activeCapacity: number;
  /** The sealed blocks, in time order (a late row may take the last ones back). */
  readonly sealed: SealedBlock[];
  /** Make `block` the active block (it holds the rows of the one it replaces, and more). */
  replaceActive(block: ActiveBlock): void;
  /** Hand the sealed rows to the encoder and make `split.next` the active block; the block replaces `replaces` (taken back). */
  publishSplit(split: SplitSeal, from: ActiveBlock, replaces: SealedBlock[] | null): SealedBlock;
}

function minTime(times: BigInt64Array, n: number): bigint | null {
  let min: bigint | null = null;
  for (let i = 0; i < n; i++) if (min === null || times[i] < min) min = times[i];
  return min;
}

function timesOf(schema: ResolvedSchema, block: ActiveBlock): BigInt64Array {
  return block.columns[schema.timeIndex].values as BigInt64Array;
}

export class LateWriter {
  private readonly one = new BigInt64Array(1);
  /** Decoded rows of the sealed blocks a late row may take back. */
  readonly tail = new TailRows();
  /** Rows taken back from sealed blocks are in the active block: the next seal takes every row up to here. */
  private reopenMax: bigint | null = null;
  /** The blocks they came from (and the blocks those were to replace): the next sealed block replaces them. */
  private replaces: SealedBlock[] = [];

  constructor(
    private readonly host: LateHost,
    readonly state: LateState,
    private readonly checkRow: RowChecker,
    private readonly writeRow: RowWriter,
    private readonly values: unknown[],
  ) {}

  append(row: unknown): void {
    const st = this.state;
    const t = this.checkRow(row, null, this.values);
    const limit = oldestAllowed(st);
    if (limit !== null && t < limit) refuseLate(this.host.schema, t, st, null);
    this.reopenFor(t);
    this.one[0] = t;
    this.run(this.one, 1, () => {
      const block = this.host.activeBlock;
      const at = block.rowCount;
      if (at >= block.columns[0].values.length) ensureCapacity(block.columns, at + 1, block.capacityRows);
      this.writeRow(block.columns, this.values, at);
      block.rowCount = at + 1;
    });
  }

  /** Validate everything first (times against the window, and room), then write: a refused batch changes nothing. */
  appendBatch(input: unknown): number {
    const { schema } = this.host;
    const st = this.state;
    const batch = normalizeBatch(schema, input, null, false);
    const times = batch.columns[schema.timeIndex] as BigInt64Array;
    const oldest = checkLateTimes(schema, times, batch.rowCount, st);
    const a = this.host.activeBlock;
    const plan = oldest === null ? null : this.plan(oldest);
    const rows = a.rowCount + (plan?.rows ?? 0);
    // Seals only make room: a batch that fits as the block stands cannot find it full.
    if (rows + batch.rowCount > a.capacityRows) {
      const before = plan === null ? timesOf(schema, a) : timesAfter(schema, this.host.sealed, this.tail, plan, a);
      const floor = plan === null || (this.reopenMax !== null && this.reopenMax > plan.maxTime) ? this.reopenMax : plan.maxTime;
      const at = dryRunLate(before, rows, a.capacityRows, this.host.activeCapacity, times, batch.rowCount, st.window, this.host.maxBlockSize, st.newest, floor);
      if (at >= 0) throw fullBlockError(schema, st, a.capacityRows);
    }
    if (plan !== null) this.reopen(plan);
    this.write(batch);
    return batch.rowCount;
  }

  /** Write a validated batch (appendBatch, and WAL replay past the last seal). */
  write(batch: NormalizedBatch): void {
    const times = batch.columns[this.host.schema.timeIndex] as BigInt64Array;
    const oldest = minTime(times, batch.rowCount);
    if (oldest !== null) this.reopenFor(oldest);
    this.run(times, batch.rowCount, (from, count) => writeBatch(this.host.activeBlock, batch, from, count));
  }

  /**
   * WAL replay (open, a read-only view): the rows were acknowledged when the writer's bound may
   * have been larger (maxBlockSize lowered since), so what a late row takes back goes into a
   * block grown for it; the bound refuses only new rows.
   */
  replaying = false;

  /** The sealed blocks a row at time `t` needs back (null: none); throws when they cannot come back. */
  private plan(t: bigint): ReopenPlan | null {
    const { host } = this;
    const capacity = this.replaying ? MAX_BLOCK_SIZE_LIMIT : host.activeBlock.capacityRows;
    return planReopen(host.schema, this.state, host.sealed, this.tail, t, host.activeBlock.rowCount, 1, capacity);
  }

  /** Take back the sealed blocks a row at time `t` would precede (throws, changing nothing, when it cannot). */
  private reopenFor(t: bigint): void {
    const plan = this.plan(t);
    if (plan !== null) this.reopen(plan);
  }

  private reopen(plan: ReopenPlan): void {
    const { host } = this;
    const a = host.activeBlock;
    // Replaying, the block keeps the room it had for what follows (appends were refused before, not taken).
    const capacity = this.replaying ? Math.max(a.capacityRows, Math.min(MAX_BLOCK_SIZE_LIMIT, a.capacityRows + plan.rows)) : a.capacityRows;
    const { block, blocks } = applyReopen(host.schema, this.state, host.sealed, this.tail, plan, a, capacity);
    host.replaceActive(block);
    const groups = new Set<SealedBlock[]>();
    for (const b of blocks) {
      // A block of the pending group itself (sealPart) is in it already, with what it replaces.
      if (b.replaces === this.replaces) continue;
      if (b.replaces != null) { this.replaces.push(...b.replaces); groups.add(b.replaces); }
      this.replaces.push(b);
    }
    // Blocks not written yet that were to replace others together with a block taken back now
    // go with the next seal instead: written apart, one manifest generation could drop a
    // replaced block while some of its rows are only in memory.
    if (groups.size > 0) for (const b of host.sealed) if (b.replaces != null && groups.has(b.replaces)) b.replaces = this.replaces;
    if (this.reopenMax === null || plan.maxTime > this.reopenMax) this.reopenMax = plan.maxTime;
  }

  /** Whether `group` replaces blocks together with rows still in the active block (not to be written yet). */
  isPending(group: readonly SealedBlock[]): boolean {
    return this.reopenMax !== null && group === this.replaces;
  }

  /** At open, before WAL replay: read back the sealed blocks a late row may need (reopen-tail.ts); `needFrom`: the WAL's oldest row. */
  loadTail(read: TailBlockReader | null, needFrom: bigint | null = null): Promise<void> {
    const { host } = this;
    return loadTail(host.schema, this.state, this.tail, host.sealed, host.activeCapacity, read, needFrom);
  }

  /** deleteBefore rewrote a block into `block` (rows `rows`): keep them if a late row may need them. */
  rememberRows(block: SealedBlock, rows: NormalizedBatch): void {
    if (mayReopen(this.state, block)) this.tail.remember(block, blockOfBatch(this.host.schema, rows));
  }

  private run(times: BigInt64Array, n: number, write: (from: number, count: number) => void): void {
    const { host, state: st } = this;
    const refused = runLate(times, n, st.window, host.maxBlockSize, st.newest, {
      times: () => timesOf(host.schema, host.activeBlock),
      rows: () => host.activeBlock.rowCount,
      capacity: () => host.activeBlock.capacityRows,
      minSeal: () => this.reopenMax,
      sealPart: (limit) => { this.sealPart(limit); },
      seal: (limit) => { this.seal(limit); },
      write: (from, count) => { write(from, count); noteWritten(st, times, from, count); },
    });
    if (refused >= 0) throw fullBlockError(host.schema, st, host.activeBlock.rowCount);
  }

  /**
   * Seal the rows at or below `limit` (null when there are none). Rows taken back from sealed
   * blocks all go now (the limit is raised to their newest), in blocks of about maxBlockSize
   * rows that together replace theirs (one manifest generation: TableStore).
   */
  seal(limit: bigint): SealedBlock | null {
    if (this.reopenMax === null) return this.sealOne(limit, null);
    if (this.reopenMax > limit) limit = this.reopenMax;
    const replaces = this.replaces;
    this.reopenMax = null;
    this.replaces = [];
    let last: SealedBlock | null = null;
    for (;;) {
      const piece = this.pieceLimit(limit);
      last = this.sealOne(piece, replaces) ?? last;
      if (piece >= limit) break;
    }
    if (this.state.seqs.includes(REOPENED_SEQ)) throw new Error('internal: a seal left a row taken back from a sealed block unsealed');
    return last;
  }

  /**
   * A full active block that still holds rows taken back (reopen pending) and must take an
   * older row than them: seal the rows at or below `limit` now, as blocks of the pending group
   * (written only with the rest of it, TableStore.writeReplacing).
   */
  private sealPart(limit: bigint): void {
    for (;;) {
      const piece = this.pieceLimit(limit);
      this.sealOne(piece, this.replaces);
      if (piece >= limit) return;
    }
  }

  /** `target`, or lower, so that at most about maxBlockSize rows are at or below it (rows of equal time go together). */
  private pieceLimit(target: bigint): bigint {
    const { host } = this;
    const a = host.activeBlock;
    const times = timesOf(host.schema, a);
    if (countAtOrBelow(times, a.rowCount, target) <= host.maxBlockSize) return target;
    const piece = times.slice(0, a.rowCount).sort()[host.maxBlockSize - 1];
    return piece < target ? piece : target;
  }

  private sealOne(limit: bigint, replaces: SealedBlock[] | null): SealedBlock | null {
    const { host, state: st } = this;
    const from = host.activeBlock;
    const split = splitActive(host.schema, st, from, limit, host.activeCapacity);
    if (split === null) return null;
    const block = host.publishSplit(split, from, replaces);
    // Sealed past newest − window (flush, close, deleteBefore), or part of blocks not written
    // yet that replace others (they come back together): a late row may need it back.
    if (mayReopen(st, block) || replaces !== null) this.tail.remember(block, split.sealed);
    this.tail.prune(host.sealed, oldestAllowed(st), host.activeCapacity);
    return block;
  }

  /** flush() and close(): seal every row; a later row older than them reopens the tail. */
  sealAll(): SealedBlock | null {
    const newest = this.state.newest;
    return newest === null ? null : this.sealUpTo(newest);
  }

  /** close() with a WAL: seal what the window lets go; the rest stays in the WAL for the next open. */
  sealSettled(): SealedBlock | null {
    const newest = this.state.newest;
    return newest === null ? null : this.sealUpTo(newest - this.state.window);
  }

  /**
   * Seal every row at or below `target`, in blocks of about maxBlockSize rows (rows of equal
   * time go together): a late row then takes back only the newest of them (reopen-tail.ts).
   */
  private sealUpTo(target: bigint): SealedBlock | null {
    let last: SealedBlock | null = null;
    for (;;) {
      const piece = this.pieceLimit(target);
      last = this.seal(piece) ?? last;
      if (piece >= target) return last;
    }
  }

  /**
   * Replay: put back the rows the last durable seal left unsealed (`seqs`: their sequence
   * numbers, ascending), into the fresh active block, with no seal attempt — they were there.
   */
  restore(batch: NormalizedBatch, seqs: readonly number[]): void {
    const a = this.host.activeBlock;
    if (a.rowCount !== this.state.seqs.length) throw new Error('internal: restoring rows after new rows');
    if (a.rowCount + batch.rowCount > a.capacityRows) {
      throw new Error(`table "${this.host.schema.name}": the WAL holds more unsealed rows than the active block takes (${a.capacityRows}); open it with the maxBlockSize it was written with`);
    }
    writeBatch(a, batch, 0, batch.rowCount);
    for (const s of seqs) this.state.seqs.push(s);
    noteWritten(this.state, batch.columns[this.host.schema.timeIndex] as BigInt64Array, 0, batch.rowCount);
  }

  /**
   * maxBlockSize went up: the same rows, in the same places, in a block of the new capacity
   * (so a window that fits the new size is not refused for the old one).
   */
  regrown(capacityRows: number): ActiveBlock {
    const a = this.host.activeBlock;
    const order = new Uint32Array(a.rowCount);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return gatherRows(this.host.schema, a, order, 0, a.rowCount, a.firstRowSeq, capacityRows);
  }

  /** The active block as a reader sees it: its rows in time order. */
  view(): { block: ActiveBlock; rows: number } {
    return timeOrderedView(this.host.schema, this.state, this.host.activeBlock);
  }
}
