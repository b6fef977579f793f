// Issue 12, read leases across processes (docs/readers.md): a read-only reader of this process
// that began before a writer process's deleteBefore / retention / compact / dropTable yields every
// row acknowledged before it began — the writer keeps the files the reader's lease covers and
// deletes them once it has finished. A lease of a dead process blocks nothing; a reader that
// cannot write its lease falls back to the vanished-file retry.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool, open } from 'backtracedb';

const WRITER = fileURLToPath(new URL('../fixtures/lease-writer.mjs', import.meta.url));
const ROWS = 2000;
const BLOCK_ROWS = 100; // 20 blocks: more than a reader scans ahead, so most are read after the pause
const pool = createPool(2);
afterAll(() => pool.destroy());

interface Writer { child: ChildProcess; run(cmd: string): Promise<void>; stop(): Promise<void> }

async function startWriter(dir: string, rows = ROWS): Promise<Writer> {
  const child = spawn(process.execPath, [WRITER, dir, String(rows), String(BLOCK_ROWS)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let wake: () => void = () => undefined;
  let stderr = '';
  let buf = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, nl)); buf = buf.slice(nl + 1); wake(); }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => { wake(); resolve(); }));
  const nextLine = async (): Promise<string> => {
    for (let waited = 0; lines.length === 0; waited++) {
      if (child.exitCode !== null || waited > 300) throw new Error(`writer gave no answer: ${stderr}`);
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100); });
    }
    return lines.shift() as string;
  };
  const ready = await nextLine();
  if (ready !== `READY ${rows}`) throw new Error(`writer: ${ready} ${stderr}`);
  return {
    child,
    async run(cmd) {
      child.stdin?.write(`${cmd}\n`);
      const line = await nextLine();
      if (line !== `DONE ${cmd}`) throw new Error(`writer: ${line} ${stderr}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

const blockFiles = (tdir: string): string[] => readdirSync(tdir).filter((f) => f.endsWith('.parquet'));
const leaseFiles = (tdir: string): string[] => (existsSync(join(tdir, 'readers')) ? readdirSync(join(tdir, 'readers')) : []);

async function waitFor(what: string, ok: () => boolean, limitMs = 5_000): Promise<void> {
  for (const start = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting until ${what}`);
  }
}

/** Open read-only, begin a row reader and take its first row: the reader is in flight, paused. */
async function pausedReader(dir: string) {
  const ro = await open(dir, { readOnly: true, pool });
  const t = await ro.openTable('leased');
  const it = t.reader()[Symbol.asyncIterator]();
  const first = await it.next();
  const rest = async (): Promise<bigint[]> => {
    const out = [(first.value as { ts: bigint }).ts];
    for (let r = await it.next(); r.done !== true; r = await it.next()) out.push((r.value as { ts: bigint }).ts);
    return out;
  };
  return { ro, t, rest };
}

const allRows = Array.from({ length: ROWS }, (_, i) => BigInt(i));

describe('read leases: a reader of another process keeps the files it may read', () => {
  for (const op of ['DELETE', 'RETAIN', 'COMPACT', 'DROP'] as const) {
    it(`a paused reader yields every row acknowledged before it began, after the writer's ${op}`, { timeout: 60_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'btdb-lease-'));
      const tdir = join(dir, 'leased');
      const w = await startWriter(dir);
      try {
        const before = blockFiles(tdir);
        expect(before).toHaveLength(ROWS / BLOCK_ROWS);
        const { ro, t, rest } = await pausedReader(dir);
        expect(leaseFiles(tdir).filter((f) => f.endsWith('.lease'))).toHaveLength(1);
        await w.run(op);
        await new Promise((r) => setTimeout(r, 500)); // a few of the writer's retry periods
        // The writer kept every file the reader's snapshot lists.
        for (const f of before) expect(existsSync(join(tdir, f)), f).toBe(true);
        expect(await rest()).toEqual(allRows);
        // The reader has finished: its lease is gone, and the writer deletes the files.
        await waitFor('the reader lease is removed', () => leaseFiles(tdir).every((f) => !f.endsWith('.lease')));
        if (op === 'DROP') {
          await waitFor('the dropped table directory is removed', () => !existsSync(tdir));
          await expect(t.reader().count()).rejects.toThrow(/leased/);
        } else {
          await waitFor('the replaced block files are deleted', () => before.every((f) => !existsSync(join(tdir, f))));
          expect(await t.reader().count()).toBe(op === 'DELETE' ? 0 : op === 'RETAIN' ? BLOCK_ROWS : ROWS);
        }
        await ro.close();
        await w.run('CLOSE');
      } finally {
        await w.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('files a lease holds survive the writer closing and the next writer opening, and go once the reader ends', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-lease-reopen-'));
    const tdir = join(dir, 'leased');
    const first = await startWriter(dir);
    let second: Writer | null = null;
    try {
      const before = blockFiles(tdir);
      const { ro, rest } = await pausedReader(dir);
      await first.run('DELETE');
      await first.run('CLOSE');
      second = await startWriter(dir, 0); // its open finds the removed files still leased
      await new Promise((r) => setTimeout(r, 300));
      for (const f of before) expect(existsSync(join(tdir, f)), f).toBe(true);
      expect(await rest()).toEqual(allRows);
      await waitFor('the second writer deletes the replaced block files', () => before.every((f) => !existsSync(join(tdir, f))));
      await ro.close();
      await second.run('CLOSE');
    } finally {
      await first.stop();
      await second?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a lease left by a dead process does not keep files, and the writer removes it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-lease-dead-'));
    const tdir = join(dir, 'leased');
    const w = await startWriter(dir);
    try {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid as number; // exited: its pid is free
      const stale = `${dead}-0123456789abcdef.lease`;
      mkdirSync(join(tdir, 'readers'), { recursive: true });
      writeFileSync(join(tdir, 'readers', stale), '0\n');
      const before = blockFiles(tdir);
      await w.run('DELETE');
      await waitFor('the replaced block files are deleted', () => before.every((f) => !existsSync(join(tdir, f))));
      expect(leaseFiles(tdir)).toEqual([]);
      await w.run('CLOSE');
    } finally {
      await w.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a reader that cannot write its lease still answers, through the vanished-file retry', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-lease-none-'));
    const tdir = join(dir, 'leased');
    const w = await startWriter(dir);
    const readers = join(tdir, 'readers');
    try {
      // No permission on the readers directory; as root (where modes do not stop writes) a
      // plain file stands where the directory should be.
      if (process.getuid?.() === 0) writeFileSync(readers, 'not a directory');
      else { mkdirSync(readers); chmodSync(readers, 0o555); }
      const before = blockFiles(tdir);
      const { ro, t, rest } = await pausedReader(dir);
      await w.run('COMPACT');
      // Nothing holds the files: the writer deletes them at once…
      await waitFor('the replaced block files are deleted', () => before.every((f) => !existsSync(join(tdir, f))));
      // …and the reader resumes over the compacted blocks by row sequence number.
      expect(await rest()).toEqual(allRows);
      expect(await t.reader().count()).toBe(ROWS);
      await ro.close();
      await w.run('CLOSE');
    } finally {
      await w.stop();
      if (existsSync(readers)) chmodSync(readers, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
