// The writer's side of read leases (reader-leases.ts, docs/readers.md): block files a durable
// manifest generation g stopped listing are deleted once the readers of this process that
// began before have finished (TableStore.afterReaders) AND no live lease of another process
// holds a generation below g. Files a lease still covers wait: tried again on a timer (which
// never keeps the process alive), after later block writes, and at close; a crash or close
// leaves them listed as removed in the manifest, and the next open deletes them (again only
// once no live lease is older than that manifest).
import type { Storage } from '../storage/storage.js';
import { finishDrop } from './drop.js';
import { tableDir } from './layout.js';
import { oldestLeasedGeneration } from './reader-leases.js';

/** How long files a live lease holds wait before the next look at the leases. */
export const LEASED_RETRY_MS = 200;

/** Which of `pending` (file → generation that stopped listing it) no live lease may still read. */
export async function unleasedFiles(storage: Storage, dir: string, pending: ReadonlyMap<string, number>): Promise<string[]> {
  if (pending.size === 0) return [];
  const oldest = await oldestLeasedGeneration(storage, dir);
  return [...pending].filter(([, g]) => oldest === null || oldest >= g).map(([f]) => f);
}

/** Of `files` (no longer listed as of `generation`), those a live lease may still read: all or none. */
export async function leasedFiles(storage: Storage, dir: string, files: readonly string[], generation: number): Promise<string[]> {
  if (files.length === 0) return [];
  const oldest = await oldestLeasedGeneration(storage, dir).catch(() => null);
  return oldest !== null && oldest < generation ? [...files] : [];
}

export class DeferredRemoval {
  /** Files no reader of this process needs any more, waiting for other processes' leases. */
  private readonly waiting = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly storage: Storage, private readonly dir: string, private readonly remove: (files: string[]) => Promise<void>) {}

  /** Delete `files` (no longer listed as of `generation`) once no live lease is older. */
  add(files: readonly string[], generation: number): Promise<void> {
    for (const f of files) this.waiting.set(f, generation);
    return this.attempt();
  }

  get waitingFiles(): number { return this.waiting.size; }

  /** Delete what no live lease covers now; the rest waits for the timer. Cheap when nothing waits. */
  attempt(): Promise<void> {
    if (this.waiting.size === 0 || this.stopped) return Promise.resolve();
    this.chain = this.chain.then(() => this.run()).catch(() => undefined).finally(() => this.arm());
    return this.chain;
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    const ready = await unleasedFiles(this.storage, this.dir, this.waiting);
    for (const f of ready) this.waiting.delete(f);
    if (ready.length > 0) await this.remove(ready);
  }

  private arm(): void {
    if (this.stopped || this.waiting.size === 0 || this.timer !== null) return;
    this.timer = setTimeout(() => { this.timer = null; void this.attempt(); }, LEASED_RETRY_MS);
    this.timer.unref();
  }

  /** No more tries (closing, dropped): what still waits is left to the next open. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.chain;
  }
}

/**
 * Remove a dropped table's directory (its marker is durable) once no live lease is left in it:
 * a reader of another process that began before the drop keeps its files. Retried on a timer
 * while one is; the next open or create of the name finishes the drop in any case.
 */
export function finishDropWhenUnleased(storage: Storage, dbDir: string, name: string, onDone: () => void = () => undefined): Promise<void> {
  const dir = tableDir(dbDir, name);
  return new Promise((resolve) => {
    const attempt = async (): Promise<void> => {
      let leased: boolean;
      try {
        leased = (await oldestLeasedGeneration(storage, dir)) !== null;
      } catch {
        leased = false; // the leases cannot be read: as before leases existed
      }
      if (leased) { setTimeout(() => { void attempt(); }, LEASED_RETRY_MS).unref(); resolve(); return; }
      await finishDrop(storage, dbDir, name).catch(() => undefined);
      onDone();
      resolve();
    };
    void attempt();
  });
}
