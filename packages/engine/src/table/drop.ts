// Dropping a table, crash-safe: a marker file is made durable in the table directory first
// (from then on the table counts as gone), then the directory is removed. A drop a crash cut
// short is finished by the next open or create of that name.
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomic.js';
import type { Storage } from '../storage/storage.js';
import { tableDir } from './layout.js';

/** Present in a table directory being dropped. */
export const DROPPED_FILE = 'DROPPED';

export async function isDropped(storage: Storage, dir: string): Promise<boolean> {
  return (await storage.sizeOf(join(dir, DROPPED_FILE))) !== null;
}

/** Remove the rest of a dropped table's directory; true when there was a drop to finish. */
export async function finishDrop(storage: Storage, dbDir: string, name: string): Promise<boolean> {
  const dir = tableDir(dbDir, name);
  if (!(await isDropped(storage, dir))) return false;
  // A recursive remove takes entries in no set order: killed in the middle, it could have taken
  // the marker and left a WAL without table.json (which open refuses as damage). So everything
  // else goes first, durably, then the marker, then the directory.
  for (const entry of await storage.list(dir)) if (entry !== DROPPED_FILE) await storage.remove(join(dir, entry));
  await storage.syncDir(dir);
  await storage.remove(join(dir, DROPPED_FILE));
  await storage.remove(dir);
  await storage.syncDir(dbDir);
  return true;
}

/** The marker, durable: from now on the table counts as gone (finishDrop removes the rest). */
export async function markDropped(storage: Storage, dir: string): Promise<void> {
  await writeFileAtomic(storage, join(dir, DROPPED_FILE), new TextEncoder().encode(`dropped at ${new Date().toISOString()}\n`));
}

/** Drop the table `name`: the marker (durable), then everything. */
export async function dropTableDir(storage: Storage, dbDir: string, name: string): Promise<void> {
  await markDropped(storage, tableDir(dbDir, name));
  await finishDrop(storage, dbDir, name);
}
