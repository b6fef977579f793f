// openInWorker: the whole database in a worker thread, driven through comlink, so the
// caller's event loop never blocks on ingest or queries. Same API as open(), every call
// returning a promise. Single-row appends are gathered and cross the boundary in batches.
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import * as arrow from 'apache-arrow';
import {
  noteThreadExited, resolveSchema,
  type BatchInputOf, type CompareOp, type Compression, type ResolvedSchema, type RowInputOf, type RowOf, type TableSchema,
} from '@backtracedb/engine';
import type { OpenOptions } from '../database.js';
import type { CreateTableOptions } from '../table.js';
import type { RowValue } from '../rows.js';
import { columnsFromArrow } from '../arrow-in.js';
import { checkOpenOptions } from '../open-options.js';
import type { EngineWorkerApi } from './protocol.js';
import { AppendBatcher } from './append-batcher.js';
import { RemoteReader } from './remote-reader.js';

export { RemoteReader } from './remote-reader.js';
export { REMOTE_APPEND_BATCH_ROWS } from './append-batcher.js';

type Remote = Comlink.Remote<EngineWorkerApi>;

export class RemoteTable<S extends TableSchema = TableSchema> {
  private readonly appends: AppendBatcher;
  readonly schema: ResolvedSchema;

  /** @internal `lastTime`: the newest time the table holds (null: empty). */
  constructor(readonly remote: Remote, schema: TableSchema, private readonly db: { readonly closed: boolean; readonly readOnly?: boolean } = { closed: false }, lastTime: bigint | null = null) {
    this.schema = resolveSchema(schema);
    this.appends = new AppendBatcher(remote, this.schema, lastTime, () => db.closed, db.readOnly !== true);
  }

  get name(): string { return this.schema.name; }

  /** After the database's close() the worker is gone: say so instead of "Proxy has been released". */
  private assertOpen(): void {
    if (this.db.closed) throw new Error(`table "${this.name}": the database is closed`);
  }

  /**
   * Resolves once the row is appended in the worker; rejects with the same error a local
   * append throws. Rows gathered into one crossing may share one promise.
   */
  append(row: RowInputOf<S>): Promise<void> {
    if (this.db.closed) {
      const closed = Promise.reject(new Error(`table "${this.name}": the database is closed`));
      closed.catch(() => undefined); // as for other appends: fire-and-forget callers see it on sync()
      return closed;
    }
    return this.appends.append(row);
  }

  /** @internal Every append made so far has reached the worker. */
  async drain(): Promise<void> {
    this.assertOpen();
    await this.appends.drain();
  }

  async appendBatch(columns: BatchInputOf<S>): Promise<number> {
    this.assertOpen();
    return this.appends.around(() => this.remote.appendBatch(this.name, columns as Record<string, unknown>));
  }

  async appendArrow(data: arrow.Table | arrow.RecordBatch): Promise<number> {
    return this.appendBatch(columnsFromArrow(this.schema, data) as BatchInputOf<S>);
  }

  async sync(): Promise<void> {
    await this.drain();
    await this.remote.sync(this.name);
    const rejected = this.appends.rejected.splice(0);
    if (rejected.length > 0) throw new Error(`${rejected.length} appended row${rejected.length === 1 ? ' was' : 's were'} rejected since the last sync(); the first: ${rejected[0]}`);
  }
  async flush(): Promise<void> { await this.drain(); await this.remote.flush(this.name); }

  /** `await tbl.rowCount`: includes every append made before it. */
  get rowCount(): Promise<number> { return this.drain().then(() => this.remote.state(this.name)).then((s) => s.rowCount); }
  get maxBlockSize(): Promise<number> { return this.drain().then(() => this.remote.state(this.name)).then((s) => s.maxBlockSize); }
  setMaxBlockSize(n: number): Promise<void> { return this.drain().then(() => this.remote.setMaxBlockSize(this.name, n)); }
  setUseDiskStorage(on: boolean): Promise<void> { return this.drain().then(() => this.remote.setUseDiskStorage(this.name, on)); }
  get compression(): Promise<Compression> { return this.drain().then(() => this.remote.state(this.name)).then((s) => s.compression); }
  /** Compression of blocks sealed from now on (see Table.compression). */
  setCompression(c: Compression): Promise<void> { return this.drain().then(() => this.remote.setCompression(this.name, c)); }
  get retention(): Promise<bigint | null> { return this.drain().then(() => this.remote.state(this.name)).then((s) => s.retention); }
  /** Rows older than newest − span are removed as blocks seal (see Table.retention); null: keep all. */
  setRetention(span: bigint | number | null): Promise<void> { return this.drain().then(() => this.remote.setRetention(this.name, span)); }

  /** Remove every row with time < cutoff; resolves to how many (see Table.deleteBefore). */
  async deleteBefore(cutoff: bigint | number): Promise<number> { await this.drain(); return this.remote.deleteBefore(this.name, cutoff); }
  /** Merge adjacent sealed blocks (see Table.compact). */
  async compact(): Promise<{ blocksBefore: number; blocksAfter: number }> { await this.drain(); return this.remote.compact(this.name); }

  reader(): RemoteReader<RowOf<S>> {
    return new RemoteReader<RowOf<S>>(this as unknown as RemoteTable<TableSchema>);
  }

  async exportParquet(path: string, options: { filters?: ReadonlyArray<readonly [string, CompareOp, RowValue | Date]> } = {}): Promise<number> {
    await this.drain();
    return this.remote.exportParquet(this.name, path, (options.filters ?? []).map(([c, op, v]) => [c, op, v]));
  }
}

export class RemoteDatabase {
  private readonly tables: Array<RemoteTable<TableSchema>> = [];
  /** Shared with its tables: after close() every call says the database is closed. */
  private readonly state: { closed: boolean; readonly readOnly: boolean };

  /** @internal */
  constructor(private readonly worker: Worker, private readonly remote: Remote, readonly path: string, readOnly = false) {
    this.state = { closed: false, readOnly };
  }

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
    const json = await this.remote.openTable(schemaOrName);
    const { lastTimestamp } = await this.remote.state(json.name);
    const t = new RemoteTable<TableSchema>(this.remote, json, this.state, lastTimestamp);
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
  return new RemoteDatabase(worker, remote, resolve(path), (options as { readOnly?: unknown }).readOnly === true);
}
