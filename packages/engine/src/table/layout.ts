// Where a table's files live inside the database directory. Names are validated by the
// schema (safe characters only), so every path below stays inside the database.
import { join } from 'node:path';

export const LOCK_FILE = 'LOCK';
export const TABLE_FILE = 'table.json';
export const MANIFEST_FILE = 'manifest.json';
export const WAL_DIR = 'wal';
export const BLOCK_SUFFIX = '.parquet';

export function tableDir(dbDir: string, table: string): string {
  return join(dbDir, table);
}

/** Block files are named by their first row sequence number, zero-padded so names sort. */
export function blockFileName(firstRowSeq: number): string {
  return `${String(firstRowSeq).padStart(20, '0')}${BLOCK_SUFFIX}`;
}

export function parseBlockFileName(name: string): number | null {
  const m = /^(\d{20})\.parquet$/.exec(name);
  return m === null ? null : Number(m[1]);
}
