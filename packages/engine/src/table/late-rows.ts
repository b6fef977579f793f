// The rules of a table with an outOfOrderWindow (docs/storage.md, "Late rows"). The active
// block stays in arrival order and append-only (the WAL captures it by sequence number, and
// readers in flight scan it unchanged); a seal takes the rows at or below a watermark
// (newest − window), stably sorted by time, and carries the rest, sorted, into the next
// active block. Every later row is at or above that watermark, so blocks sealed there never
// need a row inserted. flush(), close() without a WAL and deleteBefore seal past it (every
// row): a later row older than the newest sealed one takes the tail blocks back into the
// active block first (reopen-tail.ts), so blocks still follow each other in time order.
import type { ActiveBlock } from '../block/active-block.js';
import type { LateSeal } from '../block/sealed-block.js';
import { countAtOrBelow, gatherRows, timeOrder } from '../block/sorted-rows.js';
import type { ResolvedSchema } from '../schema/schema.js';
import { fail } from './validate.js';

export interface LateState {
  readonly window: bigint;
  /** The newest time ever appended (null: none). */
  newest: bigint | null;
  /** Time of the active block's last row in arrival order. */
  activeLast: bigint | null;
  /** Whether the active block's rows are in time order as they lie (readers then scan it as is). */
  activeSorted: boolean;
  /** Sequence numbers of the active block's first rows (carried over by a seal, or restored by replay); the rest are firstRowSeq + index. */
  seqs: number[];
  /** A reader's time-ordered copy of the active block, kept until the next append. */
  view: { source: ActiveBlock; rows: number; block: ActiveBlock } | null;
}

export function newLateState(window: bigint, newest: bigint | null): LateState {
  return { window, newest, activeLast: null, activeSorted: true, seqs: [], view: null };
}

/** Marks, in LateState.seqs, a row taken back from a sealed block: every seal takes it again (its WAL record may be gone). */
export const REOPENED_SEQ = -1;

/** Active block rows under a window: a full block plus room for the rows a seal leaves behind. */
export function lateCapacity(maxRows: number, limitRows: number): number {
  return Math.min(limitRows, maxRows * 2);
}

/** A seal is tried when the block reaches maxRows, then every eighth of a block. */
function sealStep(maxRows: number): number {
  return Math.max(1, Math.floor(maxRows / 8));
}

/** Rows that can be written before the next seal attempt. */
export function rowsUntilSealPoint(rows: number, maxRows: number): number {
  if (rows < maxRows) return maxRows - rows;
  const step = sealStep(maxRows);
  return step - ((rows - maxRows) % step);
}

export function isSealPoint(rows: number, maxRows: number): boolean {
  return rows >= maxRows && (rows - maxRows) % sealStep(maxRows) === 0;
}

/** The oldest time a new row may have (null: any): newest − window, whatever is sealed. */
export function oldestAllowed(st: Pick<LateState, 'newest' | 'window'>): bigint | null {
  return st.newest === null ? null : st.newest - st.window;
}

export function refuseLate(schema: ResolvedSchema, t: bigint, st: Pick<LateState, 'newest' | 'window'>, row: number | null): never {
  const at = row === null ? '' : `row ${row}: `;
  fail(schema, schema.timeColumn, `${at}time ${t} is too late: the newest row is at ${st.newest} and outOfOrderWindow is ${st.window}, so the oldest time accepted is ${oldestAllowed(st)}`);
}

/**
 * Check a batch's times, each against the newest before it, earlier rows of the batch
 * included; returns the oldest time of the batch (null when empty).
 */
export function checkLateTimes(schema: ResolvedSchema, times: BigInt64Array, n: number, st: LateState): bigint | null {
  let newest = st.newest;
  let oldest: bigint | null = null;
  for (let i = 0; i < n; i++) {
    const t = times[i];
    if (newest !== null && t < newest - st.window) refuseLate(schema, t, { newest, window: st.window }, i);
    if (newest === null || t > newest) newest = t;
    if (oldest === null || t < oldest) oldest = t;
  }
  return oldest;
}

export function fullBlockError(schema: ResolvedSchema, st: LateState, rows: number): Error {
  if (st.newest === null) {
    // The first batch of an empty table: it alone holds more rows than the block takes, all within the window.
    return new Error(`table "${schema.name}": the active block is full: the batch holds more rows within outOfOrderWindow ${st.window} of its newest row than the ${rows} the block takes, so none can be sealed; nothing was appended (raise maxBlockSize, lower outOfOrderWindow or append in smaller batches)`);
  }
  return new Error(`table "${schema.name}": the active block is full: its ${rows} rows are all within outOfOrderWindow ${st.window} of the newest row (at ${st.newest}), so none can be sealed; nothing was appended (raise maxBlockSize or lower outOfOrderWindow)`);
}

