// The options of createTable, checked before anything is created, and the settings of a
// table as read back from table.json, checked the same way.
import { boolOption, checkOptionKeys, intOption } from './options.js';
import { DEFAULT_MAX_BLOCK_SIZE, DEFAULT_ROW_GROUP_ROWS, MAX_BLOCK_SIZE_LIMIT } from './table-blocks.js';
import type { TableSettings } from './table-meta.js';

export const CREATE_TABLE_OPTION_KEYS: readonly string[] = ['enableWal', 'maxBlockSize', 'useDiskStorage', 'rowGroupRows'];

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
  };
}
