// deleteBefore, retention and compact over a TableStore (see table-life.ts for how blocks are
// rebuilt and swapped). All three run one at a time per table (TableStore.lifecycle); only the
// manifest swap excludes block writes, so appends and seals go on meanwhile.
import type { SealedBlock } from '../block/sealed-block.js';
import type { NormalizedBatch } from '../column/values.js';
import { INT64_MAX, INT64_MIN } from '../column/int64.js';
import { concatBatches, endOf, rowsFrom, writeDerivedBlock, writeEverything, type BlockRowsReader } from './table-life.js';
import type { TableStore } from './table-store.js';

/** A cutoff (or other time) as given: an int64 bigint or a safe integer; anything else refused. */
export function checkTimeArg(table: string, what: string, v: unknown): bigint {
  if (typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  const shown = typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v);
  throw new Error(`table "${table}": ${what} must be an int64 bigint or a safe integer, got ${shown}`);
}

async function removeQuietly(store: TableStore, blocks: readonly SealedBlock[]): Promise<void> {
  for (const b of blocks) if (b.file !== null) await store.ctx.storage.remove(`${store.dir}/${b.file}`).catch(() => undefined);
}

/** Swap `remove` for `add` in one manifest generation; on failure the new files go again. */
async function swap(store: TableStore, remove: readonly SealedBlock[], add: readonly SealedBlock[], advanceTo = 0): Promise<void> {
  try {
    await store.exclusive(() => store.replaceBlocks(remove, add, advanceTo));
  } catch (err) {
    await removeQuietly(store, add);
    throw err;
  }
}

function minTimeOfActive(store: TableStore): bigint | null {
  const active = store.blocks.activeBlock;
  if (active.rowCount === 0) return null;
  const times = active.columns[store.schema.timeIndex].values as BigInt64Array;
  let min = times[0];
  for (let i = 1; i < active.rowCount; i++) if (times[i] < min) min = times[i];
  return min;
}

/**
 * Remove every row with time < cutoff present now; returns how many. The active block is
 * sealed first when it holds such rows, and every block is written (so no removed row is left
 * only in the WAL); blocks wholly before the cutoff go, a block across it is rewritten.
 */
export function deleteBefore(store: TableStore, cutoff: bigint, read: BlockRowsReader): Promise<number> {
  const endSeq = store.blocks.rowCount;
  const activeMin = minTimeOfActive(store);
  // Sealed now, synchronously: rows appended after the call are not the call's to delete.
  // Under an outOfOrderWindow every row is sealed: the newest block's record of which rows it
  // left unsealed (its `late` field) may be removed or rewritten here, and replay would then
  // skip rows only the active block and the WAL hold.
  if ((activeMin !== null && activeMin < cutoff) || store.blocks.late !== null) store.blocks.seal();
  // The blocks present now (not those a late row seals later, even from rows taken back): a
  // late row may not take back the ones this call rewrites until it is done (reopen-tail.ts).
  const present = store.blocks.sealed.filter((b) => b.firstRowSeq < endSeq && b.minTime < cutoff);
  const late = store.blocks.late;
  late?.tail.pin(present);
  const run = store.lifecycle(async () => {
    await writeEverything(store, false);
    const doomed = store.blocks.sealed.filter((b) => present.includes(b));
    let removed = 0;
    const add: SealedBlock[] = [];
    const remove: SealedBlock[] = [];
    const rowsOf = new Map<SealedBlock, NormalizedBatch>();
    try {
      for (const b of doomed) {
        if (b.maxTime < cutoff) { remove.push(b); removed += b.rowCount; continue; }
        const kept = rowsFrom(await read(b), store.schema.timeIndex, cutoff);
        if (kept.rowCount === b.rowCount) continue;
        remove.push(b);
        removed += b.rowCount - kept.rowCount;
        if (kept.rowCount > 0) { const nb = await writeDerivedBlock(store, kept, b.firstRowSeq, endOf(b)); add.push(nb); rowsOf.set(nb, kept); }
      }
    } catch (err) {
      await removeQuietly(store, add);
      throw err;
    }
    if (remove.length > 0) await swap(store, remove, add);
    // A rewritten block a late row may need back: its rows are at hand.
    for (const [b, rows] of rowsOf) late?.rememberRows(b, rows);
    return removed;
  });
  return run.finally(() => late?.tail.unpin(present));
}