/** What the write loop drives: the real active block, or a dry run over times only. */
export interface LateSink {
  /** The block's times in arrival order (the first rows() of them). */
  times(): BigInt64Array;
  rows(): number;
  capacity(): number;
  /** Seal every row at or below `limit`. */
  seal(limit: bigint): void;
  /** The lowest limit a seal may have now (rows taken back from sealed blocks must all go again), or null. */
  minSeal(): bigint | null;
  /** Seal the rows at or below `limit` as part of those (written only once all of them are sealed again). */
  sealPart(limit: bigint): void;
  write(from: number, count: number): void;
}

/**
 * Seal at `limit` if at least `least` rows are at or below it, but at most about a block:
 * beyond maxRows rows the limit comes down to the time of the maxRows-th oldest (rows of equal
 * time go together). Returns whether it sealed.
 */
function trySeal(sink: LateSink, limit: bigint, least: number, maxRows: number): boolean {
  const times = sink.times();
  const n = sink.rows();
  const floor = sink.minSeal();
  const raised = (l: bigint): bigint => (floor !== null && floor > l ? floor : l);
  // Rows taken back from sealed blocks must all go in one seal: at a seal point, wait until the
  // watermark passes them; only a full block seals them early.
  if (floor !== null && limit < floor && least > 1) return false;
  limit = raised(limit);
  const k = countAtOrBelow(times, n, limit);
  if (k < least) return false;
  if (k > maxRows) {
    const sorted = times.slice(0, n).sort();
    limit = raised(sorted[maxRows - 1]);
  }
  sink.seal(limit);
  return true;
}

function oldestFrom(times: BigInt64Array, from: number, n: number): bigint {
  let min = times[from];
  for (let i = from + 1; i < n; i++) if (times[i] < min) min = times[i];
  return min;
}

/**
 * Write rows [0, n) (times given) under the seal rule: at each seal point, seal if a block's
 * worth of rows can go; before a row that finds the active block full, seal whatever can.
 * Returns the index of the first row that finds it full with nothing sealable (nothing from it
 * on is written), or -1. Every seal is at or below newest − window, so it is safe wherever it
 * falls; WAL replay may seal at other points than the appends did and still be exact.
 */
export function runLate(times: BigInt64Array, n: number, window: bigint, maxRows: number, newestBefore: bigint | null, sink: LateSink): number {
  let newest = newestBefore;
  let from = 0;
  while (from < n) {
    if (sink.rows() >= sink.capacity()) {
      const t = times[from];
      // Sealing the rows taken back from sealed blocks (all of them, up to `floor`) would put
      // them ahead of an older row of this write: seal only the rows at or below that row.
      const floor = sink.minSeal();
      const oldest = floor === null ? null : oldestFrom(times, from, n);
      if (oldest !== null && floor !== null && oldest < floor) {
        if (countAtOrBelow(sink.times(), sink.rows(), oldest) === 0) return from;
        sink.sealPart(oldest);
      } else if (!trySeal(sink, (newest === null || t > newest ? t : newest) - window, 1, maxRows)) return from;
    }
    const rows = sink.rows();
    const count = Math.min(n - from, sink.capacity() - rows, rowsUntilSealPoint(rows, maxRows));
    // A seal after maxBlockSize came down carries more rows than a block of the new size takes
    // (the next block is made just big enough): still full, seal again before writing.
    if (count === 0) continue;
    for (let i = from; i < from + count; i++) if (newest === null || times[i] > newest) newest = times[i];
    sink.write(from, count);
    from += count;
    // A whole block's worth, so a window holding many rows does not cut small blocks; only a
    // full active block (above) seals whatever it can.
    if (newest !== null && isSealPoint(sink.rows(), maxRows)) trySeal(sink, newest - window, maxRows, maxRows);
  }
  return -1;
}

/**
 * runLate over the times alone: whether a batch would find the block full (nothing changes).
 * `active`: the block's times as they would stand (rows taken back from sealed blocks first);
 * `minSeal`: the lowest limit of the first seal (those rows must all go again), or null.
 */
