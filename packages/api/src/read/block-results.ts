// Per-block results of one read, in table order ('asc') or its exact reverse ('desc': the
// active block first, then sealed blocks newest first, each block's rows reversed), with an
// optional row limit. Block scans run ahead in a bounded window; with a limit the window
// starts at one scan and doubles while results fall short, so a small limit reads few blocks.
import type { ScanRequest, ScanResult } from '@backtracedb/engine';
import type { Snapshot, TableScanner } from './table-scanner.js';
import { headOf, reversedOf } from './result-slice.js';
import { sliceView } from '@backtracedb/engine';

export type ReadOrder = 'asc' | 'desc';

/** `direction`, checked where a reader (local or remote) is built. */
export function checkOrder(table: string, direction: unknown): ReadOrder {
  if (direction !== 'asc' && direction !== 'desc') throw new Error(`table "${table}": order must be 'asc' or 'desc', got ${JSON.stringify(String(direction))}`);
  return direction;
}

/** A row limit, checked where a reader (local or remote) is built. */
export function checkLimit(table: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new Error(`table "${table}": limit must be a non-negative integer, got ${String(n)}`);
  return n;
}

/** What a run did, filled in as it goes (Reader.stats). */
export interface RunStats {
  blocks: number;
  blocksPruned: number;
  rowGroupsDecoded: number;
  activeRows: number;
  /** Block scans started (sealed blocks and active-block slices). */
  scansStarted: number;
  /** Sealed blocks whose aggregate partials came from zone maps, without reading the block. */
  blocksFromMetadata: number;
}

export interface ReadShape {
  readonly order: ReadOrder;
  /** Stop after this many rows (null: all). */
  readonly limit: number | null;
  /** Start with one scan in flight and double, as with a limit (for reads that may stop early). */
  readonly ramp?: boolean;
  /** Read this snapshot instead of taking one now. */
  readonly snapshot?: Snapshot;
}

/** How often a read-only reader starts over when block files vanish under it. */
export const MAX_VANISHED_RETRIES = 20;

/** A block file a live writer removed (compacted, deleted) after the snapshot listed it. */
function vanished(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** What was already handed out, so a retry over a newer snapshot resumes after it (asc row reads). */
interface Delivered { yielded: boolean; throughSeq: number; blocks: Array<{ first: number; rows: number }>; left: number }

export async function* blockResults(source: TableScanner, req: ScanRequest, shape: ReadShape, stats: RunStats): AsyncGenerator<ScanResult> {
  let snap = shape.snapshot ?? await source.snapshot();
  const done: Delivered = { yielded: false, throughSeq: 0, blocks: [], left: shape.limit ?? Infinity };
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        yield* runSnapshot(source, req, shape, stats, snap, done, attempt > 0);
        return;
      } catch (err) {
        // Read-only, next to a live writer: catch up and resume (issue 12). Rows already
        // handed out are skipped by row sequence number, which compaction keeps.
        const resumable = !done.yielded || (shape.order === 'asc' && req.aggregate === undefined);
        if (!vanished(err) || !source.readsLiveWriter || attempt >= MAX_VANISHED_RETRIES || !resumable) throw err;
        if (!done.yielded) Object.assign(done, { throughSeq: 0, blocks: [], left: shape.limit ?? Infinity });
        snap.release?.();
        snap = await source.snapshot();
      }
    }
  } finally {
    snap.release?.();
  }
}

function endSeqOf(b: { firstRowSeq: number; rowCount: number; endRowSeq?: number }): number {
  return b.endRowSeq ?? b.firstRowSeq + b.rowCount;
}

/** Rows of `r` after its first `n` (a row result; a count only loses n). */
function dropHead(r: ScanResult, n: number): ScanResult {
  if (n <= 0) return r;
  if (n >= r.rowCount) return { ...r, rowCount: 0, columns: r.columns.map((c) => sliceView(c, 0, 0)) };
  return { ...r, rowCount: r.rowCount - n, columns: r.columns.map((c) => sliceView(c, n, r.rowCount)) };
}

