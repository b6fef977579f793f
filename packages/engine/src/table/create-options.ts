// The options of createTable, checked before anything is created, and the settings of a
// table as read back from table.json, checked the same way.
import { describeSetting } from '../schema/schema.js';
import { boolOption, checkOptionKeys, intOption } from './options.js';
import { DEFAULT_MAX_BLOCK_SIZE, DEFAULT_ROW_GROUP_ROWS, MAX_BLOCK_SIZE_LIMIT } from './table-blocks.js';
import type { TableSettings } from './table-meta.js';

export const CREATE_TABLE_OPTION_KEYS: readonly string[] = ['enableWal', 'maxBlockSize', 'useDiskStorage', 'rowGroupRows', 'compression', 'retention', 'outOfOrderWindow'];

/** How sealed block files are compressed. */
export type Compression = 'none' | 'snappy' | 'zstd';
export const COMPRESSIONS: readonly Compression[] = ['none', 'snappy', 'zstd'];
/**
 * 'none', by measurement (bench/RESULTS.md, the full run: docs/parquet-subset.md): snappy
 * halves the bytes but ingested 23% slower and made cold scans 2.1x slower (and the first
 * query after open 2.5x slower); zstd is the smallest (about DuckDB's own file) at the same
 * scan cost. Smaller files are one setting away; the default keeps scans fastest.
 */
export const DEFAULT_COMPRESSION: Compression = 'none';

/** Largest time span a setting may hold: int64's range. */
const MAX_SPAN = (1n << 63n) - 1n;

export function compressionOption(where: string, name: string, v: unknown): Compression {
  if (typeof v !== 'string' || !(COMPRESSIONS as readonly string[]).includes(v)) {
    throw new Error(`${where}: unknown ${name} ${describeSetting(v)} (expected one of ${COMPRESSIONS.map((c) => `'${c}'`).join(', ')})`);
  }
  return v as Compression;
}

/** A span of time-column units: a bigint or a safe integer, from `min` to int64's largest. */
export function spanOption(where: string, name: string, v: unknown, min: bigint): bigint {
  const ok = (typeof v === 'bigint') || (typeof v === 'number' && Number.isSafeInteger(v));
  const n = ok ? BigInt(v as bigint | number) : null;
  if (n === null || n < min || n > MAX_SPAN) {
    throw new Error(`${where}: ${name} must be an integer number of time units (a bigint or a safe integer) from ${min} to ${MAX_SPAN}, got ${describeSetting(v)}`);
  }
  return n;
}

/** retention: null (keep everything) or a positive span. */
export function retentionOption(where: string, name: string, v: unknown): bigint | null {
  return v === null ? null : spanOption(where, name, v, 1n);
}

/**
 * Settings from `options` (defaults for the ones not given). `where` prefixes errors;
 * `prefix` goes before each option name (table.json says `settings.`).
 */
export function tableSettingsFrom(where: string, options: unknown, prefix = ''): TableSettings {
  const o = checkOptionKeys(where, options, CREATE_TABLE_OPTION_KEYS);
  const get = <T>(key: string, fallback: T, check: (name: string, v: unknown) => T): T => (o[key] === undefined ? fallback : check(`${prefix}${key}`, o[key]));
  return {
    enableWal: get('enableWal', false, (n, v) => boolOption(where, n, v)),
    useDiskStorage: get('useDiskStorage', false, (n, v) => boolOption(where, n, v)),
    maxBlockSize: get('maxBlockSize', DEFAULT_MAX_BLOCK_SIZE, (n, v) => intOption(where, n, v, 1, MAX_BLOCK_SIZE_LIMIT)),
    rowGroupRows: get('rowGroupRows', DEFAULT_ROW_GROUP_ROWS, (n, v) => intOption(where, n, v, 1, MAX_BLOCK_SIZE_LIMIT)),
    compression: get('compression', DEFAULT_COMPRESSION, (n, v) => compressionOption(where, n, v)),
    retention: get<bigint | null>('retention', null, (n, v) => retentionOption(where, n, v)),
    outOfOrderWindow: get('outOfOrderWindow', 0n, (n, v) => spanOption(where, n, v, 0n)),
  };
}
