// Power loss at every step of a run that appends rows, some late, with seals that leave the
// window's rows unsealed (WAL + disk blocks, small blocks): crash at each mutating file
// operation, drop every unsynced write, reopen, and the table must be exactly rows 0..n-1 in
// (time, append) order, covering every acknowledged row.
import { afterAll, describe, expect, it } from 'vitest';
import { FaultyStorage, SimulatedCrash } from '@backtracedb/engine';
import { open, createPool, type Database, type Table, type TableSchema } from 'backtracedb';
// @ts-expect-error plain JS fixture shared with the kill -9 child
import { LATE_WINDOW, lateBatchAt, lateRowAt, lateSchema, lateTableOrder, mulberry32 } from '../fixtures/late-rows.mjs';

/** Size knob: crash points in CI; BTDB_LATE_POWER_LOSS_POINTS=10000 for a long run. */
const POINTS = Number(process.env.BTDB_LATE_POWER_LOSS_POINTS ?? 200);
const DB = '/db';
const pool = createPool(1);
afterAll(() => pool.destroy());

interface Row { ts: bigint; id: bigint; sym: string; px: number; ok: boolean }

async function openDb(storage: FaultyStorage): Promise<Database> {
  // A long flush delay: every write happens at an explicit sync or seal, so crash point i
  // always lands on the same operation.
  return open(DB, { storage, pool, walFlushDelayMs: 10_000, maxPendingSeals: 0 });
}

async function openOrCreate(db: Database): Promise<Table<TableSchema>> {
  try {
    return await db.openTable(lateSchema as TableSchema);
  } catch (err) {
    if (!/does not exist/.test((err as Error).message)) throw err;
    return (await db.createTable(lateSchema as TableSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 40, rowGroupRows: 16, outOfOrderWindow: LATE_WINDOW })) as unknown as Table<TableSchema>;
  }
}

async function workload(storage: FaultyStorage, seed: number, steps: number, acked: { n: number }): Promise<void> {
  const next = mulberry32(seed);
  let db: Database | null = null;
  try {
    db = await openDb(storage);
    const t = await openOrCreate(db);
    for (let s = 0; s < steps; s++) {
      if (next() < 0.4) for (let i = 0, n = 1 + Math.floor(next() * 5); i < n; i++) t.append(lateRowAt(t.rowCount));
      else t.appendBatch(lateBatchAt(t.rowCount, 1 + Math.floor(next() * 30)));
      if (next() < 0.5) {
        const upTo = t.rowCount;
        await t.sync();
        acked.n = Math.max(acked.n, upTo);
      }
      // A clean close and reopen now and then: the window's rows stay in the WAL across it.
      if (next() < 0.05) {
        await db.close();
        acked.n = Math.max(acked.n, t.rowCount);
        db = await openDb(storage);
        return await continueOn(db, next, steps - s - 1, acked);
      }
    }
    await db.close();
  } catch (err) {
    await db?.close().catch(() => undefined); // the machine is off: this only releases what it can
    if (!(err instanceof SimulatedCrash) && !/simulated crash/.test((err as Error).message)) throw err;
  }
}

async function continueOn(db: Database, next: () => number, steps: number, acked: { n: number }): Promise<void> {
  const t = await openOrCreate(db);
  for (let s = 0; s < steps; s++) {
    t.appendBatch(lateBatchAt(t.rowCount, 1 + Math.floor(next() * 30)));
    if (next() < 0.5) { const upTo = t.rowCount; await t.sync(); acked.n = Math.max(acked.n, upTo); }
  }
  await db.close();
}

async function verify(storage: FaultyStorage, acked: number): Promise<void> {
  const db = await openDb(storage);
  const t = await openOrCreate(db);
  expect(db.lastRecovery?.damaged ?? []).toEqual([]);
  expect(t.rowCount).toBeGreaterThanOrEqual(acked);
  const rows = (await t.reader().toArray()) as unknown as Row[];
  const want = lateTableOrder(t.rowCount) as Row[];
  expect(rows.length).toBe(want.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const w = want[i];
    if (r.ts !== w.ts || r.id !== w.id || r.sym !== w.sym || r.px !== w.px || r.ok !== w.ok) expect({ i, row: r }).toEqual({ i, row: w });
  }
  await db.close();
}

describe('late rows: power loss', () => {
  it('a run without faults seals blocks that leave rows unsealed', async () => {
    const storage = new FaultyStorage();
    await workload(storage, 1, 60, { n: 0 });
    expect(storage.opCount).toBeGreaterThan(100);
    await verify(storage, 0);
  });

  it(`loses no acknowledged row and doubles or reorders none at ${POINTS} crash points`, { timeout: 60_000 + POINTS * 80 }, async () => {
    let seed = 1;
    let done = 0;
    while (done < POINTS) {
      const probe = new FaultyStorage();
      await workload(probe, seed, 60, { n: 0 });
      const total = probe.opCount;
      // Spread the points over the whole run of each seed.
      const stride = Math.max(1, Math.floor(total / 150));
      for (let i = 1 + (seed % stride); i <= total && done < POINTS; i += stride, done++) {
        const storage = new FaultyStorage();
        storage.crashAtOp(i);
        const acked = { n: 0 };
        await workload(storage, seed, 60, acked);
        storage.crash();
        await verify(storage, acked.n);
      }
      seed++;
    }
    expect(done).toBe(POINTS);
  });
});
