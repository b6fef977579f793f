// Public Table: the typed face of a TableStore. How its blocks are read is the
// TableScanner's business (read/table-scanner.ts), which every Reader of the table shares.
import {
  schemaToJson, checkTimeArg, compact, deleteBefore, startRetention,
  ReadOnlyTableStore, type NormalizedBatch, type SealedBlock,
  type BatchInputOf, type TableStore, type ResolvedSchema, type RowInputOf, type RowOf, type ScanResult, type TableSchema,
} from '@backtracedb/engine';
import type { BlockCache } from './block-cache.js';
import type { BlockPool } from './pool.js';
import { Reader } from './reader.js';
import { TableScanner } from './read/table-scanner.js';
import { batchOfResult } from './read/whole-block.js';
import type * as arrow from 'apache-arrow';
import { columnsFromArrow } from './arrow-in.js';
import { writeParquetFile } from './export.js';
import type { RowValue } from './rows.js';
import type { CompareOp, Compression, NullOp } from '@backtracedb/engine';

export interface CreateTableOptions {
  /** Log every append to the write-ahead log; sync() then makes rows durable. Default false. */
  enableWal?: boolean;
  /** Rows per block (default 10,000,000, as in the seed). */
  maxBlockSize?: number;
  /** Sealed blocks become .parquet files under <database>/<table>/. Default false. */
  useDiskStorage?: boolean;
  /** Rows per Parquet row group, each with its own zone map (default 65,536). */
  rowGroupRows?: number;
  /** How sealed block files are compressed: 'none' | 'snappy' | 'zstd'. */
  compression?: Compression;
  /** Rows older than the newest time − retention (time units) are removed as blocks seal. */
  retention?: bigint | number | null;
  /** Rows may arrive up to this many time units older than the newest row (default 0). */
  outOfOrderWindow?: bigint | number;
}

export class Table<S extends TableSchema = TableSchema> {
  private readonly scanner: TableScanner;

  /** @internal Use Database.createTable / openTable. */
  constructor(
    private readonly store: TableStore | ReadOnlyTableStore,
    pool: BlockPool,
    private readonly cache: BlockCache,
  ) {
    const scanned = {
      name: store.name, dir: store.dir, schema: store.schema, storage: store.ctx.storage,
      // A reader's view: the sealed blocks as of now, and the active block's rows as of now.
      snapshot: () => {
        const blocks = store.blocks;
        const active = blocks.activeView(); // in time order: a copy while late rows break it
        return { sealed: blocks.sealed.slice(), active: active.block, activeRows: active.rows };
      },
      // Read-only: take the lease and catch up with the writer before each reader takes its snapshot.
      beginRead: store instanceof ReadOnlyTableStore ? () => store.beginRead() : null,
    };
    this.scanner = new TableScanner(scanned, this.schemaJson, pool, cache);
    if (!(store instanceof ReadOnlyTableStore)) {
      // Files replaced by deleteBefore, retention or compact go once earlier readers end.
      store.afterReaders = (fn) => this.scanner.leases.afterCurrent(fn);
      startRetention(store);
    }
  }

  /** Throws when the table is closed, or was dropped (saying so). */
  private assertUsable(): void {
    if (!this.store.isClosed) return;
    if (!(this.store instanceof ReadOnlyTableStore)) this.store.assertOpen();
    throw new Error(`table "${this.name}": the table is closed`);
  }

  /** Every row of a sealed block, read through the pool (deleteBefore and compact rebuild blocks from these). */
  private readonly readBlockRows = async (block: SealedBlock): Promise<NormalizedBatch> => {
    const req = { predicates: [], projection: this.schema.columns.map((_, i) => i), countOnly: false, timeColumn: this.schema.timeIndex };
    const plan = this.scanner.plan(block, req, false);
    if (plan.kind !== 'scan') throw new Error(`internal: table "${this.name}": a whole-block read was planned as ${plan.kind}`);
    return batchOfResult(await this.scanner.execute(plan, req));
  };

  private writable(what: string): Exclude<typeof this.store, ReadOnlyTableStore> {
    const s = this.store;
    if (s instanceof ReadOnlyTableStore) throw new Error(`table "${this.name}": cannot ${what}: the database ${s.ctx.dbDir} is open read-only`);
    s.assertOpen(); // closed, or dropped
    return s as Exclude<typeof this.store, ReadOnlyTableStore>;
  }

  /**
   * Remove every row with time < cutoff (exclusive: a row at exactly cutoff stays), durably;
   * returns how many rows were removed. Readers already running keep their answer.
   */
  async deleteBefore(cutoff: bigint | number): Promise<number> {
    const store = this.writable('deleteBefore');
    const at = checkTimeArg(this.name, 'deleteBefore: the cutoff', cutoff);
    return deleteBefore(store, at, this.readBlockRows);
  }

  /** Merge adjacent sealed blocks into blocks of up to maxBlockSize rows, durably. */
  async compact(): Promise<{ blocksBefore: number; blocksAfter: number }> {
    return compact(this.writable('compact'), this.readBlockRows);
  }

