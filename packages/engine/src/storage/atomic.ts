// A file becomes visible only once complete: temp name, fsync, rename, fsync the directory.
import { dirname } from 'node:path';
import type { Storage } from './storage.js';

export async function writeFileAtomic(storage: Storage, path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await storage.openWrite(tmp, { create: true });
  try {
    await fh.truncate(0);
    await fh.write(bytes, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await storage.rename(tmp, path);
  await storage.syncDir(dirname(path));
}