export function dryRunLate(active: BigInt64Array, rows: number, capacity: number, nextCapacity: number, times: BigInt64Array, n: number, window: bigint, maxRows: number, newest: bigint | null, minSeal: bigint | null = null): number {
  const buf = new BigInt64Array(Math.max(capacity, nextCapacity));
  buf.set(active.subarray(0, rows));
  let count = rows;
  let cap = capacity;
  let floor = minSeal;
  return runLate(times, n, window, maxRows, newest, {
    times: () => buf,
    rows: () => count,
    capacity: () => cap,
    minSeal: () => floor,
    sealPart: (limit) => {
      let k = 0;
      for (let i = 0; i < count; i++) if (buf[i] > limit) buf[k++] = buf[i];
      count = k;
      cap = nextCapacity;
    },
    seal: (limit) => {
      if (floor !== null && floor > limit) limit = floor;
      let k = 0;
      for (let i = 0; i < count; i++) if (buf[i] > limit) buf[k++] = buf[i];
      count = k;
      cap = nextCapacity;
      floor = null;
    },
    write: (from, c) => { buf.set(times.subarray(from, from + c), count); count += c; },
  });
}

/** Note rows [from, from + count) of `times` as appended to the active block. */
export function noteWritten(st: LateState, times: BigInt64Array, from: number, count: number): void {
  let last = st.activeLast;
  let newest = st.newest;
  let sorted = st.activeSorted;
  for (let i = from; i < from + count; i++) {
    const t = times[i];
    if (last !== null && t < last) sorted = false;
    last = t;
    if (newest === null || t > newest) newest = t;
  }
  st.activeLast = last;
  st.newest = newest;
  st.activeSorted = sorted;
  st.view = null;
}

export interface SplitSeal {
  /** The rows sealed, in time order. */
  readonly sealed: ActiveBlock;
  readonly minTime: bigint;
  readonly maxTime: bigint;
  /** The next active block: the rows left, in time order. */
  readonly next: ActiveBlock;
  readonly late: LateSeal;
}

/** Split `active` at `limit` (rows at or below it are sealed); null when none is. Updates `st`. */
export function splitActive(schema: ResolvedSchema, st: LateState, active: ActiveBlock, limit: bigint, nextCapacity: number): SplitSeal | null {
  const n = active.rowCount;
  const times = active.columns[schema.timeIndex].values as BigInt64Array;
  const order = st.activeSorted ? identity(n) : timeOrder(times, n);
  let k = 0;
  while (k < n && times[order[k]] <= limit) k++;
  if (k === 0 || st.newest === null) return null;
  // A whole block already in order is sealed as it is, as without a window.
  const sealed = k === n && st.activeSorted ? active : gatherRows(schema, active, order, 0, k, active.firstRowSeq, k);
  const next = gatherRows(schema, active, order, k, n, active.firstRowSeq + k, nextCapacity);
  const end = active.firstRowSeq + n;
  const seqs: number[] = [];
  let firstUnsealed = end;
  for (let j = k; j < n; j++) {
    const i = order[j];
    const seq = i < st.seqs.length ? st.seqs[i] : active.firstRowSeq + i;
    seqs.push(seq);
    // Rows taken back go in a later block of the same seal (LateWriter.seal), before this one counts.
    if (seq !== REOPENED_SEQ && seq < firstUnsealed) firstUnsealed = seq;
  }
  const maxTime = times[order[k - 1]];
  const late: LateSeal = { rowSeq: end, time: limit, firstUnsealedSeq: firstUnsealed, newest: st.newest };
  st.seqs = seqs;
  st.activeSorted = true;
  st.activeLast = k < n ? times[order[n - 1]] : null;
  st.view = null;
  return { sealed, minTime: times[order[0]], maxTime, next, late };
}

function identity(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** The active block's first `rows` rows in time order: the block itself when already in order, else a copy. */
export function timeOrderedView(schema: ResolvedSchema, st: LateState, active: ActiveBlock): { block: ActiveBlock; rows: number } {
  const rows = active.rowCount;
  if (st.activeSorted) return { block: active, rows };
  const v = st.view;
  if (v !== null && v.source === active && v.rows === rows) return v;
  const times = active.columns[schema.timeIndex].values as BigInt64Array;
  const block = gatherRows(schema, active, timeOrder(times, rows), 0, rows, active.firstRowSeq, rows);
  st.view = { source: active, rows, block };
  return st.view;
}
