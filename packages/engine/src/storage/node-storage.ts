// The real file system, through node:fs/promises.
import { link, mkdir, open, readdir, realpath, rename, rm, stat, type FileHandle as FsFileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileHandle, Storage } from './storage.js';

/**
 * Open read handles of block files, reused across range reads (scans read a few chunks of
 * many files; an open and a close per read cost more than the read). At most
 * MAX_READ_HANDLES are open at any time, cached or in use: an LRU whose evicted handles close
 * at once — or, when reads are still using them (counted), as soon as the last one ends. When
 * every handle is in use, a read of another file waits for one to come free. A rename or
 * remove through this storage evicts the handles of the paths it touches; a handle idle for
 * IDLE_HANDLE_MS closes too, as another process (a writer next to this reader) may have
 * deleted its file, whose space an open descriptor keeps.
 */
export const MAX_READ_HANDLES = 128;
/**
 * Cached handles unused this long are closed. Measured before: a read-only reader next to a
 * live writer held descriptors of 52 deleted WAL segments and manifest logs after 4 s of
 * catching up; up to MAX_READ_HANDLES deleted files, each up to a block's WAL, could be kept.
 */
export const IDLE_HANDLE_MS = 2_000;

interface ReadHandle { readonly handle: Promise<FsFileHandle>; users: number; evicted: boolean; closed: boolean; lastUsedMs: number }
const readHandles = new Map<string, ReadHandle>();
/** Handles opened and not yet closed: cached ones plus evicted ones still in use. */
let openHandleCount = 0;
const handleWaiters: Array<() => void> = [];

function wakeOne(): void {
  handleWaiters.shift()?.();
}

function closeHandle(entry: ReadHandle): void {
  if (entry.closed) return;
  entry.closed = true;
  openHandleCount--;
  entry.handle.then((fh) => fh.close()).catch(() => undefined);
  wakeOne();
}

function evict(path: string, entry: ReadHandle): void {
  if (readHandles.get(path) === entry) readHandles.delete(path);
  entry.evicted = true;
  if (entry.users === 0) closeHandle(entry);
}

/** Take a handle for one read; give it back with releaseHandle. */
async function acquireHandle(path: string): Promise<ReadHandle> {
  for (;;) {
    const hit = readHandles.get(path);
    if (hit !== undefined) {
      readHandles.delete(path); // re-insert: Map order is the LRU order
      readHandles.set(path, hit);
      hit.users++;
      return hit;
    }
    if (openHandleCount < MAX_READ_HANDLES) break;
    let idle: [string, ReadHandle] | null = null;
    for (const e of readHandles) if (e[1].users === 0) { idle = e; break; }
    if (idle !== null) evict(idle[0], idle[1]); // least recently used of the idle ones
    else await new Promise<void>((resolve) => handleWaiters.push(resolve));
  }
  openHandleCount++;
  const entry: ReadHandle = { handle: open(path, 'r'), users: 1, evicted: false, closed: false, lastUsedMs: performance.now() };
  entry.handle.catch(() => evict(path, entry));
  readHandles.set(path, entry);
  if (sweeper === null) { sweeper = setInterval(sweepIdle, IDLE_HANDLE_MS / 2); sweeper.unref(); }
  return entry;
}

let sweeper: NodeJS.Timeout | null = null;

/** Close the idle handles past IDLE_HANDLE_MS; runs while any handle is cached. */
function sweepIdle(): void {
  const now = performance.now();
  for (const [path, entry] of readHandles) if (entry.users === 0 && now - entry.lastUsedMs >= IDLE_HANDLE_MS) evict(path, entry);
  if (readHandles.size === 0 && sweeper !== null) { clearInterval(sweeper); sweeper = null; }
}

function releaseHandle(entry: ReadHandle): void {
  entry.lastUsedMs = performance.now();
  entry.users--;
  if (entry.users > 0) return;
  if (entry.evicted) closeHandle(entry);
  else wakeOne(); // now idle: a waiting read may evict it
}

function forgetHandles(path: string): void {
  for (const [p, entry] of readHandles) {
    if (p === path || p.startsWith(`${path}/`)) evict(p, entry);
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
  async readFile(path, into, whileReading) {
    // One read of the size fstat gives: fs.readFile reads in 512 KiB pieces, a thread-pool
    // round trip each (a 2.8 MB WAL segment: 1.0-1.1 ms against 0.6-0.7 ms, medians of 80).
    // Bytes a writer appends meanwhile are left for the next read, as a torn tail would be.
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const reuse = into !== undefined && into.byteLength >= size;
      const out = reuse ? into.subarray(0, size) : new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
      let got = 0;
      while (got < size) {
        const reading = fh.read(out, got, size - got, got);
        if (got === 0 && whileReading !== undefined) {
          // On this thread, while a pool thread reads; the read ends before the handle closes.
          try { whileReading(size); } catch (err) { await reading.catch(() => undefined); throw err; }
        }
        const { bytesRead } = await reading;
        if (bytesRead === 0) break; // cut short since the fstat
        got += bytesRead;
      }
      if (got === size) return out;
      return reuse ? out.subarray(0, got) : out.slice(0, got); // fresh: a copy, no unread bytes behind it
    } finally {
      await fh.close();
    }
  },
  async readRange(path, offsetBytes, lengthBytes, into) {
    const entry = await acquireHandle(path);
    try {
      const fh = await entry.handle;
      let out: Uint8Array;
      if (into !== undefined && into.byteLength >= lengthBytes) {
        out = into.subarray(0, lengthBytes);
      } else {
        // Not zero-filled: every byte is overwritten by the read (or the read fails).
        const raw = Buffer.allocUnsafeSlow(lengthBytes);
        out = new Uint8Array(raw.buffer, raw.byteOffset, lengthBytes);
      }
      let done = 0;
      while (done < lengthBytes) {
        const { bytesRead } = await fh.read(out, done, lengthBytes - done, offsetBytes + done);
        if (bytesRead === 0) throw new Error(`${path} ends before byte ${offsetBytes + lengthBytes}`);
        done += bytesRead;
      }
      return out;
    } finally {
      releaseHandle(entry);
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
