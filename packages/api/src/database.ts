// Database: a directory of tables sharing one worker pool, held by one writer (LOCK file).
import { join, resolve } from 'node:path';
import {
  acquireLock, createTableStore, isSafeName, nodeStorage, openTableStore, ReadOnlyTableStore, resolveSchema, tableDir, tableSettingsFrom,
  DEFAULT_MAX_PENDING_SEALS, finishDropWhenUnleased, isDropped, markDropped, TABLE_FILE, type DbLock, type RecoveryReport, type Storage, type TableSchema,
} from '@backtracedb/engine';
import { createPool, defaultPoolSize, type BlockPool } from './pool.js';
import { checkOpenOptions } from './open-options.js';
import { Table, type CreateTableOptions } from './table.js';
import { BlockCache, DEFAULT_CACHE_BYTES } from './block-cache.js';
import { wholeBlockReader } from './read/whole-block.js';

export interface OpenOptions {
  /**
   * Worker threads for scanning, and as many for encoding (default: the machine's cores).
   * 0: no threads; scans and encodes run on the calling thread (one-shot tools).
   */
  poolSize?: number;
  /** WAL group-commit delay: without sync(), appended rows reach the disk within this (default 5 ms). */
  walFlushDelayMs?: number;
  /**
   * Sealed blocks that may be encoding or waiting to be written at once (default 2). A seal
   * past it waits for an encoder thread; 0 encodes every block on the appending thread.
   */
  maxPendingSeals?: number;
  /** The file-system seam (default: node:fs). Tests pass a fault-injecting one. */
  storage?: Storage;
  /** Share a pool between databases (it is then not destroyed by close()). */
  pool?: BlockPool;
  /**
   * Open without the writer lock and without changing any file, next to a live writer (another
   * process or this one). Every reader sees the rows the writer had acknowledged before it
   * began; writes throw. The directory must exist. Default false.
   */
  readOnly?: boolean;
  /** Byte budget of the decoded-block cache (LRU); 0 turns it off. Default 256 MiB. */
  cacheBytes?: number;
}

export const DEFAULT_WAL_FLUSH_DELAY_MS = 5;

export class Database {
  private readonly tables = new Map<string, Table<TableSchema>>();
  private closed = false;
  /** What the last openTable recovered (rows replayed, damaged WAL parts moved aside). */
  lastRecovery: RecoveryReport | null = null;

  /** @internal Use open(). */
  constructor(
    readonly path: string,
    private readonly storage: Storage,
    private readonly pool: BlockPool,
    private readonly ownsPool: boolean,
    /** Null for a read-only database: it takes no lock. */
    private readonly lock: DbLock | null,
    private readonly opts: Required<Pick<OpenOptions, 'walFlushDelayMs' | 'maxPendingSeals'>>,
    /** The decoded-block cache shared by this database's tables. */
    readonly cache: BlockCache,
  ) {}

  private assertOpen(): void {
    if (this.closed) throw new Error(`database ${this.path}: the database is closed`);
  }

  /** Whether this database was opened with `readOnly: true`. */
  get readOnly(): boolean { return this.lock === null; }

  private assertWritable(what: string): void {
    if (this.readOnly) throw new Error(`database ${this.path}: cannot ${what}: the database is open read-only`);
  }

  private context() {
    return { storage: this.storage, dbDir: this.path, encoder: this.pool, walFlushDelayMs: this.opts.walFlushDelayMs, maxPendingSeals: this.opts.maxPendingSeals, readBlock: wholeBlockReader(this.pool, this.storage) };
  }

  /** Create a table; it must not exist yet. */
  async createTable<const S extends TableSchema>(schema: S, options: CreateTableOptions = {}): Promise<Table<S>> {
    this.assertOpen();
    this.assertWritable('createTable');
    const resolved = resolveSchema(schema);
    // Checked before anything is created: a bad option leaves no table directory behind.
    const settings = tableSettingsFrom(`table "${resolved.name}"`, options);
    if (this.tables.has(resolved.name)) throw new Error(`table "${resolved.name}": already exists in ${this.path}`);
    // A name dropped here whose files wait for readers: creating it again finishes that drop.
    this.dropsInFlight.delete(resolved.name);
    // No scan threads for a new table: it is written first; the first query starts them.
    const durable = await createTableStore(this.context(), schema, settings);
    const table = new Table<S>(durable, this.pool, this.cache);
    this.tables.set(resolved.name, table as unknown as Table<TableSchema>);
    return table;
  }

  /** Reopen a table: by schema (checked against the stored one) or by name. Replays its WAL. */
  async openTable<const S extends TableSchema>(schema: S): Promise<Table<S>>;
  async openTable(name: string): Promise<Table<TableSchema>>;
  async openTable(schemaOrName: TableSchema | string, ...rest: unknown[]): Promise<Table<TableSchema>> {
    this.assertOpen();
    const name = typeof schemaOrName === 'string' ? schemaOrName : resolveSchema(schemaOrName).name;
    if (rest.some((r) => r !== undefined)) {
      const label = isSafeName(name) ? `"${name}"` : JSON.stringify(name);
      throw new Error(`table ${label}: openTable takes no options (settings are stored with the table; change them with its setters)`);
    }
    if (this.tables.has(name)) throw new Error(`table "${name}": already open in ${this.path}`);
    // Dropped here, its files kept for readers still running: gone, but not to be removed under them.
    if (this.dropsInFlight.has(name)) throw new Error(`table "${name}": does not exist in ${this.path} (dropped)`);
    this.pool.warm();
    let table: Table<TableSchema>;
    if (this.readOnly) {
      table = new Table<TableSchema>(await ReadOnlyTableStore.open(this.context(), schemaOrName), this.pool, this.cache);
    } else {
      const { table: durable, report } = await openTableStore(this.context(), schemaOrName);
      this.lastRecovery = report;
      table = new Table<TableSchema>(durable, this.pool, this.cache);
    }
    this.tables.set(name, table);
    return table;
  }

