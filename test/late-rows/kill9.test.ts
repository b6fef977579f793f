// kill -9 at random moments while a child appends rows, some late (within the window), with
// WAL and disk blocks: after each kill the table must hold exactly rows 0..n-1 for some n
// covering every acknowledged row, each once, in (time, append) order — across seals that
// leave rows of the window unsealed, and across clean closes that keep them in the WAL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUntilKilled } from '../durability/kill-child.js';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool, type Table, type TableSchema } from 'backtracedb';
// @ts-expect-error plain JS fixture shared with the child process
import { lateRowAt, lateSchema, lateTableOrder, mulberry32 } from '../fixtures/late-rows.mjs';

/** Size knob: kills in CI; BTDB_LATE_KILL_ITERATIONS=500 for a long run. */
const ITERATIONS = Number(process.env.BTDB_LATE_KILL_ITERATIONS ?? 12);
const WRITER = fileURLToPath(new URL('../fixtures/late-writer.mjs', import.meta.url));

interface Row { ts: bigint; id: bigint; sym: string; px: number; ok: boolean }

async function runAndKill(dir: string, seed: number, killAfterMs: number): Promise<{ acked: number; started: number }> {
  let acked = -1;
  let started = -1;
  await runUntilKilled(WRITER, [dir, String(seed), '97'], killAfterMs, (kind, n) => {
    if (kind === 'ACK') acked = Math.max(acked, Number(n));
    if (kind === 'START') started = Number(n);
  });
  return { acked, started };
}

/** The table holds exactly rows 0..rowCount-1 in (time, append) order, each value intact. */
async function expectExactTable(t: Table<TableSchema>): Promise<void> {
  const rows = (await t.reader().toArray()) as unknown as Row[];
  expect(rows.length).toBe(t.rowCount);
  const want = lateTableOrder(t.rowCount) as Row[];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const w = want[i];
    if (r.ts !== w.ts || r.id !== w.id || r.sym !== w.sym || r.px !== w.px || r.ok !== w.ok) expect({ i, row: r }).toEqual({ i, row: w });
  }
  expect(await t.reader().count()).toBe(t.rowCount);
}

describe('late rows: kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-late-kill-'));
  const pool = createPool(1);
  afterAll(async () => {
    await pool.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses, doubles and reorders no row (${ITERATIONS} kills)`, { timeout: 60_000 + ITERATIONS * 5_000 }, async () => {
    const next = mulberry32(77);
    let expectedAtLeast = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const run = await runAndKill(dir, i + 1, 20 + Math.floor(next() * 250));
      expect(run.started).toBeGreaterThanOrEqual(expectedAtLeast);
      expectedAtLeast = Math.max(expectedAtLeast, run.acked);
      const db = await open(dir, { pool });
      const t = await db.openTable(lateSchema as TableSchema);
      expect(db.lastRecovery?.damaged ?? []).toEqual([]);
      expect(db.lastRecovery?.unexpectedFiles ?? []).toEqual([]);
      expect(t.rowCount).toBeGreaterThanOrEqual(expectedAtLeast);
      await expectExactTable(t);
      // Still takes rows, late ones included, and a clean close keeps them.
      for (let k = 0; k < 5; k++) t.append(lateRowAt(t.rowCount));
      await t.sync();
      expectedAtLeast = t.rowCount;
      await db.close();
    }
    const db = await open(dir, { pool });
    const t = await db.openTable(lateSchema as TableSchema);
    expect(t.rowCount).toBe(expectedAtLeast);
    await expectExactTable(t);
    await db.close();
  });
});
