// One writer per database directory, across processes and the threads of a process.
//
// The lock is a numbered file, LOCK.<generation>; the newest generation decides. Its content
// names its holder (lock-holder.ts says when that holder counts as alive), or marks the lock
// free after a release. To take the lock, a writer:
//  1. writes its holder record to LOCK.<token>.tmp and fsyncs it, so a lock file is never
//     visible empty or half written;
//  2. finds the newest generation g; if its holder is alive, open fails naming the holder;
//  3. otherwise (no lock file, a free marker, a dead holder, damaged content) links its
//     record to LOCK.<g+1>. link() fails when the name exists, so of the writers that
//     judged generation g, exactly one creates g+1; the others retry from step 2 and meet
//     a live holder;
//  4. lists again: a generation above its own means its view was stale (g+1 had already
//     been created, superseded and cleaned up while it looked), so it withdraws and retries.
// Nothing is ever deleted to make room: a stale lock is superseded, not removed, so no
// writer can remove another's fresh lock (the race of delete-then-create). Release replaces
// the holder's file with a free marker by an atomic rename; generations only grow, which is
// what makes the check of step 4 sound. Older generations are removed by the holder of a
// newer one; at rest one file remains.
import { join } from 'node:path';
import type { Storage } from '../storage/storage.js';
import { LOCK_FILE } from './layout.js';
import { describeHolder, holderIsLive, markDropped, markHeld, newHolder, parseHolder, type LockHolder } from './lock-holder.js';

export { noteThreadExited } from './lock-holder.js';

/** Generations examined before open gives up (each retry means the lock changed hands). */
const MAX_ATTEMPTS = 16;
const GENERATION = /^LOCK\.(\d{1,15})$/;

export interface DbLock {
  /** The lock file this writer created. */
  readonly path: string;
  /** The database directory with symlinks resolved. */
  readonly dir: string;
  /** Mark the lock free. This thread stops holding it even if that fails. */
  release(): Promise<void>;
}

function lockName(generation: number): string {
  return `${LOCK_FILE}.${String(generation).padStart(12, '0')}`;
}

function generations(names: string[]): number[] {
  return names.map((n) => GENERATION.exec(n)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
}

async function writeSynced(storage: Storage, path: string, holder: LockHolder): Promise<void> {
  const fh = await storage.openWrite(path, { create: true, exclusive: true });
  try {
    await fh.write(new TextEncoder().encode(JSON.stringify(holder)), 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

const codeOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** The newest lock file: 'gone' when it vanished while being read (superseded meanwhile). */
async function newest(storage: Storage, dir: string): Promise<{ generation: number; holder: LockHolder | null } | null | 'gone'> {
  const gens = generations(await storage.list(dir));
  if (gens.length === 0) return null;
  const generation = gens[gens.length - 1];
  try {
    return { generation, holder: parseHolder(await storage.readFile(join(dir, lockName(generation)))) };
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return 'gone';
    throw err;
  }
}

/**
 * Take the writer lock of `dbDir` (which must exist). Fails, naming the directory and the
 * holder, while a live writer — another process, or another thread or database object of
 * this one, reached by any path — holds it.
 */
export async function acquireLock(storage: Storage, dbDir: string): Promise<DbLock> {
  const dir = await storage.realpath(dbDir);
  const named = dir === dbDir ? dir : `${dir} (opened as ${dbDir})`;
  const me = newHolder();
  const tmp = join(dir, `${LOCK_FILE}.${me.token}.tmp`);
  // Held from before the file can be seen: another database object of this thread reading
  // it meanwhile must find it live.
  markHeld(me.token);
  let linked: string | null = null;
  try {
    await writeSynced(storage, tmp, me);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const top = await newest(storage, dir);
      if (top === 'gone') continue;
      if (top?.holder != null && holderIsLive(top.holder)) {
        throw new Error(`database ${named} is locked by ${describeHolder(top.holder)} (${join(dir, lockName(top.generation))}); one writer per database`);
      }
      // A damaged lock file (holder null) counts as dead: lock files are complete before they
      // are linked, so no writer can be in the middle of writing it.
      const generation = top === null ? 0 : top.generation + 1;
      const path = join(dir, lockName(generation));
      try {
        await storage.link(tmp, path);
      } catch (err) {
        const code = codeOf(err);
        if (code === 'EEXIST') continue; // another writer took this generation first
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
          throw new Error(`database ${named}: the lock needs hard links, which this file system refused (${code} on ${path})`);
        }
        throw err;
      }
      linked = path;
      const gens = generations(await storage.list(dir));
      if (gens[gens.length - 1] > generation) {
        await storage.remove(path); // our view was out of date: a newer generation decides
        linked = null;
        continue;
      }
      // The temp name goes in the same directory sync as the lock, so no power loss brings it back.
      await storage.remove(tmp);
      await storage.syncDir(dir);
      for (const g of gens) if (g < generation) await storage.remove(join(dir, lockName(g)));
      return { path, dir, release: () => release(storage, dir, path, me) };
    }
    throw new Error(`database ${named}: the lock changed hands ${MAX_ATTEMPTS} times while opening; try again`);
  } catch (err) {
    // Other processes would see our live pid in the file: mark it free (best effort).
    if (linked !== null) await release(storage, dir, linked, me).catch(() => undefined);
    markDropped(me.token);
    throw err;
  } finally {
    await storage.remove(tmp).catch(() => undefined);
  }
}

async function release(storage: Storage, dir: string, path: string, me: LockHolder): Promise<void> {
  try {
    const marker = join(dir, `${LOCK_FILE}.${me.token}.free.tmp`);
    await writeSynced(storage, marker, { ...me, free: true });
    await storage.rename(marker, path);
    await storage.syncDir(dir);
  } finally {
    markDropped(me.token);
  }
}
