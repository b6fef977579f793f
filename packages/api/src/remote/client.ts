// openInWorker: the whole database in a worker thread, driven through comlink, so the
// caller's event loop never blocks on ingest or queries. Same API as open(), every call
// returning a promise. Single-row appends are gathered and cross the boundary in batches.
import { INT64_MAX, INT64_MIN } from '@backtracedb/engine';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import * as arrow from 'apache-arrow';
import {
  noteThreadExited, resolveSchema,
  type BatchInputOf, type CompareOp, type ResolvedSchema, type RowInputOf, type RowOf, type TableSchema,
} from '@backtracedb/engine';
import type { OpenOptions } from '../database.js';
import type { CreateTableOptions } from '../table.js';
import type { RowValue } from '../rows.js';
import { columnsFromArrow } from '../arrow-in.js';
import { checkOpenOptions } from '../open-options.js';
import type { EngineWorkerApi } from './protocol.js';
import { RemoteReader } from './remote-reader.js';

export { RemoteReader } from './remote-reader.js';

/** Rows gathered before a batch crosses to the worker without waiting for the next tick. */
export const REMOTE_APPEND_BATCH_ROWS = 16_384;

type Remote = Comlink.Remote<EngineWorkerApi>;

/**
 * Appends gathered for one crossing. Numeric columns fill typed arrays while every value has
 * the right type and range (the crossing then copies memory instead of cloning values one by
 * one); the first misfit turns that column into a plain array, so the worker sees the value
 * as given and reports it exactly as a local append would.
 */
interface PendingColumn { typed: BigInt64Array | Float64Array | null; plain: unknown[] | null }
interface Pending { columns: Map<string, PendingColumn>; count: number; settle: Array<{ resolve: () => void; reject: (e: Error) => void }> }


function put(col: PendingColumn, type: string | undefined, at: number, v: unknown): void {
  const t = col.typed;
  if (t !== null) {
    if (type === 'int64' && typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX) { (t as BigInt64Array)[at] = v; return; }
    if (type === 'float64' && typeof v === 'number') { (t as Float64Array)[at] = v; return; }
    col.plain = Array.from(t.subarray(0, at) as ArrayLike<unknown>);
    col.typed = null;
  }
  (col.plain as unknown[])[at] = v;
}

export class RemoteTable<S extends TableSchema = TableSchema> {
  private pending: Pending | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  /** Errors of appends nobody awaited, reported by the next sync(). */
  private readonly rejected: string[] = [];
  readonly schema: ResolvedSchema;

  /** @internal */
  constructor(readonly remote: Remote, schema: TableSchema, private readonly db: { readonly closed: boolean } = { closed: false }) {
    this.schema = resolveSchema(schema);
  }

  get name(): string { return this.schema.name; }

  /** After the database's close() the worker is gone: say so instead of "Proxy has been released". */
  private assertOpen(): void {
    if (this.db.closed) throw new Error(`table "${this.name}": the database is closed`);
  }

  /** Resolves once the row is appended in the worker; rejects with the same error a local append throws. */
  append(row: RowInputOf<S>): Promise<void> {
    if (this.db.closed) {
      const closed = Promise.reject(new Error(`table "${this.name}": the database is closed`));
      closed.catch(() => undefined); // as for other appends: fire-and-forget callers see it on sync()
      return closed;
    }
    let p = this.pending;
    if (p === null) {
      const columns = new Map<string, PendingColumn>();
      for (const c of this.schema.columns) {
        const typed = c.type === 'int64' ? new BigInt64Array(REMOTE_APPEND_BATCH_ROWS) : c.type === 'float64' ? new Float64Array(REMOTE_APPEND_BATCH_ROWS) : null;
        columns.set(c.name, { typed, plain: typed === null ? [] : null });
      }
      p = { columns, count: 0, settle: [] };
      this.pending = p;
      const mine = p;
      setImmediate(() => { if (this.pending === mine) this.send(); });
    }
    const r = row as Record<string, unknown>;
    const at = p.count;
    for (const c of this.schema.columns) put(p.columns.get(c.name) as PendingColumn, c.type, at, r[c.name]);
    // Unknown keys ride along under their own name, so the worker reports them exactly.
    for (const k in r) {
      if (!Object.prototype.hasOwnProperty.call(r, k) || this.schema.indexOf.has(k)) continue;
      let col = p.columns.get(k);
      if (col === undefined) { col = { typed: null, plain: [] }; p.columns.set(k, col); }
      (col.plain as unknown[])[at] = r[k];
    }
    p.count++;
    const done = new Promise<void>((resolve, reject) => p.settle.push({ resolve, reject }));
    // Callers may fire appends without awaiting each: a rejection is then reported by the
    // next sync() instead of surfacing as an unhandled rejection.
    done.catch(() => undefined);
    if (p.count >= REMOTE_APPEND_BATCH_ROWS) this.send();
    return done;
  }

