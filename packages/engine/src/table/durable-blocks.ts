// The blocks a table's manifest lists, with the end it records (where the WAL resumes, the
// newest time) and the files it lists as removed — the durable half of TableStore. Every
// change goes through the manifest first: nothing here changes unless the write succeeded.
import { join } from 'node:path';
import type { Storage } from '../storage/storage.js';
import type { ManifestBlock, ManifestEnd } from './manifest.js';
import type { ManifestWriter } from './manifest-writer.js';

export class DurableBlocks {
  private list: ManifestBlock[];
  private endRowSeq: number;
  private lastTime: bigint | null;
  /** Files a durable manifest no longer lists, not yet deleted (readers may still read them). */
  private readonly pendingRemoval = new Set<string>();

  constructor(readonly manifest: ManifestWriter, list: ManifestBlock[], end: ManifestEnd) {
    this.list = list;
    this.endRowSeq = Math.max(end.durableRowCount, list[list.length - 1]?.endRowSeq ?? 0);
    this.lastTime = end.lastTime;
    for (const f of end.removed) this.pendingRemoval.add(f);
  }

  get blocks(): readonly ManifestBlock[] { return this.list; }
  /** The WAL resumes here: rows below it are in the listed blocks, or were removed. */
  get rowCount(): number { return this.endRowSeq; }
  has(file: string): boolean { return this.list.some((b) => b.file === file); }

  /** The end a new manifest generation records now. */
  end(): ManifestEnd {
    return { durableRowCount: this.endRowSeq, lastTime: this.lastTime, removed: [...this.pendingRemoval] };
  }

  /** Record more blocks, in order (appended records in one write, or a new generation when due). */
  async add(entries: readonly ManifestBlock[]): Promise<void> {
    await this.manifest.add(entries, () => ({ blocks: [...this.list, ...entries], end: this.end() }));
    for (const entry of entries) {
      this.list.push(entry);
      this.endRowSeq = Math.max(this.endRowSeq, entry.endRowSeq);
      if (this.lastTime === null || entry.maxTime > this.lastTime) this.lastTime = entry.maxTime;
    }
  }

  /** List exactly `blocks` from now on, `removed` files as superseded, the WAL resuming at least at `advanceTo`. */
  async replace(blocks: ManifestBlock[], removed: readonly string[], advanceTo: number): Promise<void> {
    const end = { ...this.end(), durableRowCount: Math.max(this.endRowSeq, advanceTo), removed: [...new Set([...this.pendingRemoval, ...removed])] };
    await this.manifest.snapshot(blocks, end);
    this.list = blocks;
    this.endRowSeq = end.durableRowCount;
    for (const f of removed) this.pendingRemoval.add(f);
  }

  /** Delete superseded files; one that fails stays listed as removed (deleted on a later open). */
  async removeFiles(storage: Storage, dir: string, files: readonly string[] = [...this.pendingRemoval]): Promise<void> {
    for (const f of files) {
      try {
        await storage.remove(join(dir, f));
        this.pendingRemoval.delete(f);
      } catch { /* listed in the manifest as removed: the next open deletes it */ }
    }
  }
}
