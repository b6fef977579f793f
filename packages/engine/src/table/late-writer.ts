// The write path of a table with an outOfOrderWindow (its rules: late-rows.ts). TableBlocks
// hands appends here when the window is not 0; without one, its own path runs as before.
// TableBlocks' lastTime (the last sealed time) is a floor for later rows; the newest may be past it.
import { writeBatch, type ActiveBlock } from '../block/active-block.js';
import { ensureCapacity } from '../block/column-store.js';
import type { SealedBlock } from '../block/sealed-block.js';
import { gatherRows } from '../block/sorted-rows.js';
import type { NormalizedBatch } from '../column/values.js';
import type { ResolvedSchema } from '../schema/schema.js';
import {
  checkLateTimes, dryRunLate, fullBlockError, noteWritten, oldestAllowed, refuseLate, runLate, splitActive, timeOrderedView,
  type LateState, type SplitSeal,
} from './late-rows.js';
import type { RowChecker, RowWriter } from './row-codegen.js';
import { normalizeBatch } from './validate.js';

/** What the late write path needs of TableBlocks. */
export interface LateHost {
  readonly schema: ResolvedSchema;
  readonly maxBlockSize: number;
  readonly activeBlock: ActiveBlock;
  /** Rows the next active block takes. */
  readonly activeCapacity: number;
  /** Hand the sealed rows to the encoder and make `split.next` the active block. */
  publishSplit(split: SplitSeal, from: ActiveBlock): SealedBlock;
}

function timesOf(schema: ResolvedSchema, block: ActiveBlock): BigInt64Array {
  return block.columns[schema.timeIndex].values as BigInt64Array;
}

export class LateWriter {
  private readonly one = new BigInt64Array(1);

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
    checkLateTimes(schema, times, batch.rowCount, st);
    const a = this.host.activeBlock;
    // Seals only make room: a batch that fits as the block stands cannot find it full.
    if (a.rowCount + batch.rowCount > a.capacityRows) {
      const at = dryRunLate(timesOf(schema, a), a.rowCount, a.capacityRows, this.host.activeCapacity, times, batch.rowCount, st.window, this.host.maxBlockSize, st.newest);
      if (at >= 0) throw fullBlockError(schema, st, a.capacityRows);
    }
    this.write(batch);
    return batch.rowCount;
  }

  /** Write a validated batch (appendBatch, and WAL replay past the last seal). */
  write(batch: NormalizedBatch): void {
    const times = batch.columns[this.host.schema.timeIndex] as BigInt64Array;
    this.run(times, batch.rowCount, (from, count) => writeBatch(this.host.activeBlock, batch, from, count));
  }

  private run(times: BigInt64Array, n: number, write: (from: number, count: number) => void): void {
    const { host, state: st } = this;
    const refused = runLate(times, n, st.window, host.maxBlockSize, st.newest, {
      times: () => timesOf(host.schema, host.activeBlock),
      rows: () => host.activeBlock.rowCount,
      capacity: () => host.activeBlock.capacityRows,
      seal: (limit) => { this.seal(limit); },
      write: (from, count) => { write(from, count); noteWritten(st, times, from, count); },
    });
    if (refused >= 0) throw fullBlockError(host.schema, st, host.activeBlock.rowCount);
  }

  /** Seal the rows at or below `limit` (null when there are none). */
  seal(limit: bigint): SealedBlock | null {
    const from = this.host.activeBlock;
    const split = splitActive(this.host.schema, this.state, from, limit, this.host.activeCapacity);
    return split === null ? null : this.host.publishSplit(split, from);
  }

  /** flush() and close(): seal every row; nothing older than the newest may follow. */
  sealAll(): SealedBlock | null {
    const newest = this.state.newest;
    return newest === null ? null : this.seal(newest);
  }

  /** close() with a WAL: seal what the window lets go; the rest stays in the WAL for the next open. */
  sealSettled(): SealedBlock | null {
    const newest = this.state.newest;
    return newest === null ? null : this.seal(newest - this.state.window);
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
