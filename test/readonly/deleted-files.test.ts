// A long-lived read-only reader next to a writer in another process must not keep the
// writer's deleted files alive: the read-handle cache closes handles idle for IDLE_HANDLE_MS
// (before: descriptors of dozens of retired WAL segments and manifest logs stayed open, and
// with them their disk space, up to MAX_READ_HANDLES files).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { open } from 'backtracedb';
import { IDLE_HANDLE_MS } from '@backtracedb/engine';
// @ts-expect-error plain JS fixture shared with the child process
import { crashSchema } from '../fixtures/rows.mjs';

const WRITER = fileURLToPath(new URL('../fixtures/crash-writer.mjs', import.meta.url));

function deletedOpenFiles(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir) && target.endsWith('(deleted)')) out.push(target);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

it.skipIf(process.platform !== 'linux')('a reader releases the files a writer process deleted once their handles idle', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-deleted-'));
  const child = spawn(process.execPath, [WRITER, dir, '5', '200', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('START')) resolve(); });
      child.on('exit', (code) => reject(new Error(`writer exited with ${code}`)));
    });
    const db = await open(dir, { readOnly: true });
    const t = await db.openTable(crashSchema);
    let seen = 0;
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      const n = await t.reader().count();
      expect(n).toBeGreaterThanOrEqual(seen);
      seen = n;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBeGreaterThan(1_000); // the writer sealed blocks and retired segments meanwhile
    child.kill('SIGKILL');
    // Idle handles close within IDLE_HANDLE_MS and one sweep; a loaded machine may delay the timer.
    const deadline = Date.now() + IDLE_HANDLE_MS * 5;
    await new Promise((r) => setTimeout(r, IDLE_HANDLE_MS * 1.5));
    while (deletedOpenFiles(dir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(deletedOpenFiles(dir)).toEqual([]);
    await db.close();
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
