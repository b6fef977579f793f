// WAL replay into a table's blocks: each row at most once, in sequence order. Without an
// outOfOrderWindow the durable blocks hold exactly the rows below the manifest's end. With
// one, the last durable seal took the rows below its `rowSeq` whose time is at or below its
// `time` (docs/wal.md): replay reads from its `firstUnsealedSeq`, puts the other rows below
// `rowSeq` back into the active block as they were, and appends the rest as appends do.
import type { WalRecord } from '../wal/record.js';
import { pickRows, sliceBatch } from '../column/values.js';
import { batchOfLayout, parseRecord } from '../wal/batch-codec.js';
import type { ColumnDef } from '../schema/schema.js';
import type { Manifest } from './manifest.js';
import type { TableBlocks } from './table-blocks.js';

export interface ReplayStart {
  /** Read the WAL from this row on. */
  readonly fromRowSeq: number;
  /** Rows below this whose time is at or below `sealedTime` are in blocks (null time: all of them). */
  readonly sealedRowSeq: number;
  readonly sealedTime: bigint | null;
  /** The newest time appended before `sealedRowSeq`. */
  readonly newest: bigint | null;
}

export function replayStartOf(m: Manifest): ReplayStart {
  const late = m.blocks[m.blocks.length - 1]?.late ?? null;
  if (late === null) return { fromRowSeq: m.durableRowCount, sealedRowSeq: m.durableRowCount, sealedTime: null, newest: m.lastTime };
  return { fromRowSeq: late.firstUnsealedSeq, sealedRowSeq: late.rowSeq, sealedTime: late.time, newest: late.newest };
}

/** Applies WAL records, in order, to `blocks`; throws on a gap. */
export class WalReplay {
  /** The next row sequence number to apply. */
  private next: number;

  /**
   * `columns`: the table's, which its records hold in order.
   * `logged` false: the table has no WAL, so rows a seal left unsealed were never logged (lost
   * on a crash, as every unsealed row is): their absence is no gap.
   */
  constructor(private readonly blocks: TableBlocks, private readonly columns: readonly ColumnDef[], private readonly start: ReplayStart, private readonly where: string, private readonly logged = true) {
    this.next = start.fromRowSeq;
  }

  get nextRowSeq(): number { return this.next; }

  /** Whether `rec` starts past the next row to apply (rows between are missing). */
  startsAfter(rec: WalRecord): boolean { return rec.firstRowSeq > this.next; }

  /** Apply the rows of `rec` not applied yet; returns how many went into the table. */
  apply(rec: WalRecord): number {
    const end = rec.firstRowSeq + rec.rowCount;
    if (end <= this.next) return 0;
    if (rec.firstRowSeq > this.next) throw this.gap();
    let seq = this.next;
    const layout = parseRecord(this.columns, rec);
    if (this.blocks.late === null) {
      // Without a window, every row goes to the end of the active block: copied straight in.
      if (seq !== this.blocks.rowCount) throw this.gap();
      this.blocks.writePayload(layout, seq - rec.firstRowSeq);
      this.next = end;
      return end - seq;
    }
    let batch = sliceBatch(batchOfLayout(layout), seq - rec.firstRowSeq);
    let applied = 0;
    const { sealedRowSeq, sealedTime } = this.start;
    if (seq < sealedRowSeq && sealedTime !== null) {
      const upto = Math.min(end, sealedRowSeq) - seq;
      const times = batch.columns[this.blocks.schema.timeIndex] as BigInt64Array;
      const keep: number[] = [];
      for (let i = 0; i < upto; i++) if (times[i] > sealedTime) keep.push(i);
      if (keep.length > 0) this.blocks.late.restore(pickRows(batch, keep), keep.map((i) => seq + i));
      applied += keep.length;
      batch = sliceBatch(batch, upto);
      seq += upto;
    }
    if (batch.rowCount > 0) {
      if (seq !== this.blocks.rowCount) throw this.gap();
      this.blocks.writeNormalized(batch);
      applied += batch.rowCount;
    }
    this.next = end;
    return applied;
  }

  /** After the last record: the rows a seal left unsealed must all have been there. */
  finish(): void {
    if (!this.logged) return;
    if (this.next < this.start.sealedRowSeq || this.blocks.rowCount < this.start.sealedRowSeq) throw this.gap();
  }

  private gap(): Error {
    return new Error(`${this.where} has a gap at row ${Math.min(this.next, this.blocks.rowCount)}`);
  }
}

/**
 * The oldest time among the rows of `records` from row `fromRowSeq` on (null: none). Under a
 * window, the sealed blocks newer than it are those a row of the WAL may take back: read at
 * open before the replay (loadTail), whatever the active block's bound is now.
 */
export function oldestTimeOf(columns: readonly ColumnDef[], timeIndex: number, records: readonly WalRecord[], fromRowSeq: number): bigint | null {
  let oldest: bigint | null = null;
  for (const rec of records) {
    const skip = Math.max(0, fromRowSeq - rec.firstRowSeq);
    if (skip >= rec.rowCount) continue;
    const layout = parseRecord(columns, rec);
    const at = layout.columns[timeIndex].at;
    const dv = new DataView(layout.bytes.buffer, layout.bytes.byteOffset, layout.bytes.byteLength);
    for (let i = skip; i < rec.rowCount; i++) {
      const t = dv.getBigInt64(at + 8 * i, true);
      if (oldest === null || t < oldest) oldest = t;
    }
  }
  return oldest;
}
