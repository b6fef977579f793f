// One writer per database per machine, however the database is reached: another thread of
// this process (openInWorker), a symlink to the directory, or processes racing to open it,
// with or without a stale lock left by a killed process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { threadId, type Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { FaultyStorage } from '@backtracedb/engine';
import { open, openInWorker } from 'backtracedb';

/** Size knob: race rounds (a third of them over a stale lock); BTDB_LOCK_RACE_ROUNDS=100 for a long run. */
const ROUNDS = Number(process.env.BTDB_LOCK_RACE_ROUNDS ?? 6);
const RACERS = 8;

const root = mkdtempSync(join(tmpdir(), 'btdb-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = () => join(root, `db${n++}`);

const schema = { name: 'trades', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }] } as const;

/** A child process running test/fixtures/lock-racer.mjs, read line by line. */
class Racer {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | null = null;
  readonly exited: Promise<void>;

  constructor() {
    const script = fileURLToPath(new URL('../fixtures/lock-racer.mjs', import.meta.url));
    this.child = spawn(process.execPath, [script], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (this.waiting !== null) { const w = this.waiting; this.waiting = null; w(line); } else this.lines.push(line);
    });
  }

  get pid(): number { return this.child.pid as number; }

  send(line: string): void { this.child.stdin.write(`${line}\n`); }

  next(timeoutMs = 20_000): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`racer ${this.pid}: no answer within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (l) => { clearTimeout(timer); resolve(l); };
    });
  }
}

describe('one writer per database', () => {
  it('open() then openInWorker() on the same directory: the worker is refused, naming the directory and the holder', async () => {
    const dir = newDir();
    const db = await open(dir, { poolSize: 1 });
    await expect(openInWorker(dir, { poolSize: 1 })).rejects.toThrow(`database ${dir} is locked by process ${process.pid}`);
    await db.close();
    const remote = await openInWorker(dir, { poolSize: 1 });
    await remote.close();
  });

  it('openInWorker() then open(): the main thread is refused while the worker holds the lock', async () => {
    const dir = newDir();
    const remote = await openInWorker(dir, { poolSize: 1 });
    await remote.createTable(schema);
    await expect(open(dir, { poolSize: 1 })).rejects.toThrow(`database ${dir} is locked by process ${process.pid}`);
    await remote.close();
    const db = await open(dir, { poolSize: 1 });
    expect(db.openTables).toEqual([]);
    await db.openTable(schema);
    await db.close();
  });

  it('threads racing to open the same directory: exactly one wins', async () => {
    const dir = newDir();
    const tries = [open(dir, { poolSize: 1 }), openInWorker(dir, { poolSize: 1 }), openInWorker(dir, { poolSize: 1 }), openInWorker(dir, { poolSize: 1 })];
    const settled = await Promise.allSettled(tries);
    const won = settled.filter((s) => s.status === 'fulfilled');
    for (const s of settled) if (s.status === 'rejected') expect((s.reason as Error).message).toContain(`database ${dir} is locked by process ${process.pid}`);
    await Promise.all(won.map((s) => (s as PromiseFulfilledResult<{ close(): Promise<void> }>).value.close()));
    expect(won.length).toBe(1);
  });

  it('open() through a symlink to an open database is refused', async () => {
    const dir = newDir();
    const link = `${dir}-link`;
    const db = await open(dir, { poolSize: 1 });
    symlinkSync(dir, link);
    await expect(open(link, { poolSize: 1 })).rejects.toThrow(`database ${dir} (opened as ${link}) is locked by process ${process.pid}`);
    await db.close();
    const again = await open(link, { poolSize: 1 });
    await again.close();
  });

  it('a lock left by a killed process is taken over', async () => {
    const dir = newDir();
    const racer = new Racer();
    racer.send(`open ${dir} 0`);
    expect(await racer.next()).toBe(`WON ${racer.pid}`);
    await expect(open(dir, { poolSize: 1 })).rejects.toThrow(`database ${dir} is locked by process ${racer.pid}`);
    racer.child.kill('SIGKILL');
    await racer.exited;
    const db = await open(dir, { poolSize: 1 });
    await db.close();
  });

  it('a second open() in the same thread is refused; after close() it succeeds', async () => {
    const dir = newDir();
    const db = await open(dir, { poolSize: 1 });
    await expect(open(dir, { poolSize: 1 })).rejects.toThrow(`database ${dir} is locked by process ${process.pid} on ${hostname()}, ${threadId === 0 ? 'the main thread' : `worker thread ${threadId}`} of this process`);
    await db.close();
    const again = await open(dir, { poolSize: 1 });
    await again.close();
    // At rest one lock file remains: the free marker of the last writer.
    expect(readdirSync(dir).filter((f) => f.startsWith('LOCK'))).toEqual([expect.stringMatching(/^LOCK\.\d{12}$/)]);
  });

  it('a lock left by a worker thread that was terminated without close() is taken over', async () => {
    const dir = newDir();
    const remote = await openInWorker(dir, { poolSize: 1 });
    await (remote as unknown as { worker: Worker }).worker.terminate();
    const db = await open(dir, { poolSize: 1 });
    await db.close();
  });

  it('a database object whose close() failed no longer holds the lock (same thread)', async () => {
    const storage = new FaultyStorage();
    const db = await open('/d', { storage, poolSize: 1 });
    storage.failNext('rename', 'EIO', 'LOCK');
    await expect(db.close()).rejects.toThrow(/EIO/);
    const again = await open('/d', { storage, poolSize: 1 });
    await again.close();
  });

  it('an open() that fails after linking its lock file marks it free, so other processes are not locked out', async () => {
    const storage = new FaultyStorage();
    storage.failNext('syncDir', 'EIO', '/e');
    await expect(open('/e', { storage, poolSize: 1 })).rejects.toThrow(/EIO/);
    const locks = (await storage.list('/e')).filter((f) => f.startsWith('LOCK'));
    expect(locks).toEqual(['LOCK.000000000000']);
    expect(JSON.parse(new TextDecoder().decode(await storage.readFile('/e/LOCK.000000000000')))).toMatchObject({ pid: process.pid, free: true });
  });

  /** A lock file as another writer would have left it. */
  function plantLock(dir: string, generation: number, content: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `LOCK.${String(generation).padStart(12, '0')}`), content);
  }
  const holder = (pid: number, thread: number, start: string | null) => JSON.stringify({ pid, host: hostname(), start, thread, token: `planted-${pid}-${thread}` });

  // These three rely on Linux's /proc for process start times (the CI machine is Linux).
  it('a lock naming a live pid but a different process start (the pid was reused) is taken over', async () => {
    const dir = newDir();
    plantLock(dir, 5, holder(1, 0, 'another-boot:1'));
    const db = await open(dir, { poolSize: 1 });
    await db.close();
    expect(readdirSync(dir).filter((f) => f.startsWith('LOCK'))).toEqual(['LOCK.000000000006']);
  });

  it("a lock naming this process's pid and another thread, from an earlier process with our pid, is taken over", async () => {
    const dir = newDir();
    plantLock(dir, 2, holder(process.pid, 999_998, 'another-boot:1'));
    const db = await open(dir, { poolSize: 1 });
    await db.close();
  });

  it("a lock naming another live thread of this process is refused; a damaged lock file is taken over", async () => {
    const dir = newDir();
    const { readFileSync } = await import('node:fs');
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const start = `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
    plantLock(dir, 3, holder(process.pid, 999_999, start));
    await expect(open(dir, { poolSize: 1 })).rejects.toThrow(`database ${dir} is locked by process ${process.pid} on ${hostname()}, worker thread 999999 of this process`);
    plantLock(dir, 4, '{"pid": 12');
    const db = await open(dir, { poolSize: 1 });
    await db.close();
  });

  // Rounds cycle through what the racers find: no lock file at all (a fresh directory), a lock
  // left by a killed winner, a lock released by close().
  const KINDS = ['no lock file', 'a stale lock', 'a released lock'] as const;
  it(`${RACERS} processes racing to open one directory, ${ROUNDS} rounds over ${KINDS.join(', ')}: exactly one wins each round`, { timeout: 30_000 + ROUNDS * 10_000 }, async () => {
    let dir = newDir();
    let racers = Array.from({ length: RACERS }, () => new Racer());
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const kind = KINDS[round % KINDS.length];
        if (kind === 'no lock file') dir = newDir();
        const startAt = Date.now() + 300;
        for (const r of racers) r.send(`open ${dir} ${startAt}`);
        const answers = await Promise.all(racers.map((r) => r.next()));
        const winners = racers.filter((_, i) => answers[i].startsWith('WON '));
        expect({ round, kind, winners: winners.length, answers }).toMatchObject({ round, kind, winners: 1 });
        const winner = winners[0];
        for (const a of answers) if (!a.startsWith('WON ')) expect(a).toContain(`database ${dir} is locked by process ${winner.pid}`);
        if (KINDS[(round + 1) % KINDS.length] === 'a stale lock') {
          // The holder dies without releasing the lock.
          winner.child.kill('SIGKILL');
          await winner.exited;
          racers = racers.map((r) => (r === winner ? new Racer() : r));
        } else {
          winner.send('close');
          expect(await winner.next()).toBe(`CLOSED ${winner.pid}`);
        }
      }
    } finally {
      for (const r of racers) r.child.kill('SIGKILL');
      await Promise.all(racers.map((r) => r.exited));
    }
  });
});
