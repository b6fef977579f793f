// A read-only table's view of the manifest log: read whole once, then only the records
// appended since (a new block costs one record), until the writer starts a new generation file
// or the file is not the one read before. A torn record at its end is a live writer's append
// in progress: reading stops before it and resumes there.
import { join } from 'node:path';
import type { Storage } from '../storage/storage.js';
import { loadedFromLog, loadManifest, newestManifestFile, type LoadedManifest } from './table-files.js';
import { continueManifestLog, MANIFEST_RECORD_HEADER_BYTES, parseManifestLog } from './manifest-log.js';

export class ManifestFollower {
  constructor(private readonly storage: Storage, private readonly dir: string, private readonly table: string) {}

  /**
   * The manifest as last read: its file, the file's size then, and its first record's header
   * (a generation file is only ever appended to; a different header means another file).
   */
  private last: { file: string; sizeBytes: number; header: Uint8Array; loaded: LoadedManifest } | null = null;

  /**
   * The current manifest. While the newest generation file is the one read last time, only the
   * bytes appended since are read (a torn record at its end is a live writer's append in
   * progress: reading stops before it and resumes there); otherwise the whole file.
   */
  async load(): Promise<LoadedManifest | null> {
    const { storage } = this;
    try {
      const names = await storage.list(this.dir);
      const newest = newestManifestFile(names);
      const last = this.last;
      if (newest !== null && last !== null && last.file === newest.file) {
        const appended = await this.readAppended(last, newest.generation);
        if (appended !== null) return appended;
      }
      this.last = null;
      if (newest === null) return await loadManifest(storage, this.dir, names); // format 1, or none
      const path = join(this.dir, newest.file);
      const bytes = await storage.readFile(path);
      const loaded = loadedFromLog(newest.file, newest.generation, parseManifestLog(bytes, path));
      this.last = { file: newest.file, sizeBytes: bytes.byteLength, header: bytes.slice(0, MANIFEST_RECORD_HEADER_BYTES), loaded };
      return loaded;
    } catch (err) {
      // The writer replaced its snapshot between our listing and our read: look again.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`table "${this.table}": ${(err as Error).message}`);
    }
  }

  /** The records appended to the file read last time; null when it must be read whole. */
  private async readAppended(last: NonNullable<typeof this.last>, generation: number): Promise<LoadedManifest | null> {
    const { storage } = this;
    const path = join(this.dir, last.file);
    const cursor = last.loaded.cursor;
    const size = await storage.sizeOf(path);
    if (size === null || cursor === null) return null;
    // Unchanged: nothing to read — unless it ended in a torn record, whose bytes may have been landing.
    if (size === last.sizeBytes && last.loaded.tail === null) return last.loaded;
    if (size < cursor.validBytes) return null; // not the file read before
    const header = await storage.readRange(path, 0, MANIFEST_RECORD_HEADER_BYTES);
    if (header.some((b, i) => b !== last.header[i])) return null;
    const loaded = loadedFromLog(last.file, generation, continueManifestLog(cursor, await storage.readRange(path, cursor.validBytes, size - cursor.validBytes), path));
    this.last = { ...last, sizeBytes: size, loaded };
    return loaded;
  }

  /** The manifest last loaded (null: none yet, or it must be read whole next time). */
  get latest(): LoadedManifest | null { return this.last?.loaded ?? null; }

  /** Read the manifest whole next time (the table may be another one now). */
  forget(): void { this.last = null; }
}
