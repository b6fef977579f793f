export { open, Database, type OpenOptions, DEFAULT_WAL_FLUSH_DELAY_MS } from './database.js';
export { Table, type CreateTableOptions } from './table.js';
export { createPool, type BlockPool } from './pool.js';
export { Reader, type ReaderStats } from './reader.js';
export type { RowValue } from './rows.js';
export type {
  TableSchema, ColumnDef, ColumnType, CompareOp, RowOf, RowInputOf, BatchInputOf,
} from '@backtracedb/engine';
export { openInWorker, RemoteDatabase, RemoteTable, RemoteReader } from './remote/client.js';
export type { FilterValue } from './reader.js';
export type { ReadOrder } from './reader.js';
export type { AggregateQuery } from './read/aggregate-query.js';
export type { LatestQuery } from './read/latest-query.js';
export type { AggregateSpec, AggValueSpec, FillMode } from './read/aggregate-spec.js';
export type { AggRow, AggValue } from './read/aggregate-merge.js';
export type { RemoteRowsQuery } from './remote/remote-queries.js';
