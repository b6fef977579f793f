// Read leases across processes, like LMDB's reader table (docs/readers.md): a read-only process
// with readers in flight on a table keeps one file, <table>/readers/<pid>-<random>.lease,
// holding the oldest manifest generation those readers may still read. The writer deletes the
// files a generation g stopped listing only when no live lease holds a generation below g.
// A lease is written with write-temp + rename and never fsynced: a dead reader's lease is void
// (its process is gone, which `process.kill(pid, 0)` tells), so losing it to a crash is harmless.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Storage } from '../storage/storage.js';
import { READERS_DIR, TABLE_FILE } from './layout.js';

export const LEASE_SUFFIX = '.lease';
/** Lease files the writer reads per look; beyond this it keeps every file (the next open deletes them). */
export const MAX_LEASE_FILES = 4096;

const LEASE_NAME = /^(\d+)-[0-9a-f]{16}\.lease(\.tmp)?$/;

/** Does process `pid` exist? EPERM: it does, under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The oldest generation a live lease in `tableDir` holds (null: no live lease). Leases (and
 * their temp files) of dead processes are removed on the way. A lease still under its temp
 * name does not count: its reader reads the manifest only after the rename, so after the
 * writer's generation was made durable.
 */
export async function oldestLeasedGeneration(storage: Storage, tableDir: string): Promise<number | null> {
  const dir = join(tableDir, READERS_DIR);
  // Something other than a directory there: no reader can have written a lease (they fall back).
  const names = await storage.list(dir).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOTDIR') return []; throw err; });
  let leases = 0;
  let oldest: number | null = null;
  for (const name of names) {
    const m = LEASE_NAME.exec(name);
    if (m === null) continue; // not a lease: never touched
    const path = join(dir, name);
    if (!processAlive(Number(m[1]))) { await storage.remove(path).catch(() => undefined); continue; }
    if (m[2] !== undefined) continue;
    if (++leases > MAX_LEASE_FILES) return 0;
    let generation: number;
    try {
      const text = new TextDecoder().decode(await storage.readFile(path)).trim();
      // Not a number: not written by this code; counted as the oldest possible (keeps files).
      generation = /^\d{1,15}$/.test(text) ? Number(text) : 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // its readers ended meanwhile
      throw err;
    }
    if (oldest === null || generation < oldest) oldest = generation;
  }
  return oldest;
}

/** One reader's hold on a generation; `raise` moves it up (never down), `release` ends it. */
export interface LeasePin {
  raise(generation: number): void;
  release(): void;
}

/**
 * The lease of one read-only table in this process: the file holds the least generation pinned
 * by its readers in flight, is rewritten only when that least one changes, and is removed when
 * none is left. When it cannot be written (a read-only file system, no permission) readers go
 * on without it, relying on the vanished-file retry; the next change of the pins tries again.
 */
export class ReaderLease {
  private readonly dir: string;
  private readonly name = `${process.pid}-${randomBytes(8).toString('hex')}${LEASE_SUFFIX}`;
  private readonly pins = new Map<number, number>();
  private nextPin = 0;
  /** What the file holds (null: no file). */
  private held: number | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** The readers directory is known to exist. */
  private dirReady = false;

  constructor(private readonly storage: Storage, private readonly tableDir: string) {
    this.dir = join(tableDir, READERS_DIR);
  }

  /**
   * A reader begins, knowing `generation` (the newest it has seen; the manifest it is about to
   * read may be newer). Resolves once the file holds at most that: only then may it read.
   */
  async pin(generation: number): Promise<LeasePin> {
    const id = this.nextPin++;
    this.pins.set(id, generation);
    await this.settle();
    return {
      raise: (g) => {
        const now = this.pins.get(id);
        if (now === undefined || g <= now) return;
        this.pins.set(id, g);
        void this.settle();
      },
      release: () => { if (this.pins.delete(id)) void this.settle(); },
    };
  }

  /** Remove the file; readers still in flight lose their hold (the table is closing). */
  close(): Promise<void> {
    this.pins.clear();
    return this.settle();
  }

  /** Bring the file in line with the pins (one write at a time, in order). */
  private settle(): Promise<void> {
    this.chain = this.chain.then(() => this.write());
    return this.chain;
  }

  private async write(): Promise<void> {
    let want: number | null = null;
    for (const g of this.pins.values()) if (want === null || g < want) want = g;
    if (want === this.held) return;
    const path = join(this.dir, this.name);
    if (want === null) {
      this.held = null;
      await this.storage.remove(path).catch(() => undefined); // left behind: void once this process ends
      return;
    }
    try {
      if (!this.dirReady && (await this.storage.sizeOf(this.dir)) === null) {
        // Created by the first reader; never for a table that is gone (a drop removes the directory).
        if ((await this.storage.sizeOf(join(this.tableDir, TABLE_FILE))) === null) throw new Error(`${this.tableDir} has no ${TABLE_FILE}`);
        await this.storage.mkdirp(this.dir);
      }
      this.dirReady = true;
      const tmp = `${path}.tmp`;
      const fh = await this.storage.openWrite(tmp, { create: true });
      try {
        await fh.truncate(0);
        await fh.write(new TextEncoder().encode(`${want}\n`), 0);
      } finally {
        await fh.close();
      }
      await this.storage.rename(tmp, path);
      this.held = want;
    } catch {
      // A lease already in place stays: it still holds what it held (a lower generation when raising).
      this.dirReady = false;
      await this.storage.remove(`${path}.tmp`).catch(() => undefined);
    }
  }
}
