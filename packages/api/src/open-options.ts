// The options of open(): each checked where it is given, before anything touches the disk.
import { boolOption, checkOptionKeys, describeSetting, intOption, MAX_PENDING_SEALS_LIMIT, numberOption, type Storage } from '@backtracedb/engine';
import type { OpenOptions } from './database.js';
import { MAX_POOL_THREADS, type BlockPool } from './pool.js';

export const OPEN_OPTION_KEYS: readonly string[] = ['poolSize', 'walFlushDelayMs', 'maxPendingSeals', 'storage', 'pool', 'cacheBytes', 'readOnly'];
export const MAX_WAL_FLUSH_DELAY_MS = 10_000;

const STORAGE_METHODS = ['mkdirp', 'openWrite', 'readFile', 'readRange', 'sizeOf', 'list', 'rename', 'remove', 'syncDir'] as const;
const POOL_METHODS = ['submit', 'harvest', 'waitForOne', 'encodeInline', 'scan', 'warm', 'destroy'] as const;

function hasMethods(v: unknown, names: readonly string[]): boolean {
  return v !== null && typeof v === 'object' && names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function');
}

/** The given options, type-checked; absent ones stay undefined (the caller's defaults apply). */
export function checkOpenOptions(options: unknown): OpenOptions {
  const o = checkOptionKeys('open', options, OPEN_OPTION_KEYS);
  const out: OpenOptions = {};
  if (o.poolSize !== undefined) out.poolSize = intOption('open', 'poolSize', o.poolSize, 0, MAX_POOL_THREADS);
  if (o.walFlushDelayMs !== undefined) out.walFlushDelayMs = numberOption('open', 'walFlushDelayMs', o.walFlushDelayMs, 0, MAX_WAL_FLUSH_DELAY_MS);
  if (o.maxPendingSeals !== undefined) out.maxPendingSeals = intOption('open', 'maxPendingSeals', o.maxPendingSeals, 0, MAX_PENDING_SEALS_LIMIT);
  if (o.readOnly !== undefined) out.readOnly = boolOption('open', 'readOnly', o.readOnly);
  if (o.cacheBytes !== undefined) out.cacheBytes = intOption('open', 'cacheBytes', o.cacheBytes, 0, Number.MAX_SAFE_INTEGER);
  if (o.storage !== undefined) {
    if (!hasMethods(o.storage, STORAGE_METHODS)) throw new Error(`open: storage must be a Storage object (with ${STORAGE_METHODS.join(', ')}), got ${describeSetting(o.storage)}`);
    out.storage = o.storage as Storage;
  }
  if (o.pool !== undefined) {
    if (!hasMethods(o.pool, POOL_METHODS)) throw new Error(`open: pool must be a pool from createPool, got ${describeSetting(o.pool)}`);
    out.pool = o.pool as BlockPool;
    // A given pool keeps its own size: a poolSize beside it would be ignored without a word.
    if (out.poolSize !== undefined) throw new Error(`open: poolSize (${out.poolSize}) cannot be combined with pool (it has ${(o.pool as BlockPool).threads} threads already)`);
  }
  return out;
}
