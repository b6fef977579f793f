// Database: a directory of tables sharing one worker pool.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { resolveSchema, TableCore, type TableSchema } from '@backtracedb/engine';
import { createPool, defaultPoolSize, type BlockPool } from './pool.js';
import { Table, type CreateTableOptions } from './table.js';

export interface OpenOptions {
  /** Worker threads for encoding and scanning (default: the machine's cores). */
  poolSize?: number;
}

export class Database {
  private readonly tables = new Map<string, Table<TableSchema>>();
  private closed = false;

  /** @internal Use open(). */
  constructor(readonly path: string, private readonly pool: BlockPool) {}

  private assertOpen(): void {
    if (this.closed) throw new Error(`database ${this.path}: the database is closed`);
  }

  async createTable<const S extends TableSchema>(schema: S, options: CreateTableOptions = {}): Promise<Table<S>> {
    this.assertOpen();
    const resolved = resolveSchema(schema);
    if (this.tables.has(resolved.name)) throw new Error(`table "${resolved.name}": already exists in ${this.path}`);
    const core = new TableCore(resolved, this.pool, {
      maxBlockSize: options.maxBlockSize, maxPendingSeals: options.maxPendingSeals, rowGroupRows: options.rowGroupRows,
    });
    const table = new Table<S>(core, this.pool, options.useDiskStorage ?? false);
    this.tables.set(resolved.name, table as unknown as Table<TableSchema>);
    return table;
  }

  /** Flush every table and stop the worker pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const t of this.tables.values()) await t.closeInternal();
    } finally {
      await this.pool.destroy();
    }
  }
}

/** Open (or create) a database directory. */
export async function open(path: string, options: OpenOptions = {}): Promise<Database> {
  if (typeof path !== 'string' || path.length === 0) throw new Error('open: the database path must be a non-empty string');
  const dir = resolve(path);
  await mkdir(dir, { recursive: true });
  const pool = createPool(options.poolSize ?? defaultPoolSize());
  return new Database(dir, pool);
}
