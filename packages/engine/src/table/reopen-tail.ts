// Late rows older than the newest sealed row. flush(), close() without a WAL and deleteBefore
// seal every row, past newest − window; a later row within the window may then be older than
// sealed rows. It is taken in by "reopening the tail": the sealed blocks at the table's end
// whose newest row is newer than it (whole blocks) go back into the active block, ahead of its
// rows (they were appended before every row there of equal time), and leave the block list so
// readers do not count them twice. The next seal takes every one of those rows again (the WAL
// may no longer hold them); its blocks, written together (writeReplacing, below), replace them
// in one manifest generation, and the old files go once earlier readers are done. Blocks stay
// immutable, and readers still see sealed blocks plus the active block in time order.
//
// append() must not wait for a block to be read back, so the rows of every block a late row
// may need (its newest row newer than newest − window) are kept here, decoded: from the seal
// that made the block, or read once when the table opens (loadTail). They stay bounded by the
// active block's bound (2 × maxBlockSize rows): a late row that would bring back more is
// refused with the full-block error, changing nothing.
import { newActiveBlock, writeBatch, type ActiveBlock } from '../block/active-block.js';
import type { SealedBlock } from '../block/sealed-block.js';
import { isTimeOrdered } from '../block/sorted-rows.js';
import type { NormalizedBatch } from '../column/values.js';
import type { ResolvedSchema } from '../schema/schema.js';
import { oldestAllowed, REOPENED_SEQ, type LateState } from './late-rows.js';
import { batchFromBlock } from './wal-capture.js';
import type { TableContext, TableStore } from './table-store.js';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomic.js';
import type { WalWriter } from '../wal/writer.js';
import type { DurableBlocks } from './durable-blocks.js';
import { derivedBlockFileName } from './layout.js';
import { manifestBlockOf, type ManifestBlock } from './manifest.js';

/** Decoded rows of the sealed blocks a late row may take back, newest blocks last. */
export class TailRows {
  private entries: Array<{ readonly block: SealedBlock; readonly rows: ActiveBlock }> = [];
  /** Blocks a lifecycle operation (deleteBefore) is rewriting: not to be taken back meanwhile. */
  private readonly pinned = new Set<SealedBlock>();

  /** Keep `rows` (the block's rows, in time order) while a late row may need them. */
  remember(block: SealedBlock, rows: ActiveBlock): void {
    this.entries.push({ block, rows });
    this.entries.sort((a, b) => a.block.firstRowSeq - b.block.firstRowSeq);
  }

  rowsOf(block: SealedBlock): ActiveBlock | null {
    return this.entries.find((e) => e.block === block)?.rows ?? null;
  }

  /** Forget blocks no late row can need any more (not listed, or wholly at or below `floor`), and the oldest past `maxRows`. */
  prune(sealed: readonly SealedBlock[], floor: bigint | null, maxRows: number): void {
    if (this.entries.length === 0) return;
    // Blocks of a group not written yet stay too: a late row older than them takes them back.
    const live = new Set(sealed.slice(tailStart(sealed, floor)));
    const kept = this.entries.filter((e) => live.has(e.block) || e.block.replaces != null);
    let rows = 0;
    let from = kept.length;
    while (from > 0 && rows + kept[from - 1].rows.rowCount <= maxRows) rows += kept[--from].rows.rowCount;
    this.entries = kept.slice(from);
  }

  pin(blocks: Iterable<SealedBlock>): void { for (const b of blocks) this.pinned.add(b); }
  unpin(blocks: Iterable<SealedBlock>): void { for (const b of blocks) this.pinned.delete(b); }
  isPinned(block: SealedBlock): boolean { return this.pinned.has(block); }

  forget(blocks: readonly SealedBlock[]): void {
    const gone = new Set(blocks);
    this.entries = this.entries.filter((e) => !gone.has(e.block));
  }
}

/** Index of the first sealed block whose newest row is newer than `t` (sealed.length: none). */
export function tailStart(sealed: readonly SealedBlock[], t: bigint | null): number {
  if (t === null) return 0;
  let i = sealed.length;
  while (i > 0 && sealed[i - 1].maxTime > t) i--;
  return i;
}

/** Sealed blocks a row must take back: sealed[from…], `rows` rows, the newest at `maxTime`. */
export interface ReopenPlan {
  readonly from: number;
  readonly rows: number;
  readonly maxTime: bigint;
}