/**
 * Whether a late row may still take `b` back (its newest row is newer than newest − window):
 * retention and compact leave such blocks alone, so they never replace a block taken back.
 */
function mayComeBack(store: TableStore, b: SealedBlock): boolean {
  const late = store.blocks.late;
  return late !== null && late.state.newest !== null && b.maxTime > late.state.newest - late.state.window;
}

/**
 * Retention: the oldest sealed blocks wholly older than newest − retention are removed (whole
 * blocks; a block across the horizon stays until it is wholly older). Only blocks already
 * encoded, from the first one on: the WAL then resumes past them.
 */
export async function retentionPass(store: TableStore): Promise<number> {
  const span = store.settings.retention;
  const newest = store.blocks.lastTimestamp;
  if (span === null || newest === null) return 0;
  const horizon = newest - span;
  const remove: SealedBlock[] = [];
  // Under an outOfOrderWindow the newest block stays: its `late` record says where replay starts.
  const candidates = store.blocks.late === null ? store.blocks.sealed : store.blocks.sealed.slice(0, -1);
  for (const b of candidates) {
    if (b.zoneMap === null || b.raw !== null || b.maxTime >= horizon || mayComeBack(store, b) || b.replaces != null) break;
    remove.push(b);
  }
  if (remove.length === 0) return 0;
  await swap(store, remove, [], endOf(remove[remove.length - 1]));
  return remove.reduce((n, b) => n + b.rowCount, 0);
}

/** Run a retention pass after a block settles, one at a time, never on the append path. */
export function startRetention(store: TableStore): void {
  let queued = false;
  store.onBlockSettled = () => {
    if (queued || store.settings.retention === null || store.isClosed) return;
    queued = true;
    store.lifecycle(async () => {
      queued = false;
      if (!store.isClosed) await retentionPass(store);
      store.retentionError = null;
    }).catch((err: unknown) => { store.retentionError = err instanceof Error ? err : new Error(String(err)); }); // retried after the next seal; flush() reports it
  };
}

/**
 * Merge runs of adjacent sealed blocks into blocks of up to maxBlockSize rows. Every sealed
 * block is written first; blocks sealed while this runs are left for the next compaction.
 */
export function compact(store: TableStore, read: BlockRowsReader): Promise<{ blocksBefore: number; blocksAfter: number }> {
  return store.lifecycle(async () => {
    await writeEverything(store, false);
    // Under an outOfOrderWindow the newest block is not merged: its `late` record says where replay starts.
    const sealed = store.blocks.late === null ? store.blocks.sealed : store.blocks.sealed.slice(0, -1);
    const list = sealed.filter((b) => b.file !== null && !mayComeBack(store, b));
    const blocksBefore = store.blocks.sealed.length;
    const max = store.blocks.maxBlockSize;
    const groups: SealedBlock[][] = [];
    let run: SealedBlock[] = [];
    let rows = 0;
    for (const b of list) {
      if (run.length > 0 && rows + b.rowCount > max) { if (run.length > 1) groups.push(run); run = []; rows = 0; }
      run.push(b);
      rows += b.rowCount;
    }
    if (run.length > 1) groups.push(run);
    if (groups.length === 0) return { blocksBefore, blocksAfter: blocksBefore };
    const add: SealedBlock[] = [];
    try {
      for (const g of groups) {
        const parts = [];
        for (const b of g) parts.push(await read(b));
        add.push(await writeDerivedBlock(store, concatBatches(parts), g[0].firstRowSeq, endOf(g[g.length - 1])));
      }
    } catch (err) {
      await removeQuietly(store, add);
      throw err;
    }
    const remove = groups.flat();
    await swap(store, remove, add);
    return { blocksBefore, blocksAfter: blocksBefore - remove.length + add.length };
  });
}
