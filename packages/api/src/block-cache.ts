// Decoded-block cache: whole blocks decoded once into shared memory, kept under a byte
// budget, least recently used first out. A hit skips Parquet decoding entirely, and any
// worker can scan the cached columns without a copy.
import type { ColumnView } from '@backtracedb/engine';

export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/** Blocks remembered as read once (admission: a block is cached on its second whole read). */
const MAX_SEEN_KEYS = 16_384;

interface Entry { views: ColumnView[]; rowCount: number; sizeBytes: number }

function sizeOf(views: readonly ColumnView[]): number {
  let bytes = 0;
  for (const v of views) {
    bytes += v.values.byteLength + (v.valid ? v.valid.byteLength : 0);
    if (v.type === 'string') for (const s of v.dictionary) bytes += 16 + 2 * s.length;
  }
  return bytes;
}

export class BlockCache {
  private readonly entries = new Map<string, Entry>();
  private usedBytes = 0;
  private readonly seen = new Set<string>();
  hits = 0;
  misses = 0;

  constructor(readonly budgetBytes: number) {
    if (!Number.isSafeInteger(budgetBytes) || budgetBytes < 0) throw new Error(`cacheBytes must be a non-negative integer, got ${String(budgetBytes)}`);
  }

  get enabled(): boolean { return this.budgetBytes > 0; }
  get sizeBytes(): number { return this.usedBytes; }

  get(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) { this.misses++; return undefined; }
    // Re-insert: Map order is the LRU order.
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e;
  }

  /**
   * Whether a block read whole now should be decoded into the cache: only on its second read.
   * A one-off query (the first after open(), a one-shot tool) then decodes just the columns
   * it needs, instead of every column of every block it touches.
   */
  admit(key: string): boolean {
    if (!this.enabled) return false;
    if (this.seen.has(key)) return true;
    if (this.seen.size >= MAX_SEEN_KEYS) this.seen.delete(this.seen.values().next().value as string);
    this.seen.add(key);
    return false;
  }

  put(key: string, views: ColumnView[], rowCount: number): void {
    const sizeBytes = sizeOf(views);
    if (sizeBytes > this.budgetBytes) return; // never worth evicting everything for one block
    const old = this.entries.get(key);
    if (old !== undefined) { this.entries.delete(key); this.usedBytes -= old.sizeBytes; }
    while (this.usedBytes + sizeBytes > this.budgetBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.usedBytes -= this.entries.get(oldest.value)?.sizeBytes ?? 0;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { views, rowCount, sizeBytes });
    this.usedBytes += sizeBytes;
  }

  /** Drop every entry whose key starts with `prefix` (a table being closed). */
  dropPrefix(prefix: string): void {
    for (const [k, e] of this.entries) if (k.startsWith(prefix)) { this.entries.delete(k); this.usedBytes -= e.sizeBytes; }
    for (const k of this.seen) if (k.startsWith(prefix)) this.seen.delete(k);
  }
}