/**
 * The blocks a row at time `t` needs back (null: none, it follows every sealed row). Throws,
 * changing nothing, when they cannot come back: with the active block's `activeRows` and
 * `incoming` more they would pass its `capacity`, or deleteBefore is rewriting one of them.
 */
export function planReopen(schema: ResolvedSchema, st: LateState, sealed: readonly SealedBlock[], tail: TailRows, t: bigint, activeRows: number, incoming: number, capacity: number): ReopenPlan | null {
  const from = tailStart(sealed, t);
  if (from === sealed.length) return null;
  let rows = 0;
  let maxTime = sealed[from].maxTime;
  for (let i = from; i < sealed.length; i++) {
    rows += sealed[i].rowCount;
    if (sealed[i].maxTime > maxTime) maxTime = sealed[i].maxTime;
  }
  const what = `time ${t} is within outOfOrderWindow ${st.window} of the newest row (at ${st.newest}), but the ${rows} sealed rows newer than it would have to go back into the active block`;
  const held = sealed.slice(from).every((b) => tail.rowsOf(b) !== null);
  if (activeRows + rows + incoming > capacity || !held) {
    // Not held: the reader was missing, or they were more than the bound when kept.
    const why = held ? `it holds ${activeRows} rows and takes ${capacity} (2 × maxBlockSize)` : 'they are not held in memory';
    throw new Error(`table "${schema.name}": the active block is full: ${what}, and ${why}; nothing was appended (raise maxBlockSize or lower outOfOrderWindow)`);
  }
  if (sealed.slice(from).some((b) => tail.isPinned(b))) {
    throw new Error(`table "${schema.name}": ${what}, which deleteBefore is rewriting; nothing was appended (append it again once deleteBefore has resolved)`);
  }
  return { from, rows, maxTime };
}

/** The active block's times as they would stand after `plan`: the blocks' rows, then its own. */
export function timesAfter(schema: ResolvedSchema, sealed: readonly SealedBlock[], tail: TailRows, plan: ReopenPlan, active: ActiveBlock): BigInt64Array {
  const out = new BigInt64Array(plan.rows + active.rowCount);
  let at = 0;
  for (const b of sealed.slice(plan.from)) {
    const rows = tail.rowsOf(b) as ActiveBlock;
    out.set((rows.columns[schema.timeIndex].values as BigInt64Array).subarray(0, rows.rowCount), at);
    at += rows.rowCount;
  }
  out.set((active.columns[schema.timeIndex].values as BigInt64Array).subarray(0, active.rowCount), at);
  return out;
}

/**
 * Carry out `plan`: the blocks leave `sealed` (returned) and a new active block holds their
 * rows, then the active block's, numbered so that rows appended from now on keep their
 * sequence numbers. `st` follows (the taken-back rows carry REOPENED_SEQ).
 */
export function applyReopen(schema: ResolvedSchema, st: LateState, sealed: SealedBlock[], tail: TailRows, plan: ReopenPlan, active: ActiveBlock, capacityRows = active.capacityRows): { block: ActiveBlock; blocks: SealedBlock[] } {
  if (capacityRows < active.rowCount + plan.rows) throw new Error('internal: a reopen past the active block\'s capacity');
  const blocks = sealed.splice(plan.from);
  const out = newActiveBlock(schema, active.firstRowSeq - plan.rows, capacityRows);
  for (const b of blocks) copyRows(out, tail.rowsOf(b) as ActiveBlock);
  copyRows(out, active);
  tail.forget(blocks);
  st.seqs = [...new Array<number>(plan.rows).fill(REOPENED_SEQ), ...st.seqs];
  const times = out.columns[schema.timeIndex].values as BigInt64Array;
  st.activeSorted = isTimeOrdered(times, 0, out.rowCount);
  st.activeLast = times[out.rowCount - 1];
  st.view = null;
  return { block: out, blocks };
}

function copyRows(dst: ActiveBlock, src: ActiveBlock): void {
  if (src.rowCount > 0) writeBatch(dst, batchFromBlock(src, 0, src.rowCount), 0, src.rowCount);
}

