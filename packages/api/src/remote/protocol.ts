// What crosses the thread boundary of openInWorker: plain data, typed arrays handed over.
import type { ColumnView, Compression, Predicate, ScanResult, TableSchema } from '@backtracedb/engine';
import type { CreateTableOptions } from '../table.js';
import type { OpenOptions } from '../database.js';
import type { AggregateSpec } from '../read/aggregate-spec.js';
import type { RowValue } from '../rows.js';

export interface RemoteQuery {
  predicates: Predicate[];
  /** Column names, or null for all. */
  select: string[] | null;
  countOnly: boolean;
  limit: number | null;
  order?: 'asc' | 'desc';
  /** aggregate(spec) or latest(by): the answer comes back as row objects. */
  aggregate?: AggregateSpec<Record<string, RowValue>>;
  latest?: string[];
}

/** The engine API the worker exposes (one database per worker). */
export interface EngineWorkerApi {
  open(path: string, options: Omit<OpenOptions, 'storage' | 'pool'>): Promise<void>;
  createTable(schema: TableSchema, options: CreateTableOptions): Promise<TableSchema>;
  openTable(schemaOrName: TableSchema | string): Promise<TableSchema>;
  /** Appends rows (as one batch when all are good, else one by one); an error message per row (null = appended). */
  appendRows(table: string, columns: Record<string, unknown[] | BigInt64Array | Float64Array | Uint8Array>, count: number): Promise<Array<string | null>>;
  appendBatch(table: string, columns: Record<string, unknown>): Promise<number>;
  sync(table: string): Promise<void>;
  flush(table: string): Promise<void>;
  state(table: string): Promise<{ rowCount: number; maxBlockSize: number; useDiskStorage: boolean; lastTimestamp: bigint | null; compression: Compression; retention: bigint | null }>;
  setMaxBlockSize(table: string, n: number): Promise<void>;
  setUseDiskStorage(table: string, on: boolean): Promise<void>;
  setCompression(table: string, c: Compression): Promise<void>;
  setRetention(table: string, span: bigint | number | null): Promise<void>;
  query(table: string, q: RemoteQuery): Promise<{ count: number; results: ScanResult[]; rows?: Array<Record<string, RowValue | null>> }>;
  deleteBefore(table: string, cutoff: bigint | number): Promise<number>;
  compact(table: string): Promise<{ blocksBefore: number; blocksAfter: number }>;
  dropTable(name: string): Promise<void>;
  exportParquet(table: string, path: string, filters: Array<[string, string, unknown]>): Promise<number>;
  close(): Promise<void>;
}

export type { ColumnView };
