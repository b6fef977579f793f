// One writer per database directory: a LOCK file created exclusively, naming its holder.
// A lock whose holder is gone (killed process, or an abandoned instance in this process)
// is taken over; a live holder gets a clear error.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '../storage/storage.js';
import { LOCK_FILE } from './layout.js';

interface LockInfo { pid: number; host: string; token: string }

/** Locks held by live databases of this process, per storage. */
const held = new WeakMap<Storage, Map<string, string>>();

export interface DbLock {
  readonly path: string;
  release(): Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parse(bytes: Uint8Array): LockInfo | null {
  try {
    const o = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockInfo>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string') return o as LockInfo;
  } catch { /* a torn lock file: its writer died while writing it */ }
  return null;
}

function isStale(storage: Storage, path: string, info: LockInfo | null): boolean {
  if (info === null) return true;
  if (info.host !== hostname()) return false; // cannot check another machine's processes
  if (info.pid !== process.pid) return !pidAlive(info.pid);
  return held.get(storage)?.get(path) !== info.token;
}

async function tryCreate(storage: Storage, path: string, info: LockInfo): Promise<boolean> {
  let fh;
  try {
    fh = await storage.openWrite(path, { create: true, exclusive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await fh.write(new TextEncoder().encode(JSON.stringify(info)), 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

export async function acquireLock(storage: Storage, dbDir: string): Promise<DbLock> {
  const path = join(dbDir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: hostname(), token: `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}` };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(storage, path, info)) {
      await storage.syncDir(dbDir);
      let mine = held.get(storage);
      if (mine === undefined) { mine = new Map(); held.set(storage, mine); }
      mine.set(path, info.token);
      return {
        path,
        release: async () => {
          if (held.get(storage)?.get(path) === info.token) held.get(storage)?.delete(path);
          await storage.remove(path);
          await storage.syncDir(dbDir);
        },
      };
    }
    let current: LockInfo | null = null;
    try {
      current = parse(await storage.readFile(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    if (!isStale(storage, path, current)) {
      throw new Error(`database ${dbDir} is locked by process ${current?.pid} on ${current?.host} (${path}); one writer per database`);
    }
    await storage.remove(path);
    await storage.syncDir(dbDir);
  }
  throw new Error(`database ${dbDir}: another process took the lock while a stale one was being replaced (${path})`);
}

/** Forget this process's hold on a lock without touching the file (after a failed close). */
export function forgetLock(storage: Storage, path: string): void {
  held.get(storage)?.delete(path);
}
