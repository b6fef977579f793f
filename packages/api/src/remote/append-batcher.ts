// Single-row appends of openInWorker, gathered and sent across the thread in batches.
//
// A row checked on this side with the engine's own row checker (against the time of the
// last row this table accepted) can only fail in the worker as part of its whole batch (the
// table closed, the disk full): such rows share one promise per batch instead of one each —
// per-row promises and their resolvers, alive until the batch returns, used to cost more in
// garbage collection than everything else in the loop together. While the last time is not
// known here (an appendBatch in flight, or just after one), rows take the exact slow path:
// one promise each, checked only in the worker.
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import { compileRowChecker, INT64_MAX, INT64_MIN, type ResolvedSchema, type RowChecker } from '@backtracedb/engine';
import type { EngineWorkerApi } from './protocol.js';

/** Rows gathered before a batch crosses to the worker without waiting for the next tick. */
export const REMOTE_APPEND_BATCH_ROWS = 16_384;

type Remote = Comlink.Remote<EngineWorkerApi>;
type Settler = { resolve: () => void; reject: (e: Error) => void };
type GatheredColumn = BigInt64Array | Float64Array | Uint8Array | unknown[];

/**
 * Checked rows (`settle` null, one shared outcome) or unchecked ones (one settler per row).
 * Unchecked numeric columns fill typed arrays while every value has the right type and range;
 * the first misfit turns the column into a plain array, so the worker sees the value as given
 * and reports it exactly as a local append would. Unknown keys ride along under their own name.
 */
interface Batch {
  readonly columns: Map<string, GatheredColumn>;
  /** Checked batches: the schema's columns in order, as `gather` writes them. */
  readonly ordered: GatheredColumn[];
  count: number;
  readonly settle: Settler[] | null;
  readonly shared: (Settler & { promise: Promise<void> }) | null;
}

const ignore = (): void => undefined;

type Gather = (columns: GatheredColumn[], values: readonly unknown[], at: number) => void;

/**
 * Writes a checked row's values into the batch's columns: generated per schema, so each
 * column's store is one monomorphic line (a loop over the columns switched on every value).
 */
function compileGather(schema: ResolvedSchema): Gather {
  const lines = schema.columns.map((c, i) => {
    const v = `values[${i}]`;
    if (c.nullable === true) return `columns[${i}][at] = ${v};`;
    switch (c.type) {
      case 'int64': return `{ const v = ${v}; columns[${i}][at] = typeof v === "bigint" ? v : BigInt(v); }`;
      case 'bool': return `columns[${i}][at] = ${v} === true ? 1 : 0;`;
      default: return `columns[${i}][at] = ${v};`;
    }
  });
  return new Function('columns', 'values', 'at', lines.join('\n')) as Gather;
}

function typedColumn(type: string, nullable: boolean, checked: boolean): GatheredColumn {
  if (nullable) return [];
  if (type === 'int64') return new BigInt64Array(REMOTE_APPEND_BATCH_ROWS);
  if (type === 'float64') return new Float64Array(REMOTE_APPEND_BATCH_ROWS);
  if (type === 'bool' && checked) return new Uint8Array(REMOTE_APPEND_BATCH_ROWS);
  return [];
}

/** Store an unchecked value, turning a typed column plain at the first value it cannot hold as given. */
function putUnchecked(batch: Batch, name: string, type: string | undefined, at: number, v: unknown): void {
  let col = batch.columns.get(name) ?? [];
  if (col instanceof BigInt64Array && type === 'int64' && typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX) { col[at] = v; return; }
  if (col instanceof Float64Array && type === 'float64' && typeof v === 'number') { col[at] = v; return; }
  if (!Array.isArray(col)) {
    col = Array.from(col.subarray(0, at) as ArrayLike<unknown>);
  }
  batch.columns.set(name, col);
  (col as unknown[])[at] = v;
}

export class AppendBatcher {
  private pending: Batch | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  /** Messages of rejected rows nobody awaited, reported by the next sync(). */
  readonly rejected: string[] = [];
  private readonly checkRow: RowChecker;
  private readonly gather: Gather;
  private readonly values: unknown[] = [];
  /** The newest time the worker's table holds, when known here (see the top of the file). */
  private lastTime: bigint | null;
  private timeKnown: boolean;
  private batchesInFlight = 0;
  private uncheckedRows = 0;
  private resyncing = false;

  /** `checkHere` false (a read-only database, which refuses every row before checking it): every row takes the slow path. */
  constructor(private readonly remote: Remote, private readonly schema: ResolvedSchema, lastTime: bigint | null, private readonly isClosed: () => boolean, private readonly checkHere = true) {
    this.checkRow = compileRowChecker(schema);
    this.gather = compileGather(schema);
    this.lastTime = lastTime;
    this.timeKnown = checkHere;
  }

  append(row: unknown): Promise<void> {
    if (!this.timeKnown) return this.appendUnchecked(row);
    let t: bigint;
    try {
      t = this.checkRow(row, this.lastTime, this.values);
    } catch (err) {
      this.rejected.push((err as Error).message);
      const failed = Promise.reject(err as Error);
      failed.catch(ignore); // fire-and-forget callers see it on sync()
      return failed;
    }
    this.lastTime = t;
    const batch = this.batch(true);
    this.gather(batch.ordered, this.values, batch.count++);
    if (batch.count >= REMOTE_APPEND_BATCH_ROWS) this.send();
    return (batch.shared as { promise: Promise<void> }).promise;
  }

