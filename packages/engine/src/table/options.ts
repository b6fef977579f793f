// Checking options where they are given. An option of the wrong type used to be taken as
// it came ('true' for true, -1 rows per row group) and then stored, read back differently, or
// fed to a loop that never ends. Every check names where, the option and the value.
import { describeSetting } from '../schema/schema.js';

/** Largest block: keeps one column's shared buffer reservation ≤ 1 GiB. */
export const MAX_BLOCK_SIZE_LIMIT = 1 << 27;

/** `where` prefixes the message: 'open' or `table "name"`. */
export function intOption(where: string, name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new Error(`${where}: ${name} must be an integer from ${min} to ${max}, got ${describeSetting(v)}`);
  }
  return v;
}

export function numberOption(where: string, name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new Error(`${where}: ${name} must be a number from ${min} to ${max}, got ${describeSetting(v)}`);
  }
  return v;
}

export function boolOption(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error(`${where}: ${name} must be a boolean, got ${describeSetting(v)}`);
  return v;
}

/** A table setting (maxBlockSize, rowGroupRows, …) of table `table`. */
export function checkIntSetting(table: string, name: string, v: unknown, min: number, max: number): number {
  return intOption(`table "${table}"`, name, v, min, max);
}

/**
 * The options object itself: undefined (no options) or a plain object whose keys are all
 * known — a misspelt key would otherwise be ignored without a word.
 */
export function checkOptionKeys(where: string, options: unknown, known: readonly string[]): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${where}: options must be an object, got ${describeSetting(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown option ${JSON.stringify(key)} (known: ${known.join(', ')})`);
  }
  return options as Readonly<Record<string, unknown>>;
}
