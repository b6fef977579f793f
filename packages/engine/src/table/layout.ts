// Where a table's files live inside the database directory. Names are validated by the
// schema (safe characters only), so every path below stays inside the database.
import { join } from 'node:path';

export const LOCK_FILE = 'LOCK';
export const TABLE_FILE = 'table.json';
/** The format-1 manifest, rewritten whole per block; read and migrated, never written. */
export const LEGACY_MANIFEST_FILE = 'manifest.json';
export const WAL_DIR = 'wal';
/** Read leases of read-only processes (reader-leases.ts): not data, never part of a snapshot. */
export const READERS_DIR = 'readers';
export const BLOCK_SUFFIX = '.parquet';
/** Suffix of the files the engine writes before renaming them into place. */
export const TEMP_SUFFIX = '.tmp';

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

/**
 * A block written to replace others (a rewrite by deleteBefore, a merge by compact) cannot take
 * the plain name, which the block it replaces holds until the new manifest is durable: it is
 * named `<first row>-<n>.parquet`, n unique per table. Unlisted, such a file is always a
 * leftover (its rows are in the blocks the manifest lists).
 */
export function derivedBlockFileName(firstRowSeq: number, n: number): string {
  return `${String(firstRowSeq).padStart(20, '0')}-${String(n).padStart(10, '0')}${BLOCK_SUFFIX}`;
}

export function parseDerivedBlockFileName(name: string): number | null {
  const m = /^(\d{20})-\d{10}\.parquet$/.exec(name);
  return m === null ? null : Number(m[1]);
}

/** The first row of a plain or derived block file name; null for any other name. */
export function parseAnyBlockFileName(name: string): number | null {
  return parseBlockFileName(name) ?? parseDerivedBlockFileName(name);
}

/** The manifest log of one generation (docs/manifest.md); the highest generation counts. */
export function manifestFileName(generation: number): string {
  return `manifest-${String(generation).padStart(10, '0')}.log`;
}

export function parseManifestFileName(name: string): number | null {
  const m = /^manifest-(\d{10})\.log$/.exec(name);
  return m === null ? null : Number(m[1]);
}