  private appendUnchecked(row: unknown): Promise<void> {
    this.uncheckedRows++;
    const batch = this.batch(false);
    const at = batch.count;
    const r = (row ?? {}) as Record<string, unknown>;
    for (const c of this.schema.columns) putUnchecked(batch, c.name, c.type, at, typeof row === 'object' && row !== null ? r[c.name] : undefined);
    if (typeof row === 'object' && row !== null) {
      for (const k in r) if (Object.prototype.hasOwnProperty.call(r, k) && !this.schema.indexOf.has(k)) putUnchecked(batch, k, undefined, at, r[k]);
    }
    batch.count++;
    const done = new Promise<void>((resolve, reject) => (batch.settle as Settler[]).push({ resolve, reject }));
    done.catch(ignore); // a rejection nobody awaits is reported by the next sync()
    if (batch.count >= REMOTE_APPEND_BATCH_ROWS) this.send();
    return done;
  }

  /** The batch rows of this kind join; a pending batch of the other kind is sent first. */
  private batch(checked: boolean): Batch {
    if (this.pending !== null && (this.pending.settle === null) !== checked) this.send();
    if (this.pending !== null) return this.pending;
    const ordered = this.schema.columns.map((c) => typedColumn(c.type, c.nullable === true, checked));
    const columns = new Map<string, GatheredColumn>(this.schema.columns.map((c, i) => [c.name, ordered[i]]));
    let shared: Batch['shared'] = null;
    if (checked) {
      let resolve = ignore;
      let reject: (e: Error) => void = ignore;
      const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
      promise.catch(ignore);
      shared = { promise, resolve: () => resolve(), reject: (e) => reject(e) };
    }
    const batch: Batch = { columns, ordered, count: 0, settle: checked ? null : [], shared };
    this.pending = batch;
    setImmediate(() => { if (this.pending === batch) this.send(); });
    return batch;
  }

  private send(): void {
    const batch = this.pending;
    if (batch === null) return;
    this.pending = null;
    this.inFlight = this.inFlight.then(async () => {
      try {
        const columns: Record<string, unknown[] | BigInt64Array | Float64Array | Uint8Array> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [name, col] of batch.columns) {
          if (Array.isArray(col)) { columns[name] = col; continue; }
          const t = col.slice(0, batch.count);
          columns[name] = t;
          transfer.push(t.buffer as ArrayBuffer);
        }
        this.settle(batch, await this.remote.appendRows(this.schema.name, Comlink.transfer(columns, transfer), batch.count));
      } catch (err) {
        if (batch.shared !== null) batch.shared.reject(err as Error);
        for (const s of batch.settle ?? []) s.reject(err as Error);
      }
    });
  }

  private settle(batch: Batch, errors: ReadonlyArray<string | null>): void {
    if (batch.settle !== null) {
      errors.forEach((e, i) => {
        if (e === null) { (batch.settle as Settler[])[i].resolve(); return; }
        this.rejected.push(e);
        (batch.settle as Settler[])[i].reject(new Error(e));
      });
      return;
    }
    const failed = errors.filter((e): e is string => e !== null);
    const shared = batch.shared as Settler;
    if (failed.length === 0) { shared.resolve(); return; }
    this.rejected.push(...failed);
    if (failed.length === batch.count) { shared.reject(new Error(failed[0])); return; }
    // Only if the worker's table changed behind this side's back: say exactly what happened.
    shared.reject(new Error(`${failed.length} of ${batch.count} rows appended together were rejected (the first: ${failed[0]}); the other rows were appended`));
    this.timeKnown = false;
    void this.resync();
  }

  /** Every append made so far has reached the worker. */
  async drain(): Promise<void> {
    this.send();
    await this.inFlight;
  }

  /**
   * Run a call that appends in the worker (appendBatch) in program order with the rows around
   * it: after the rows gathered before it, before the rows appended after it. Rows meanwhile
   * take the exact slow path.
   */
  around<T>(call: () => Promise<T>): Promise<T> {
    this.batchesInFlight++;
    this.timeKnown = false;
    this.send();
    const result = this.inFlight.then(call);
    this.inFlight = result.then(ignore, ignore);
    return result.finally(() => {
      this.batchesInFlight--;
      void this.resync();
    });
  }

  /** Learn the worker's newest time once nothing else appends there; then rows are checked here again. */
  private async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      while (this.checkHere && !this.timeKnown && this.batchesInFlight === 0 && !this.isClosed()) {
        const seen = this.uncheckedRows;
        await this.drain();
        const { lastTimestamp } = await this.remote.state(this.schema.name);
        if (this.batchesInFlight === 0 && this.uncheckedRows === seen && this.pending === null) {
          this.lastTime = lastTimestamp;
          this.timeKnown = true;
        }
      }
    } catch {
      // The database closed meanwhile: rows stay on the slow path, which reports that.
    } finally {
      this.resyncing = false;
    }
  }
}
