// kill -9 of a writer right after a late row that followed flush() (WAL + sync(): the row was
// acknowledged), and at random moments of a writer that flushes before late rows so they take
// sealed blocks back (docs/storage.md "Late rows"): after every kill, reopening gives rows
// 0..n-1 exactly once, in (time, append) order, n covering every acknowledged row.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool, type Table, type TableSchema } from 'backtracedb';
import { runUntilKilled } from '../durability/kill-child.js';
// @ts-expect-error plain JS fixture shared with the child process
import { tailRowAt, tailSchema, tailTableOrder } from '../fixtures/tail-rows.mjs';

/** Size knob: kills in CI; BTDB_TAIL_KILL_ITERATIONS=300 for a long run. */
const ITERATIONS = Number(process.env.BTDB_TAIL_KILL_ITERATIONS ?? 8);
const WRITER = fileURLToPath(new URL('../fixtures/tail-writer.mjs', import.meta.url));
const LOWERED = fileURLToPath(new URL('../fixtures/late-lowered.mjs', import.meta.url));
const pool = createPool(1);

interface Row { ts: bigint; id: bigint; sym: string; px: number | null }

async function expectExactTable(t: Table<TableSchema>, where: string): Promise<void> {
  const rows = (await t.reader().toArray()) as unknown as Row[];
  expect(rows.length, where).toBe(t.rowCount);
  expect(rows, where).toEqual(tailTableOrder(t.rowCount));
  expect(await t.reader().count(), where).toBe(t.rowCount);
}

async function kill(dir: string, mode: string, seed: number, disk: boolean, afterMs: number): Promise<number> {
  let acked = -1;
  await runUntilKilled(WRITER, [dir, mode, String(seed), disk ? 'disk' : 'memory'], afterMs, (kind, n) => {
    if (kind === 'ACK') acked = Math.max(acked, Number(n));
  });
  return acked;
}

describe('late rows after flush(): kill -9', () => {
  afterAll(() => pool.destroy());

  for (const disk of [true, false]) {
    it(`the late row acknowledged right before the kill is there once (${disk ? 'disk' : 'memory'} blocks)`, { timeout: 30_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'btdb-tail-kill-'));
      try {
        expect(await kill(dir, 'once', 1, disk, 1)).toBe(40);
        const db = await open(dir, { pool });
        const t = await db.openTable(tailSchema as TableSchema);
        expect(db.lastRecovery?.unexpectedFiles ?? []).toEqual([]);
        expect(t.rowCount).toBe(40);
        await expectExactTable(t, 'after the kill');
        // More late rows after the reopen, then a clean close: still exact.
        await t.flush();
        for (let k = 40; k < 60; k++) t.append(tailRowAt(k));
        await db.close();
        const db2 = await open(dir, { pool });
        await expectExactTable(await db2.openTable(tailSchema as TableSchema), 'after a clean close');
        await db2.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a late row acknowledged before maxBlockSize came down is replayed after kill -9 (the table did not open)', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-late-lowered-'));
    try {
      let acked = -1;
      await runUntilKilled(LOWERED, [dir], 0, (kind, n) => { if (kind === 'ACK') acked = Number(n); });
      expect(acked).toBe(601);
      for (const readOnly of [true, false]) { // a reader replays the same way, before and after the writer's recovery
        const db = await open(dir, { pool, readOnly });
        const t = await db.openTable('low');
        const ts = (await t.reader().toArray()).map((r) => r.ts);
        expect(ts).toEqual([...Array.from({ length: 521 }, (_, i) => BigInt(i)), 520n, ...Array.from({ length: 79 }, (_, i) => BigInt(521 + i))]);
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`loses, doubles and reorders no row at random kills (${ITERATIONS})`, { timeout: 60_000 + ITERATIONS * 5_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-tail-kill-'));
    try {
      let atLeast = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const disk = true;
        const acked = await kill(dir, 'loop', i + 1, disk, 400 + ((i * 211) % 1400)); // past the first block encodes
        atLeast = Math.max(atLeast, acked);
        const db = await open(dir, { pool });
        const t = await db.openTable(tailSchema as TableSchema);
        expect(db.lastRecovery?.unexpectedFiles ?? [], `kill ${i}`).toEqual([]);
        expect(t.rowCount, `kill ${i}`).toBeGreaterThanOrEqual(atLeast);
        await expectExactTable(t, `kill ${i}`);
        atLeast = t.rowCount;
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