  private send(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    const prev = this.inFlight;
    this.inFlight = prev.then(async () => {
      try {
        const columns: Record<string, unknown[] | BigInt64Array | Float64Array> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [name, col] of p.columns) {
          if (col.typed !== null) { const t = col.typed.slice(0, p.count); columns[name] = t; transfer.push(t.buffer); } else columns[name] = col.plain as unknown[];
        }
        const errors = await this.remote.appendRows(this.name, Comlink.transfer(columns, transfer), p.count);
        errors.forEach((e, i) => {
          if (e === null) { p.settle[i].resolve(); return; }
          this.rejected.push(e);
          p.settle[i].reject(new Error(e));
        });
      } catch (err) {
        for (const s of p.settle) s.reject(err as Error);
      }
    });
  }

  /** @internal Every append made so far has reached the worker. */
  async drain(): Promise<void> {
    this.assertOpen();
    this.send();
    await this.inFlight;
  }

  async appendBatch(columns: BatchInputOf<S>): Promise<number> {
    await this.drain();
    return this.remote.appendBatch(this.name, columns as Record<string, unknown>);
  }

  async appendArrow(data: arrow.Table | arrow.RecordBatch): Promise<number> {
    return this.appendBatch(columnsFromArrow(this.schema, data) as BatchInputOf<S>);
  }

  async sync(): Promise<void> {
    await this.drain();
    await this.remote.sync(this.name);
    const rejected = this.rejected.splice(0);
    if (rejected.length > 0) throw new Error(`${rejected.length} appended row${rejected.length === 1 ? ' was' : 's were'} rejected since the last sync(); the first: ${rejected[0]}`);
  }
  async flush(): Promise<void> { await this.drain(); await this.remote.flush(this.name); }

  /** `await tbl.rowCount`: includes every append made before it. */
  get rowCount(): Promise<number> { return this.drain().then(() => this.remote.state(this.name)).then((s) => s.rowCount); }
  get maxBlockSize(): Promise<number> { return this.drain().then(() => this.remote.state(this.name)).then((s) => s.maxBlockSize); }
  setMaxBlockSize(n: number): Promise<void> { return this.drain().then(() => this.remote.setMaxBlockSize(this.name, n)); }
  setUseDiskStorage(on: boolean): Promise<void> { return this.drain().then(() => this.remote.setUseDiskStorage(this.name, on)); }

  /** Remove every row with time < cutoff; resolves to how many (see Table.deleteBefore). */
  async deleteBefore(cutoff: bigint | number): Promise<number> { await this.drain(); return this.remote.deleteBefore(this.name, cutoff); }
  /** Merge adjacent sealed blocks (see Table.compact). */
  async compact(): Promise<{ blocksBefore: number; blocksAfter: number }> { await this.drain(); return this.remote.compact(this.name); }

  reader(): RemoteReader<RowOf<S>> {
    return new RemoteReader<RowOf<S>>(this as unknown as RemoteTable<TableSchema>);
  }

  async exportParquet(path: string, options: { filters?: ReadonlyArray<readonly [string, CompareOp, RowValue]> } = {}): Promise<number> {
    await this.drain();
    return this.remote.exportParquet(this.name, path, (options.filters ?? []).map(([c, op, v]) => [c, op, v]));
  }
}

export class RemoteDatabase {
  private readonly tables: Array<RemoteTable<TableSchema>> = [];
  /** Shared with its tables: after close() every call says the database is closed. */
  private readonly state = { closed: false };

  /** @internal */
  constructor(private readonly worker: Worker, private readonly remote: Remote, readonly path: string) {}

  private assertOpen(): void {
    if (this.state.closed) throw new Error(`database ${this.path}: the database is closed`);
  }

  async createTable<const S extends TableSchema>(schema: S, options: CreateTableOptions = {}): Promise<RemoteTable<S>> {
    this.assertOpen();
    const t = new RemoteTable<S>(this.remote, await this.remote.createTable(schema, options), this.state);
    this.tables.push(t as unknown as RemoteTable<TableSchema>);
    return t;
  }

  async openTable<const S extends TableSchema>(schema: S): Promise<RemoteTable<S>>;
  async openTable(name: string): Promise<RemoteTable<TableSchema>>;
  async openTable(schemaOrName: TableSchema | string): Promise<RemoteTable<TableSchema>> {
    this.assertOpen();
    const t = new RemoteTable<TableSchema>(this.remote, await this.remote.openTable(schemaOrName), this.state);
    this.tables.push(t);
    return t;
  }

  /** Drop a table durably (see Database.dropTable). */
  async dropTable(name: string): Promise<void> {
    this.assertOpen();
    await this.remote.dropTable(name);
  }

  /** Persist everything, release the lock and stop the worker. A second call does nothing. */
  async close(): Promise<void> {
    if (this.state.closed) return;
    try {
      for (const t of this.tables) await t.drain();
      await this.remote.close();
    } finally {
      this.state.closed = true;
      this.remote[Comlink.releaseProxy]();
      await this.worker.terminate();
    }
  }
}

/** Open (or create) a database in a worker thread. Same options as open(), minus `storage` and `pool`. */
export async function openInWorker(path: string, options: Omit<OpenOptions, 'storage' | 'pool'> = {}): Promise<RemoteDatabase> {
  // Checked here, before a worker starts; a storage or a pool cannot cross to the worker.
  for (const key of ['storage', 'pool']) {
    if (options !== null && typeof options === 'object' && key in options) throw new Error(`openInWorker: the ${key} option cannot cross to a worker thread (use open())`);
  }
  checkOpenOptions(options);
  if (typeof path !== 'string' || path.length === 0) throw new Error('open: the database path must be a non-empty string');
  const worker = new Worker(new URL('./worker-entry.js', import.meta.url));
  // Once the worker is gone, a lock it did not release (it crashed, or was terminated) is
  // stale for this thread; the id reads -1 after exit, so take it now.
  const thread = worker.threadId;
  worker.once('exit', () => noteThreadExited(thread));
  const remote = Comlink.wrap<EngineWorkerApi>(nodeEndpoint(worker));
  try {
    await remote.open(path, options);
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  return new RemoteDatabase(worker, remote, resolve(path));
}
