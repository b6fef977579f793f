// Who holds a database lock, and whether that holder is still alive.
//
// A lock names its holder: host, pid, the process's start (Linux: boot id + start time, so a
// pid reused by a later process — a restarted container's pid 1 — is not mistaken for the
// holder), worker thread id and a unique token. The rule, for a lock on this host:
//  - another pid: live while that process runs (and, where known, has the same start);
//  - our pid but another start: an earlier process that had our pid — dead;
//  - our pid and our thread: live exactly while this thread holds (or is taking) the token;
//    a token of this thread it does not hold was abandoned (a close that failed, a crash in
//    the middle of open) — dead;
//  - our pid, another thread: live. Threads share no memory this module could use to ask
//    (a registry on globalThis is per thread), so another thread's lock counts as held
//    until that thread releases it — unless this thread saw that thread exit
//    (openInWorker reports its worker's exit through noteThreadExited).
// A lock on another host is always live: its processes cannot be checked from here.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';

export interface LockHolder {
  pid: number;
  host: string;
  /** Process start identity (Linux), null where unknown. */
  start: string | null;
  thread: number;
  token: string;
  /** A released lock: the file stays as a marker (see lock.ts) and holds nothing. */
  free?: boolean;
}

/** Exited threads remembered per thread; older ones are forgotten past this many. */
const MAX_EXITED_THREADS = 4096;

interface Registry { held: Set<string>; exited: Set<number>; counter: number }

// Per thread, shared by every copy of this module loaded in the thread (two bundled copies
// of the engine must still see each other's locks as held).
const REGISTRY_KEY = Symbol.for('backtracedb.lock.registry');
const registry: Registry = ((globalThis as Record<symbol, Registry | undefined>)[REGISTRY_KEY] ??= { held: new Set(), exited: new Set(), counter: 0 });

function readStart(pid: number | 'self'): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses); starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${boot}:${fields[19]}`;
  } catch {
    return null; // not Linux, or the process is gone
  }
}

const ownStart = readStart('self');

export function newHolder(): LockHolder {
  registry.counter++;
  const random = Math.random().toString(36).slice(2, 10);
  return { pid: process.pid, host: hostname(), start: ownStart, thread: threadId, token: `${process.pid}-${threadId}-${registry.counter}-${random}` };
}

/** This thread holds (or is taking) the lock with this token: other openers see it live. */
export function markHeld(token: string): void { registry.held.add(token); }
/** This thread no longer holds it: a lock file still naming it is stale. */
export function markDropped(token: string): void { registry.held.delete(token); }

/** A worker thread of this process has exited: locks it left behind are stale. */
export function noteThreadExited(thread: number): void {
  if (thread < 0) return;
  registry.exited.add(thread);
  if (registry.exited.size > MAX_EXITED_THREADS) registry.exited.delete(registry.exited.values().next().value as number);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The rule of the header comment. */
export function holderIsLive(h: LockHolder): boolean {
  if (h.free === true) return false;
  if (h.host !== hostname()) return true;
  if (h.pid !== process.pid) {
    if (!pidAlive(h.pid)) return false;
    const theirs = h.start === null ? null : readStart(h.pid);
    return theirs === null || theirs === h.start;
  }
  if (h.start !== null && ownStart !== null && h.start !== ownStart) return false;
  if (h.thread === threadId) return registry.held.has(h.token);
  return !registry.exited.has(h.thread);
}

export function describeHolder(h: LockHolder): string {
  const thread = h.pid === process.pid && h.host === hostname() ? `, ${h.thread === 0 ? 'the main thread' : `worker thread ${h.thread}`} of this process` : '';
  return `process ${h.pid} on ${h.host}${thread}`;
}

export function parseHolder(bytes: Uint8Array): LockHolder | null {
  try {
    const o = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockHolder>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string' && typeof o.thread === 'number'
      && (o.start === null || typeof o.start === 'string')) return o as LockHolder;
  } catch { /* damaged: see lock.ts */ }
  return null;
}
