// kill -9 during deleteBefore, compact and dropTable (issue 13 item 1): after reopen every
// acknowledged row not deleted is there exactly once, and each operation happened fully or not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUntilKilled } from '../durability/kill-child.js';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';

/** Size knob: kills per run (BTDB_LIFE_KILLS=500 for a long run). */
const KILLS = Number(process.env.BTDB_LIFE_KILLS ?? 8);
const WRITER = fileURLToPath(new URL('../fixtures/life-writer.mjs', import.meta.url));

interface Run { acked: bigint; doneCutoff: bigint; startedCutoff: bigint | null; dropStarted: boolean }

async function runAndKill(dir: string, seed: number, killAfterMs: number, doneCutoff: bigint): Promise<Run> {
  const run: Run = { acked: -1n, doneCutoff, startedCutoff: null, dropStarted: false };
  await runUntilKilled(WRITER, [dir, String(seed)], killAfterMs, (kind, n) => {
    if (kind === 'ACK') run.acked = BigInt(n);
    if (kind === 'DEL') run.startedCutoff = BigInt(n);
    if (kind === 'DELDONE') { run.doneCutoff = BigInt(n) > run.doneCutoff ? BigInt(n) : run.doneCutoff; run.startedCutoff = null; }
    if (kind === 'DROP') run.dropStarted = true;
    if (kind === 'DROPDONE') run.dropStarted = false;
  });
  return run;
}

describe('kill -9 during a table\'s life', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-life-kill-'));
  const pool = createPool(1);
  afterAll(async () => {
    await pool.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`rows exactly once, operations all or nothing (${KILLS} kills)`, { timeout: 60_000 + KILLS * 4_000 }, async () => {
    let doneCutoff = 0n;
    for (let k = 0; k < KILLS; k++) {
      const run = await runAndKill(dir, 1000 + k, 150 + ((k * 137) % 500), doneCutoff);
      const db = await open(dir, { pool });
      const t = await db.openTable('life');
      const rows = await t.reader().toArray();
      const ts = rows.map((r) => r.ts as bigint);
      // Exactly once, in order, contiguous, values intact.
      for (let i = 1; i < ts.length; i++) expect(ts[i]).toBe(ts[i - 1] + 1n);
      for (const r of rows) expect(r.v).toBe(r.ts);
      expect(t.rowCount).toBe(rows.length);
      const lo = ts.length === 0 ? null : ts[0];
      const hi = ts.length === 0 ? null : ts[ts.length - 1] + 1n;
      // Every acknowledged row not deleted is there.
      if (hi !== null) expect(hi).toBeGreaterThanOrEqual(run.acked);
      // The delete in flight happened fully or not at all; finished ones stay done.
      const allowed = [run.doneCutoff, ...(run.startedCutoff === null ? [] : [run.startedCutoff])];
      if (lo !== null && lo > 0n) expect(allowed.some((c) => c === lo)).toBe(true);
      if (lo === null) expect(allowed.some((c) => c >= run.acked)).toBe(true);
      doneCutoff = lo ?? (run.startedCutoff ?? run.doneCutoff);
      if (run.startedCutoff !== null && lo === run.startedCutoff) doneCutoff = run.startedCutoff;
      expect(db.lastRecovery?.unexpectedFiles).toEqual([]);
      // A drop cut short is finished: the side table is gone or whole.
      const side = await db.openTable('side').then(async (s) => s.reader().count(), () => null);
      if (side !== null) expect(side % 2).toBe(0);
      await db.close();
    }
  });
});
