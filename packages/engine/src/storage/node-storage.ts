// The real file system, through node:fs/promises.
import { link, mkdir, open, readdir, readFile, realpath, rename, rm, stat, type FileHandle as FsFileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileHandle, Storage } from './storage.js';

/**
 * Open read handles of block files, reused across range reads (scans read a few chunks of
 * many files; an open and a close per read cost more than the read). Bounded; a rename or
 * remove through this storage drops the handles of the paths it touches.
 */
const MAX_READ_HANDLES = 128;
const readHandles = new Map<string, Promise<FsFileHandle>>();

function readHandle(path: string): Promise<FsFileHandle> {
  let h = readHandles.get(path);
  if (h !== undefined) {
    readHandles.delete(path); // re-insert: Map order is the LRU order
    readHandles.set(path, h);
    return h;
  }
  h = open(path, 'r');
  h.catch(() => readHandles.delete(path));
  readHandles.set(path, h);
  while (readHandles.size > MAX_READ_HANDLES) {
    const [oldest, handle] = readHandles.entries().next().value as [string, Promise<FsFileHandle>];
    readHandles.delete(oldest);
    // Close a little later: a read may still be using it.
    setTimeout(() => { handle.then((fh) => fh.close()).catch(() => undefined); }, 1000).unref();
  }
  return h;
}

function forgetHandles(path: string): void {
  for (const [p, h] of readHandles) {
    if (p === path || p.startsWith(`${path}/`)) {
      readHandles.delete(p);
      setTimeout(() => { h.then((fh) => fh.close()).catch(() => undefined); }, 1000).unref();
    }
  }
}

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
    const fh = await readHandle(path);
    // Not zero-filled: every byte is overwritten by the read (or the read fails).
    const raw = Buffer.allocUnsafeSlow(lengthBytes);
    const out = new Uint8Array(raw.buffer, raw.byteOffset, lengthBytes);
    let done = 0;
    while (done < lengthBytes) {
      const { bytesRead } = await fh.read(out, done, lengthBytes - done, offsetBytes + done);
      if (bytesRead === 0) throw new Error(`${path} ends before byte ${offsetBytes + lengthBytes}`);
      done += bytesRead;
    }
    return out;
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
  async rename(from, to) {
    forgetHandles(from);
    forgetHandles(to);
    await rename(from, to);
  },
  link: (existing, newPath) => link(existing, newPath),
  realpath: (path) => realpath(path),
  async remove(path) {
    forgetHandles(path);
    await rm(path, { force: true, recursive: true });
  },
  syncDir: (dir) => syncDirectory(dir),
};
