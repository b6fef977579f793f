// kill -9 at random moments while a child appends with WAL and disk blocks; after each kill
// the table must hold exactly a prefix of the appended rows, covering every acknowledged one.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUntilKilled } from './kill-child.js';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';
// @ts-expect-error plain JS fixture shared with the child process
import { crashSchema, mulberry32, rowAt } from '../fixtures/rows.mjs';

/** Size knob: 50 kills in CI; set BTDB_KILL_ITERATIONS=2000 for a long run. */
const ITERATIONS = Number(process.env.BTDB_KILL_ITERATIONS ?? 50);
const WRITER = fileURLToPath(new URL('../fixtures/crash-writer.mjs', import.meta.url));

interface ChildRun { acked: number; started: number }

async function runAndKill(dir: string, seed: number, killAfterMs: number): Promise<ChildRun> {
  let acked = -1;
  let started = -1;
  await runUntilKilled(WRITER, [dir, String(seed), '300'], killAfterMs, (kind, n) => {
    if (kind === 'ACK') acked = Math.max(acked, Number(n));
    if (kind === 'START') started = Number(n);
  });
  return { acked, started };
}

describe('kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-kill-'));
  const pool = createPool(1);
  afterAll(async () => {
    await pool.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  // The size knob scales the time limit too: about a second per kill, with room to spare.
  it(`never loses an acknowledged row (${ITERATIONS} kills)`, { timeout: 60_000 + ITERATIONS * 3_000 }, async () => {
    const next = mulberry32(1234);
    let expectedAtLeast = 0;
    let verifiedUpTo = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const run = await runAndKill(dir, i + 1, 20 + Math.floor(next() * 400));
      expect(run.started).toBeGreaterThanOrEqual(expectedAtLeast);
      expectedAtLeast = Math.max(expectedAtLeast, run.acked);

      const db = await open(dir, { pool });
      const t = await db.openTable(crashSchema);
      expect(db.lastRecovery?.damaged ?? []).toEqual([]);
      // Only the engine's own leftovers are removed, and there is nothing else.
      expect(db.lastRecovery?.unexpectedFiles ?? []).toEqual([]);
      for (const f of db.lastRecovery?.removedFiles ?? []) expect(f).toMatch(/(\.tmp|\d{20}\.parquet|manifest-\d{10}\.log)$/);
      // Every acknowledged row is there…
      expect(t.rowCount).toBeGreaterThanOrEqual(expectedAtLeast);
      // …and the table is exactly the prefix: check the new rows value by value, the total by count.
      const fresh = await t.reader().filter('ts', '>=', BigInt(Math.floor(verifiedUpTo / 3))).toArray();
      const firstK = Math.floor(verifiedUpTo / 3) * 3;
      expect(fresh.length).toBe(t.rowCount - firstK);
      for (let j = 0; j < fresh.length; j++) {
        const want = rowAt(firstK + j);
        if (JSON.stringify(fresh[j], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) !== JSON.stringify(want, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))) {
          expect(fresh[j]).toEqual(want);
        }
      }
      expect(await t.reader().count()).toBe(t.rowCount);
      // The table keeps accepting appends.
      t.append(rowAt(t.rowCount));
      await t.sync();
      expectedAtLeast = t.rowCount;
      verifiedUpTo = t.rowCount;
      await db.close();
      // After a clean close: table.json, the WAL, one manifest generation and block files only.
      const left = readdirSync(join(dir, crashSchema.name as string)).filter((f) => !/^(table\.json|wal|manifest-\d{10}\.log|\d{20}\.parquet)$/.test(f));
      expect(left).toEqual([]);
      expect(readdirSync(join(dir, crashSchema.name as string)).filter((f) => f.startsWith('manifest'))).toHaveLength(1);
    }
  });
});