  /**
   * Drop a table, durably: its rows and files are gone, openTable then throws, and the same
   * name can be created again. An open Table object of it refuses further use.
   */
  /** Tables dropped here whose files wait for readers still running on them. */
  private readonly dropsInFlight = new Set<string>();

  async dropTable(name: string): Promise<void> {
    this.assertOpen();
    const label = typeof name === 'string' && isSafeName(name) ? `"${name}"` : JSON.stringify(String(name));
    if (typeof name !== 'string' || !isSafeName(name)) throw new Error(`table ${label}: dropTable: invalid table name`);
    this.assertWritable('dropTable');
    const dir = tableDir(this.path, name);
    const open = this.tables.get(name);
    if (open === undefined && ((await isDropped(this.storage, dir)) || (await this.storage.sizeOf(join(dir, TABLE_FILE))) === null)) {
      throw new Error(`table "${name}": does not exist in ${this.path}`);
    }
    if (open === undefined) {
      await markDropped(this.storage, dir);
      await this.finishDrop(name);
      return;
    }
    await open.settleInternal();
    open.abandonInternal(`the table was dropped from ${this.path}`);
    this.tables.delete(name);
    // Gone durably once the marker is written; its files go once the readers already running
    // on it have finished (they keep their answer). Not awaited: a reader that is never
    // finished would hold the drop; the next open or create of the name finishes it anyway.
    await markDropped(this.storage, dir);
    if (open.readersInFlightInternal > 0) {
      this.dropsInFlight.add(name);
      open.afterReadersInternal(() => { void this.finishDrop(name); });
      return;
    }
    await this.finishDrop(name);
  }

  /**
   * Remove a dropped table's files once no reader still reads them: those of this process
   * have finished; readers of other processes (read-only opens) hold read leases in it, and
   * the directory goes once none is left (not awaited: retried on a timer).
   */
  private finishDrop(name: string): Promise<void> {
    this.dropsInFlight.add(name);
    return finishDropWhenUnleased(this.storage, this.path, name, () => {
      this.dropsInFlight.delete(name);
      this.cache.dropPrefix(`${tableDir(this.path, name)}/`);
    });
  }

  /** Names of the tables open in this database object. */
  get openTables(): string[] {
    return [...this.tables.keys()];
  }

  /** Directory of a table. */
  tablePath(name: string): string {
    return tableDir(this.path, name);
  }

  /** Persist every table (the active block becomes a block), release the lock, stop the pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: Error[] = [];
    for (const t of this.tables.values()) {
      try {
        await t.closeInternal();
      } catch (err) {
        errors.push(err as Error);
        t.abandonInternal();
      }
    }
    try {
      await this.lock?.release(); // even when it fails, this process no longer counts as holding it
    } catch (err) {
      errors.push(err as Error);
    }
    if (this.ownsPool) await this.pool.destroy();
    if (errors.length > 0) throw new Error(`database ${this.path}: close failed: ${errors.map((e) => e.message).join('; ')}`);
  }
}

/** Open (or create) a database directory and take its writer lock. */
export async function open(path: string, options: OpenOptions = {}): Promise<Database> {
  if (typeof path !== 'string' || path.length === 0) throw new Error('open: the database path must be a non-empty string');
  // Every option is checked before the directory is created or locked.
  const o = checkOpenOptions(options);
  const dir = resolve(path);
  const storage = o.storage ?? nodeStorage;
  const cache = new BlockCache(o.cacheBytes ?? DEFAULT_CACHE_BYTES);
  const walFlushDelayMs = o.walFlushDelayMs ?? DEFAULT_WAL_FLUSH_DELAY_MS;
  if (o.readOnly === true) {
    // No lock, no directory created, nothing written: only reads.
    if ((await storage.sizeOf(dir)) === null && (await storage.list(dir)).length === 0) throw new Error(`open: database ${dir} does not exist (a read-only open creates nothing)`);
    const pool = o.pool ?? createPool(o.poolSize ?? defaultPoolSize());
    pool.warm();
    return new Database(dir, storage, pool, o.pool === undefined, null, { walFlushDelayMs, maxPendingSeals: o.maxPendingSeals ?? DEFAULT_MAX_PENDING_SEALS }, cache);
  }
  await storage.mkdirp(dir);
  // The lock lives in the directory itself, so every path to it (a symlink, another thread
  // of this process) meets the same lock; errors name the real path.
  const lock = await acquireLock(storage, dir);
  let pool = o.pool;
  const ownsPool = pool === undefined;
  const maxPendingSeals = o.maxPendingSeals ?? DEFAULT_MAX_PENDING_SEALS;
  try {
    pool ??= createPool(o.poolSize ?? defaultPoolSize());
    // Threads start when needed: scan threads with openTable or the first query (scans run on
    // this thread until one is up), encoder threads with the first sealed block.
    if (maxPendingSeals === 0) await pool.loadInlineEncoder();
  } catch (err) {
    await lock.release();
    throw err;
  }
  return new Database(dir, storage, pool, ownsPool, lock, { walFlushDelayMs, maxPendingSeals }, cache);
}