/** A block's rows (as read back) in a block of their own, to keep in TailRows. */
export function blockOfBatch(schema: ResolvedSchema, batch: NormalizedBatch): ActiveBlock {
  const out = newActiveBlock(schema, 0, Math.max(1, batch.rowCount));
  writeBatch(out, batch, 0, batch.rowCount);
  return out;
}

/** Whether a block sealed now may be needed back by a late row. */
export function mayReopen(st: LateState, block: SealedBlock): boolean {
  const floor = oldestAllowed(st);
  return floor !== null && block.maxTime > floor;
}

/** Reads every row of a sealed block (the API decodes it in its pool). */
export type TailBlockReader = (block: SealedBlock) => Promise<NormalizedBatch>;

/** The table's sealed blocks read back through the context's reader (null: none). */
export function tailReader(ctx: TableContext, dir: string, schema: ResolvedSchema): TailBlockReader | null {
  const read = ctx.readBlock;
  return read === undefined ? null : (b) => read(dir, schema, b);
}

/**
 * At open (before WAL replay) and in a read-only view: read back the blocks a late row may
 * need, newest first, as many as the active block's bound lets come back, and every block a
 * row of the WAL to replay (the oldest at `needFrom`) would take back.
 */
export async function loadTail(schema: ResolvedSchema, st: LateState, tail: TailRows, sealed: readonly SealedBlock[], maxRows: number, read: TailBlockReader | null, needFrom: bigint | null = null): Promise<void> {
  if (read === null) return;
  let from = sealed.length;
  let rows = 0;
  const start = tailStart(sealed, oldestAllowed(st) ?? sealed[sealed.length - 1]?.maxTime ?? null);
  while (from > start && rows + sealed[from - 1].rowCount <= maxRows) rows += sealed[--from].rowCount;
  // The WAL to replay holds a row at `needFrom`: every block it may take back, past the bound
  // (the writer took them back when its bound was larger; replay must do the same).
  if (needFrom !== null) from = Math.min(from, tailStart(sealed, needFrom));
  for (const b of sealed.slice(from)) {
    if (tail.rowsOf(b) !== null) continue;
    const batch = await read(b);
    if (batch.rowCount !== b.rowCount) throw new Error(`table "${schema.name}": block ${b.file ?? b.id} read back ${batch.rowCount} rows, the manifest says ${b.rowCount}`);
    tail.remember(b, blockOfBatch(schema, batch));
  }
}

/**
 * Blocks holding the rows a late row took back from `replaces`, sealed together (TableStore's
 * block writer calls this in order): written under derived names (the plain one may be
 * listed), then one manifest generation lists them instead of the replaced blocks that are
 * durable; those files go once earlier readers are done. False (nothing written) while one of
 * them is not encoded yet, or some of their rows are back in the active block (not sealed).
 */
export async function writeReplacing(store: TableStore, durable: DurableBlocks, wal: WalWriter | null, schemaCrc: number, replaces: readonly SealedBlock[]): Promise<boolean> {
  const { blocks } = store;
  if (blocks.late?.isPending(replaces) === true) return false;
  const group = blocks.sealed.filter((b) => b.replaces === replaces);
  if (group.some((b) => b.parquet === null || b.zoneMap === null)) return false;
  const entries: ManifestBlock[] = [];
  for (const b of group) {
    const name = derivedBlockFileName(b.firstRowSeq, store.manifestWriter.generation + 1);
    await writeFileAtomic(store.ctx.storage, join(store.dir, name), b.parquet as Uint8Array);
    entries.push(manifestBlockOf({ ...b, file: name }, schemaCrc));
  }
  if (wal !== null) await wal.sync(); // the rows they leave unsealed first, as for any block
  const files = replaces.map((b) => b.file).filter((f): f is string => f !== null && durable.has(f));
  const listed = [...durable.blocks.filter((b) => !files.includes(b.file)), ...entries].sort((a, b) => a.firstRowSeq - b.firstRowSeq);
  await durable.replace(listed, files, Math.max(...entries.map((e) => e.endRowSeq)));
  group.forEach((b, i) => {
    b.file = entries[i].file;
    b.replaces = null;
    if (store.settings.useDiskStorage) b.parquet = null;
  });
  if (wal !== null) await wal.retireThrough(store.durableWalRowSeq);
  if (files.length > 0) store.afterReaders(() => { void durable.removeFiles(store.ctx.storage, store.dir, files); });
  return true;
}
