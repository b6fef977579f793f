// Issue 12 item 3: block files vanish under read-only readers while a writer process compacts
// and deletes; every read still answers without an error, each row once, in order.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';

/** Size knob: writer rounds (BTDB_LIFE_LIVE_ROUNDS=5000 for a long run). */
const ROUNDS = Number(process.env.BTDB_LIFE_LIVE_ROUNDS ?? 400);
const WRITER = fileURLToPath(new URL('../fixtures/life-writer.mjs', import.meta.url));
const pool = createPool(2);
afterAll(() => pool.destroy());

/**
 * Each row once, in order, values intact. Gaps (rows skipped inside one read) are recorded:
 * with read leases (docs/readers.md) there are none — a concurrent deleteBefore does not take
 * the files of a read that began before it; without a lease (an unwritable table directory) a
 * read that resumed after a file vanished may skip rows deleted meanwhile, all older than the
 * oldest row left.
 */
function checkRows(rows: Array<Record<string, unknown>>, gaps: Array<[bigint, bigint]>): void {
  for (let i = 0; i < rows.length; i++) {
    expect(rows[i].v).toBe(rows[i].ts);
    if (i === 0) continue;
    const prev = rows[i - 1].ts as bigint;
    const ts = rows[i].ts as bigint;
    if (ts <= prev) expect({ i, ts }).toEqual({ i, ts: prev + 1n });
    if (ts > prev + 1n) gaps.push([prev + 1n, ts]);
  }
}

describe('read-only readers while a writer process compacts and deletes', () => {
  it('never fail and never count a row twice', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-life-ro-'));
    let child: ReturnType<typeof spawn> | null = null;
    try {
      // The table exists before the reader opens.
      const db0 = await open(dir, { pool });
      await db0.createTable({ name: 'life', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'int64' }] }, { enableWal: true, useDiskStorage: true, maxBlockSize: 150 });
      await db0.close();
      child = spawn(process.execPath, [WRITER, dir, '7', String(ROUNDS)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let closed = false;
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('CLOSED')) closed = true; });
      child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
      const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
      const ro = await open(dir, { readOnly: true, pool });
      const t = await ro.openTable('life');
      let reads = 0;
      const gaps: Array<[bigint, bigint]> = [];
      while (!closed && reads < 10_000) {
        const rows = await t.reader().toArray();
        checkRows(rows, gaps);
        const n = await t.reader().count();
        expect(n).toBeGreaterThanOrEqual(0);
        // A streamed read, slowed down so the writer moves files under it.
        const streamed: Array<Record<string, unknown>> = [];
        for await (const r of t.reader()) { streamed.push(r); if (streamed.length % 200 === 0) await new Promise((res) => setTimeout(res, 1)); }
        checkRows(streamed, gaps);
        const agg = await t.reader().aggregate({ values: { n: ['count'], s: ['sum', 'v'] } }).toArray();
        expect(agg.length).toBeLessThanOrEqual(1);
        reads++;
      }
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
      expect(reads).toBeGreaterThan(3);
      // After the writer closed: the reader agrees with a fresh writer open.
      const last = await t.reader().toArray();
      // Rows a read skipped were deleted: all older than the oldest row left.
      const oldest = last.length === 0 ? null : last[0].ts as bigint;
      for (const [from, to] of gaps) expect(oldest === null || to <= oldest, `gap ${from}..${to - 1n}, oldest row left ${oldest}`).toBe(true);
      expect(gaps).toEqual([]); // the readers held leases
      await ro.close();
      const db = await open(dir, { pool });
      expect(await (await db.openTable('life')).reader().toArray()).toEqual(last);
      await db.close();
    } finally {
      if (child !== null && child.exitCode === null) { child.kill('SIGKILL'); await new Promise((res) => child?.on('exit', res)); }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
