// Small helpers over a table directory's entries, shared by create, open and `btdb verify`.
import { join } from 'node:path';
import type { Storage } from '../storage/storage.js';
import { parseSegmentName } from '../wal/record.js';
import { parseAnyBlockFileName, WAL_DIR } from './layout.js';
import type { LoadedManifest } from './table-files.js';

/** WAL segment names, sorted by their first row. */
export async function walSegments(storage: Storage, walDir: string): Promise<string[]> {
  return (await storage.list(walDir)).filter((n) => parseSegmentName(n) !== null).sort((a, b) => (parseSegmentName(a) as number) - (parseSegmentName(b) as number));
}

export async function firstWalSegment(storage: Storage, walDir: string): Promise<number | null> {
  const first = (await walSegments(storage, walDir))[0];
  return first === undefined ? null : parseSegmentName(first);
}

/**
 * Files that hold rows: block files, WAL segments, a manifest that lists blocks. Without
 * table.json these mean a damaged table, never an absent one.
 */
export async function dataFilesWithoutMeta(storage: Storage, dir: string, names: readonly string[], loaded: LoadedManifest | null): Promise<string[]> {
  const out = names.filter((n) => parseAnyBlockFileName(n) !== null).map((n) => join(dir, n));
  if (names.includes(WAL_DIR)) out.push(...(await walSegments(storage, join(dir, WAL_DIR))).map((n) => join(dir, WAL_DIR, n)));
  if (loaded !== null && loaded.manifest.blocks.length > 0) out.push(join(dir, loaded.file));
  return out;
}

/**
 * Remove the engine's own leftovers (exact names it writes); a directory with entries under
 * such a name is someone else's and stays. Returns the paths removed.
 */
export async function removeLeftovers(storage: Storage, dir: string, names: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    // Listing a plain file fails (ENOTDIR) or gives nothing: either way it is not a directory with entries.
    if ((await storage.list(path).catch(() => [])).length > 0) continue;
    await storage.remove(path);
    removed.push(path);
  }
  if (removed.length > 0) await storage.syncDir(dir);
  return removed;
}