  get name(): string { return this.store.name; }
  get schema(): ResolvedSchema { return this.store.schema; }
  /** The schema as plain JSON (as stored in table.json). */
  get schemaJson(): TableSchema { return (this.jsonSchema ??= schemaToJson(this.store.schema)); }
  private jsonSchema: TableSchema | undefined;
  /** Number of rows in the table. */
  get rowCount(): number { return this.store.blocks.presentRowCount; }
  get maxBlockSize(): number { return this.store.blocks.maxBlockSize; }
  set maxBlockSize(n: number) { this.store.maxBlockSize = n; }
  get useDiskStorage(): boolean { return this.store.settings.useDiskStorage; }
  set useDiskStorage(on: boolean) { this.store.useDiskStorage = on; } // checked there, with the value
  get enableWal(): boolean { return this.store.settings.enableWal; }
  get compression(): Compression { return this.store.settings.compression; }
  set compression(c: Compression) { this.store.compression = c; }
  get retention(): bigint | null { return this.store.settings.retention; }
  set retention(span: bigint | number | null) {
    this.store.retention = span;
    if (!(this.store instanceof ReadOnlyTableStore)) this.store.onBlockSettled?.(); // apply it now, off this call
  }
  get outOfOrderWindow(): bigint { return this.store.settings.outOfOrderWindow; }
  /** The time of the last row, or null for an empty table. */
  get lastTimestamp(): bigint | null { return this.store.blocks.lastTimestamp; }
  /**
   * Blocks sealed since the table was opened, and how many of them the appending thread had to
   * encode itself because every encoder thread stayed busy past the backlog bound.
   */
  get sealStats(): { blocksSealed: number; blocksEncodedInline: number } { return this.store.blocks.sealStats; }
  /** Whether the table was opened through a read-only database. */
  get readOnly(): boolean { return this.store instanceof ReadOnlyTableStore; }
  /** Sealed blocks (memory and disk), for tools and tests. */
  get blockCount(): number { return this.store.blocks.sealed.length; }

  /** Append one row. Throws (changing nothing) if the row does not fit the schema. */
  append(row: RowInputOf<S>): void {
    this.store.append(row);
  }

  /** Append columns of equal length, all-or-nothing. Returns the number of rows appended. */
  appendBatch(columns: BatchInputOf<S>): number {
    return this.store.appendBatch(columns);
  }

  /**
   * With the WAL: resolves once every row appended before the call is durable.
   * Without it: waits until sealed blocks are encoded (and written, with disk storage).
   */
  async sync(): Promise<void> {
    await this.store.sync();
  }

  /** Seal the active block now and wait until every sealed block is encoded (and written). */
  async flush(): Promise<void> {
    this.assertUsable();
    if (this.store instanceof ReadOnlyTableStore) return this.store.persistEncoded(); // refuses
    this.store.blocks.seal();
    await this.store.blocks.waitUntilEncoded();
    if (this.useDiskStorage) await this.store.persistEncoded();
    if (this.store.settings.retention !== null) await this.store.lifecycle(async () => undefined); // the retention pass those seals queued
    const retention = this.store.retentionError;
    if (retention !== null) {
      this.store.retentionError = null;
      throw new Error(`table "${this.name}": removing rows by retention failed (it runs again after the next seal): ${retention.message}`);
    }
  }

  /** Append an apache-arrow Table or RecordBatch: same rules as appendBatch (exact types, no nulls). */
  appendArrow(data: arrow.Table | arrow.RecordBatch): number {
    return this.store.appendBatch(columnsFromArrow(this.schema, data));
  }

  /**
   * Write the rows that pass `filters` (all rows without) to a Parquet file, atomically.
   * Returns the number of rows written.
   */
  async exportParquet(path: string, options: { filters?: ReadonlyArray<readonly [string, CompareOp, RowValue | Date] | readonly [string, NullOp]>; select?: readonly string[] } = {}): Promise<number> {
    let r = this.reader() as unknown as Reader<Record<string, RowValue>>;
    for (const [c, op, v] of options.filters ?? []) r = r.where(c, op, v);
    if (options.select !== undefined) r = r.select(options.select);
    const results: ScanResult[] = [];
    for await (const res of r.results(false)) results.push(res);
    return writeParquetFile(path, this.schema, r.columnDefs(), results);
  }

  reader(): Reader<RowOf<S>> {
    this.assertUsable();
    return new Reader<RowOf<S>>(this.scanner);
  }

  /** @internal */
  async closeInternal(): Promise<void> {
    this.cache.dropPrefix(`${this.store.dir}/`);
    await this.store.close();
  }

  /** @internal */
  abandonInternal(reason?: string): void {
    if (this.store instanceof ReadOnlyTableStore) this.store.abandon();
    else this.store.abandon(reason);
  }

  /** @internal Readers between their snapshot and their end. */
  get readersInFlightInternal(): number {
    return this.scanner.leases.inFlight;
  }

  /** @internal Run `fn` once every reader in flight now has finished (a drop removes files then). */
  afterReadersInternal(fn: () => void): void {
    this.scanner.leases.afterCurrent(fn);
  }

  /** @internal Wait for lifecycle work in flight to end (before a drop). */
  async settleInternal(): Promise<void> {
    if (this.store instanceof ReadOnlyTableStore) return;
    await this.store.lifecycle(async () => undefined).catch(() => undefined);
    await this.store.exclusive(async () => undefined).catch(() => undefined);
  }
}
