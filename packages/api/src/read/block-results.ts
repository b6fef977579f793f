// Per-block results of one read, in table order ('asc') or its exact reverse ('desc': the
// active block first, then sealed blocks newest first, each block's rows reversed), with an
// optional row limit. Block scans run ahead in a bounded window; with a limit the window
// starts at one scan and doubles while results fall short, so a small limit reads few blocks.
import type { ScanRequest, ScanResult } from '@backtracedb/engine';
import type { Snapshot, TableScanner } from './table-scanner.js';
import { headOf, reversedOf } from './result-slice.js';

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

export async function* blockResults(source: TableScanner, req: ScanRequest, shape: ReadShape, stats: RunStats): AsyncGenerator<ScanResult> {
  const snap = shape.snapshot ?? await source.snapshot();
  Object.assign(stats, { blocks: snap.sealed.length, blocksPruned: 0, rowGroupsDecoded: 0, activeRows: snap.activeRows, scansStarted: 0, blocksFromMetadata: 0 });
  if (shape.limit === 0) return;
  // Plans are made now, against the snapshot: each holds what it reads.
  const sealed: Array<() => Promise<ScanResult>> = [];
  const stopsEarly = shape.limit !== null || shape.ramp === true;
  for (const block of snap.sealed) {
    const plan = source.plan(block, req, !stopsEarly);
    switch (plan.kind) {
      case 'skip': stats.blocksPruned++; break;
      case 'known': sealed.push(() => Promise.resolve({ rowCount: plan.rows, columns: [] })); break;
      case 'partials': {
        stats.blocksFromMetadata++;
        const rows = plan.partials.reduce((n, p) => n + p.rows, 0);
        sealed.push(() => Promise.resolve({ rowCount: rows, columns: [], partials: plan.partials }));
        break;
      }
      case 'scan': sealed.push(() => source.execute(plan, req)); break;
    }
  }
  const active = source.activeTasks(snap, req);
  const desc = shape.order === 'desc';
  const tasks = desc ? [...active.reverse(), ...sealed.reverse()] : [...sealed, ...active];
  const maxWindow = Math.max(1, source.scanConcurrency);
  let window = shape.limit === null && shape.ramp !== true ? maxWindow : 1;
  let left = shape.limit ?? Infinity;
  const inFlight: Array<Promise<ScanResult>> = [];
  let next = 0;
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
    stats.rowGroupsDecoded += r.rowGroupsDecoded ?? 0;
    if (desc) r = reversedOf(r);
    if (r.rowCount >= left) {
      yield headOf(r, left);
      return;
    }
    left -= r.rowCount;
    window = Math.min(maxWindow, window * 2);
    yield r;
  }
}
