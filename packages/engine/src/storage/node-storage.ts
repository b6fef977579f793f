// The real file system, through node:fs/promises.
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileHandle, Storage } from './storage.js';

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export const nodeStorage: Storage = {
  async mkdirp(dir) {
    const first = await mkdir(dir, { recursive: true });
    if (first === undefined) return;
    // New directory entries survive power loss only once their parents are fsynced.
    for (let p = dir; ; p = dirname(p)) {
      await syncDirectory(dirname(p));
      if (p === first || dirname(p) === p) break;
    }
  },
  async openWrite(path, opts): Promise<FileHandle> {
    const flags = opts.exclusive === true ? 'wx' : opts.create ? 'a+' : 'r+';
    const fh = await open(path, flags === 'a+' ? 'r+' : flags).catch(async (err: unknown) => {
      if (flags === 'a+' && isMissing(err)) return open(path, 'w+');
      throw err;
    });
    return {
      path,
      async write(data, positionBytes) {
        let done = 0;
        while (done < data.byteLength) {
          const { bytesWritten } = await fh.write(data, done, data.byteLength - done, positionBytes + done);
          if (bytesWritten === 0) throw new Error(`write to ${path} made no progress`);
          done += bytesWritten;
        }
      },
      sync: () => fh.sync(),
      truncate: (sizeBytes) => fh.truncate(sizeBytes),
      close: () => fh.close(),
    };
  },
  async readFile(path) {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  },
  async readRange(path, offsetBytes, lengthBytes) {
    const fh = await open(path, 'r');
    try {
      const out = new Uint8Array(lengthBytes);
      let done = 0;
      while (done < lengthBytes) {
        const { bytesRead } = await fh.read(out, done, lengthBytes - done, offsetBytes + done);
        if (bytesRead === 0) throw new Error(`${path} ends before byte ${offsetBytes + lengthBytes}`);
        done += bytesRead;
      }
      return out;
    } finally {
      await fh.close();
    }
  },
  async sizeOf(path) {
    try {
      return (await stat(path)).size;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  },
  async list(dir) {
    try {
      return (await readdir(dir)).sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  },
  rename: (from, to) => rename(from, to),
  async remove(path) {
    await rm(path, { force: true, recursive: true });
  },
  syncDir: (dir) => syncDirectory(dir),
};
