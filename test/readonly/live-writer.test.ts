// Issue 12: a writer in another process appends deterministic rows with sync() and small blocks
// while this process reads read-only, through new opens and one long-lived database: every
// answer is an exact prefix of the table, never shorter than what was acknowledged before the
// reader began, and counts never go backwards. Then the writer is killed (-9): a read-only
// open still sees every acknowledged row. BTDB_LIVE_READS sets how many reads (default 40).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createPool, open } from 'backtracedb';
// @ts-expect-error plain JS fixture shared with the child process
import { crashSchema, rowAt } from '../fixtures/rows.mjs';

const READS = Number(process.env.BTDB_LIVE_READS ?? 40);
const WRITER = fileURLToPath(new URL('../fixtures/crash-writer.mjs', import.meta.url));
const pool = createPool(2);
afterAll(() => pool.destroy());

type Row = { ts: bigint; symbol: string; price: number; volume: bigint; buy: boolean };

function startWriter(dir: string): { child: ChildProcess; acked: () => number; started: Promise<void> } {
  const child = spawn(process.execPath, [WRITER, dir, '77', '200', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let acked = 0;
  let buf = '';
  let onStart: () => void = () => undefined;
  const started = new Promise<void>((resolve) => { onStart = resolve; });
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const [kind, n] = buf.slice(0, nl).split(' ');
      buf = buf.slice(nl + 1);
      if (kind === 'ACK') acked = Math.max(acked, Number(n));
      if (kind === 'START') onStart();
    }
  });
  return { child, acked: () => acked, started };
}

function expectPrefix(rows: Row[], label: string): void {
  for (let k = 0; k < rows.length; k++) {
    const want = rowAt(k) as Row;
    if (rows[k].ts !== want.ts || rows[k].symbol !== want.symbol || rows[k].volume !== want.volume || rows[k].price !== want.price || rows[k].buy !== want.buy) {
      throw new Error(`${label}: row ${k} is ${JSON.stringify(rows[k], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}, expected row ${k} of the writer`);
    }
  }
}

it(`read-only readers next to a writer process see exact prefixes covering every acknowledged row (${READS} reads), and after kill -9`, { timeout: 60_000 + READS * 2_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-live-'));
  const w = startWriter(dir);
  try {
    await w.started;
    const longLived = await open(dir, { readOnly: true, pool });
    const lt = await longLived.openTable(crashSchema);
    let lastLong = 0;
    for (let i = 0; i < READS; i++) {
      const ackedBefore = w.acked();
      if (i % 2 === 0) {
        // A fresh read-only open each time.
        const db = await open(dir, { readOnly: true, pool });
        const t = await db.openTable(crashSchema);
        const rows = (await t.reader().toArray()) as Row[];
        expect(rows.length, `fresh read ${i}`).toBeGreaterThanOrEqual(ackedBefore);
        expectPrefix(rows, `fresh read ${i}`);
        await db.close();
      } else {
        const n = await lt.reader().count();
        expect(n, `long-lived count ${i}`).toBeGreaterThanOrEqual(Math.max(ackedBefore, lastLong));
        lastLong = n;
        if (i % 5 === 1) expectPrefix((await lt.reader().toArray()) as Row[], `long-lived read ${i}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    w.child.kill('SIGKILL');
    await new Promise((r) => w.child.once('exit', r));
    const acked = w.acked();
    expect(acked).toBeGreaterThan(0);
    const after = await open(dir, { readOnly: true, pool });
    const t = await after.openTable(crashSchema);
    const rows = (await t.reader().toArray()) as Row[];
    expect(rows.length).toBeGreaterThanOrEqual(acked);
    expectPrefix(rows, 'after kill -9');
    expect(await lt.reader().count()).toBe(rows.length); // the long-lived one catches up too
    await after.close();
    await longLived.close();
  } finally {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
