// Public Table: the typed face of a DurableTable plus how its sealed blocks are read.
import {
  scanViews, viewsOf, schemaToJson,
  type BatchInputOf, type ColumnView, type DurableTable, type ResolvedSchema, type RowInputOf, type RowOf, type ScanRequest, type ScanResult, type SealedBlock, type TableSchema,
} from '@backtracedb/engine';
import { neededColumns } from '@backtracedb/workers';
import type { BlockCache } from './block-cache.js';
import type { BlockPool } from './pool.js';
import { Reader, type QuerySource, type Snapshot } from './reader.js';
import type * as arrow from 'apache-arrow';
import { columnsFromArrow } from './arrow-in.js';
import { writeParquetFile } from './export.js';
import type { RowValue } from './rows.js';
import type { CompareOp } from '@backtracedb/engine';

export interface CreateTableOptions {
  /** Log every append to the write-ahead log; sync() then makes rows durable. Default false. */
  enableWal?: boolean;
  /** Rows per block (default 10,000,000, as in the seed). */
  maxBlockSize?: number;
  /** Sealed blocks become .parquet files under <database>/<table>/. Default false. */
  useDiskStorage?: boolean;
  /** Rows per Parquet row group, each with its own zone map (default 65,536). */
  rowGroupRows?: number;
}

export class Table<S extends TableSchema = TableSchema> implements QuerySource {
  /** @internal Use Database.createTable / openTable. */
  constructor(
    private readonly durable: DurableTable,
    private readonly pool: BlockPool,
    private readonly cache: BlockCache,
  ) {}

  get name(): string { return this.durable.name; }
  get schema(): ResolvedSchema { return this.durable.schema; }
  /** The schema as plain JSON (as stored in table.json). */
  get schemaJson(): TableSchema { return (this.jsonSchema ??= schemaToJson(this.durable.schema)); }
  private jsonSchema: TableSchema | undefined;
  /** Number of rows in the table. */
  get rowCount(): number { return this.durable.core.rowCount; }
  get maxBlockSize(): number { return this.durable.core.maxBlockSize; }
  set maxBlockSize(n: number) { this.durable.maxBlockSize = n; }
  get useDiskStorage(): boolean { return this.durable.settings.useDiskStorage; }
  set useDiskStorage(on: boolean) { this.durable.useDiskStorage = on; } // checked there, with the value
  get enableWal(): boolean { return this.durable.settings.enableWal; }
  /** The time of the last row, or null for an empty table. */
  get lastTimestamp(): bigint | null { return this.durable.core.lastTimestamp; }
  get scanConcurrency(): number { return this.pool.threads * 4; }
  get poolThreads(): number { return this.pool.threads; }

  scanShared(views: ColumnView[], rowCount: number, req: ScanRequest): Promise<ScanResult> {
    return this.pool.scanViews({ kind: 'scan-views', views, rowCount, request: req });
  }
  /** Sealed blocks (memory and disk), for tools and tests. */
  get blockCount(): number { return this.durable.core.sealed.length; }

  /** Append one row. Throws (changing nothing) if the row does not fit the schema. */
  append(row: RowInputOf<S>): void {
    this.durable.append(row);
  }

  /** Append columns of equal length, all-or-nothing. Returns the number of rows appended. */
  appendBatch(columns: BatchInputOf<S>): number {
    return this.durable.appendBatch(columns);
  }

  /**
   * With the WAL: resolves once every row appended before the call is durable.
   * Without it: waits until sealed blocks are encoded (and written, with disk storage).
   */
  async sync(): Promise<void> {
    await this.durable.sync();
  }

  /** Seal the active block now and wait until every sealed block is encoded (and written). */
  async flush(): Promise<void> {
    if (this.durable.isClosed) throw new Error(`table "${this.name}": the table is closed`);
    this.durable.core.seal();
    await this.durable.core.flush();
    if (this.useDiskStorage) await this.durable.persistEncoded();
  }

  /** Append an apache-arrow Table or RecordBatch: same rules as appendBatch (exact types, no nulls). */
  appendArrow(data: arrow.Table | arrow.RecordBatch): number {
    return this.durable.appendBatch(columnsFromArrow(this.schema, data));
  }

  /**
   * Write the rows that pass `filters` (all rows without) to a Parquet file, atomically.
   * Returns the number of rows written.
   */
  async exportParquet(path: string, options: { filters?: ReadonlyArray<readonly [string, CompareOp, RowValue]>; select?: readonly string[] } = {}): Promise<number> {
    let r = this.reader() as unknown as Reader<Record<string, RowValue>>;
    for (const [c, op, v] of options.filters ?? []) r = r.filter(c, op, v);
    if (options.select !== undefined) r = r.select(options.select);
    const results: ScanResult[] = [];
    for await (const res of r.results(false)) results.push(res);
    return writeParquetFile(path, this.name, r.columnDefs(), results);
  }

  reader(): Reader<RowOf<S>> {
    if (this.durable.isClosed) throw new Error(`table "${this.name}": the table is closed`);
    return new Reader<RowOf<S>>(this);
  }

  snapshot(): Snapshot {
    const core = this.durable.core;
    const active = core.activeBlock;
    return { sealed: core.sealed.slice(), active, activeRows: active.rowCount };
  }

  async scanSealed(block: SealedBlock, rowGroups: number[] | null, req: ScanRequest): Promise<ScanResult> {
    const raw = block.raw;
    if (raw !== null) return scanViews(viewsOf(raw, block.rowCount), 0, block.rowCount, req);
    const key = `${this.durable.dir}/${block.firstRowSeq}:${block.checksum}`;
    const cached = this.cache.enabled ? this.cache.get(key) : undefined;
    if (cached !== undefined) return scanViews(cached.views, 0, cached.rowCount, req);
    const label = block.file !== null ? `${this.durable.dir}/${block.file}` : `memory block ${block.id} of table "${this.name}"`;
    // Fill the cache only from whole-block reads: a row-group-pruned read stays cheap.
    const keepDecoded = this.cache.enabled && rowGroups === null;
    const base = { kind: 'scan' as const, schema: this.schemaJson, rowGroups, request: req, label, expectedRows: block.rowCount, totalRowGroups: block.rowGroups?.length ?? 1, keepDecoded };
    let out;
    if (block.parquet === null && block.layout !== null) {
      // Read only the needed column chunks of the needed row groups; the worker checks their CRCs.
      const columns = keepDecoded ? this.schema.columns.map((_, i) => i) : neededColumns(req);
      const groups = rowGroups ?? block.layout.rowGroups.map((_, g) => g);
      const read = await this.durable.readChunks(block, groups, columns);
      out = await this.pool.scan({ ...base, parquet: new Uint8Array(0), checksum: null, chunks: { rowCounts: read.rowCounts, columns, chunks: read.chunks, crcs: read.crcs } });
    } else {
      // The worker verifies a file's checksum: off the main thread, in parallel.
      const { bytes: parquet, fromFile } = await this.durable.blockBytes(block, false);
      out = await this.pool.scan({ ...base, parquet, checksum: fromFile ? block.checksum : null, chunks: null }, fromFile && parquet.byteOffset === 0 && parquet.byteLength === parquet.buffer.byteLength);
    }
    if (out.decoded !== undefined) {
      this.cache.put(key, out.decoded, block.rowCount);
      delete out.decoded;
    }
    return out;
  }

  /** @internal */
  async closeInternal(): Promise<void> {
    this.cache.dropPrefix(`${this.durable.dir}/`);
    await this.durable.close();
  }

  /** @internal */
  abandonInternal(): void {
    this.durable.abandon();
  }
}