async function* runSnapshot(source: TableScanner, req: ScanRequest, shape: ReadShape, stats: RunStats, snap: Snapshot, done: Delivered, resumed: boolean): AsyncGenerator<ScanResult> {
  Object.assign(stats, { blocks: snap.sealed.length, blocksPruned: 0, rowGroupsDecoded: 0, activeRows: snap.activeRows, scansStarted: 0, blocksFromMetadata: 0 });
  if (shape.limit === 0) return;
  // Plans are made now, against the snapshot: each holds what it reads.
  const sealed: Array<() => Promise<ScanResult>> = [];
  const seqs: Array<{ first: number; end: number; skip: number }> = [];
  const stopsEarly = shape.limit !== null || shape.ramp === true;
  for (const block of snap.sealed) {
    let skip = 0;
    if (resumed && done.yielded) {
      if (endSeqOf(block) <= done.throughSeq) continue;
      // A block merged from delivered and undelivered ones: its first rows were handed out.
      for (const d of done.blocks) if (d.first >= block.firstRowSeq && d.first < done.throughSeq) skip += d.rows;
    }
    const plan = source.plan(block, req, !stopsEarly);
    switch (plan.kind) {
      case 'skip': stats.blocksPruned++; break;
      case 'known': sealed.push(() => Promise.resolve({ rowCount: plan.rows, columns: [] })); seqs.push({ first: block.firstRowSeq, end: endSeqOf(block), skip }); break;
      case 'partials': {
        stats.blocksFromMetadata++;
        const rows = plan.partials.reduce((n, p) => n + p.rows, 0);
        sealed.push(() => Promise.resolve({ rowCount: rows, columns: [], partials: plan.partials }));
        seqs.push({ first: block.firstRowSeq, end: endSeqOf(block), skip });
        break;
      }
      case 'scan': sealed.push(() => source.execute(plan, req)); seqs.push({ first: block.firstRowSeq, end: endSeqOf(block), skip }); break;
    }
  }
  const active = source.activeTasks(snap, req);
  const desc = shape.order === 'desc';
  const tasks = desc ? [...active.reverse(), ...sealed.reverse()] : [...sealed, ...active];
  const maxWindow = Math.max(1, source.scanConcurrency);
  let window = shape.limit === null && shape.ramp !== true ? maxWindow : 1;
  const inFlight: Array<Promise<ScanResult>> = [];
  let next = 0;
  let taken = 0;
  // Next to a live writer, results that cannot resume part-way (aggregate partials, newest
  // first) are held until the read is whole, so a vanished file restarts it from scratch.
  const hold = source.readsLiveWriter && (req.aggregate !== undefined || desc);
  const held: ScanResult[] = [];
  while (next < tasks.length || inFlight.length > 0) {
    while (next < tasks.length && inFlight.length < window) {
      const p = tasks[next++]();
      stats.scansStarted++;
      p.catch(() => undefined); // surfaced when awaited in order below
      inFlight.push(p);
    }
    const head = inFlight.shift();
    if (head === undefined) continue;
    let r = await head;
    const seq = !desc && taken < seqs.length ? seqs[taken] : null;
    taken++;
    stats.rowGroupsDecoded += r.rowGroupsDecoded ?? 0;
    if (desc) r = reversedOf(r);
    if (seq !== null) {
      r = dropHead(r, seq.skip);
      done.blocks = done.blocks.filter((d) => d.first < seq.first);
      done.blocks.push({ first: seq.first, rows: r.rowCount + seq.skip });
      done.throughSeq = seq.end;
    }
    if (r.rowCount >= done.left) {
      held.push(headOf(r, done.left));
      break;
    }
    done.left -= r.rowCount;
    window = Math.min(maxWindow, window * 2);
    if (hold) { held.push(r); continue; }
    done.yielded = true;
    yield r;
  }
  if (held.length > 0) done.yielded = true;
  yield* held;
}
