// Public Table: the typed face of a TableCore plus how its sealed blocks are read.
import {
  scanViews, viewsOf, TableCore,
  type BatchInputOf, type ResolvedSchema, type RowInputOf, type RowOf, type ScanRequest, type ScanResult, type SealedBlock, type TableSchema,
} from '@backtracedb/engine';
import { schemaToJson } from '@backtracedb/engine';
import type { BlockPool } from './pool.js';
import { Reader, type QuerySource, type Snapshot } from './reader.js';

export interface CreateTableOptions {
  /** Log every append to the write-ahead log before it is acknowledged by sync(). Default false. */
  enableWal?: boolean;
  /** Rows per block (default 10,000,000, as in the seed). */
  maxBlockSize?: number;
  /** Sealed blocks become .parquet files under <database>/<table>/. Default false. */
  useDiskStorage?: boolean;
  /** Sealed blocks that may wait for the pool before appends encode inline (default 2). */
  maxPendingSeals?: number;
  /** Rows per Parquet row group, each with its own zone map (default 65,536). */
  rowGroupRows?: number;
}

export class Table<S extends TableSchema = TableSchema> implements QuerySource {
  private closed = false;

  /** @internal Use Database.createTable / openTable. */
  constructor(
    private readonly core: TableCore,
    private readonly pool: BlockPool,
    private disk: boolean,
  ) {}

  get name(): string { return this.core.schema.name; }
  get schema(): ResolvedSchema { return this.core.schema; }
  get schemaJson(): TableSchema { return schemaToJson(this.core.schema); }
  /** Number of rows in the table. */
  get rowCount(): number { return this.core.rowCount; }
  get maxBlockSize(): number { return this.core.maxBlockSize; }
  set maxBlockSize(n: number) { this.core.maxBlockSize = n; }
  get useDiskStorage(): boolean { return this.disk; }
  set useDiskStorage(on: boolean) {
    if (typeof on !== 'boolean') throw new Error(`table "${this.name}": useDiskStorage must be a boolean`);
    this.disk = on;
  }
  get scanConcurrency(): number { return this.pool.threads * 2; }

  private assertOpen(): void {
    if (this.closed) throw new Error(`table "${this.name}": the table is closed`);
  }

  /** Append one row. Throws (changing nothing) if the row does not fit the schema. */
  append(row: RowInputOf<S>): void {
    this.assertOpen();
    this.core.append(row);
  }

  /** Append columns of equal length, all-or-nothing. Returns the number of rows appended. */
  appendBatch(columns: BatchInputOf<S>): number {
    this.assertOpen();
    return this.core.appendBatch(columns);
  }

  /** Resolves when every row appended so far is durable (with the WAL) and sealed blocks are encoded. */
  async sync(): Promise<void> {
    this.assertOpen();
    await this.core.flush();
  }

  /** Seal the active block now and wait until every sealed block is encoded. */
  async flush(): Promise<void> {
    this.assertOpen();
    this.core.seal();
    await this.core.flush();
  }

  reader(): Reader<RowOf<S>> {
    this.assertOpen();
    return new Reader<RowOf<S>>(this);
  }

  snapshot(): Snapshot {
    const active = this.core.activeBlock;
    return { sealed: this.core.sealed.slice(), active, activeRows: active.rowCount };
  }

  async scanSealed(block: SealedBlock, rowGroups: number[] | null, req: ScanRequest): Promise<ScanResult> {
    const raw = block.raw;
    if (raw !== null) return scanViews(viewsOf(raw, block.rowCount), 0, block.rowCount, req);
    if (block.parquet !== null) {
      return this.pool.scan({
        kind: 'scan', parquet: block.parquet, schema: this.schemaJson, rowGroups, request: req,
        label: `memory block ${block.id} of table "${this.name}"`, expectedRows: block.rowCount,
      });
    }
    throw new Error(`table "${this.name}": block ${block.id} has no readable form`);
  }

  /** @internal */
  async closeInternal(): Promise<void> {
    if (this.closed) return;
    await this.core.flush();
    this.closed = true;
  }
}
