export { open, Database, type OpenOptions } from './database.js';
export { Table, type CreateTableOptions } from './table.js';
export { Reader } from './reader.js';
export type { RowValue } from './rows.js';
export type {
  TableSchema, ColumnDef, ColumnType, CompareOp, RowOf, RowInputOf, BatchInputOf,
} from '@backtracedb/engine';
