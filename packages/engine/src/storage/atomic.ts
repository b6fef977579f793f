// A file becomes visible only once complete: temp name, fsync, rename, fsync the directory.
import { dirname } from 'node:path';
import type { Storage } from './storage.js';

/** The name a file is written under until the rename makes it visible. */
export function atomicTempPath(path: string): string {
  return `${path}.tmp`;
}

export async function writeFileAtomic(storage: Storage, path: string, bytes: Uint8Array): Promise<void> {
  const tmp = atomicTempPath(path);
  await writeFileSynced(storage, tmp, bytes);
  await storage.rename(tmp, path);
  await storage.syncDir(dirname(path));
}

/**
 * Write a whole file under its own name and fsync it (not its directory: the caller syncs the
 * directory once for several files). For files nothing refers to until a later commit (block
 * files, before the manifest lists them), so a torn one is never read.
 */
export async function writeFileSynced(storage: Storage, path: string, bytes: Uint8Array): Promise<void> {
  const fh = await storage.openWrite(path, { create: true });
  try {
    await fh.truncate(0);
    await fh.write(bytes, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** writeFileAtomic for content made in pieces (a CSV export), so it need not fit in memory at once. */
export async function writeFileAtomicFrom(storage: Storage, path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const tmp = atomicTempPath(path);
  const fh = await storage.openWrite(tmp, { create: true });
  try {
    await fh.truncate(0);
    let at = 0;
    for await (const c of chunks) {
      await fh.write(c, at);
      at += c.byteLength;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  await storage.rename(tmp, path);
  await storage.syncDir(dirname(path));
}
