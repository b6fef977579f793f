// Power loss at every step: with the fault-injecting storage, crash at each mutating file
// operation of a run that appends, group-commits, rotates, writes blocks, updates the
// manifest and retires WAL segments; then drop every unsynced write, reopen and check.
import { afterAll, describe, expect, it } from 'vitest';
import { auditTableDir, FaultyStorage, loadManifest, parseManifestFileName, SimulatedCrash } from '@backtracedb/engine';
import { open, createPool, type Database, type Table, type TableSchema } from 'backtracedb';
// @ts-expect-error plain JS fixture shared with the kill -9 child
import { batchAt, crashSchema, mulberry32, rowAt } from '../fixtures/rows.mjs';

/** Size knob: crash points in CI (≥ 1000); BTDB_POWER_LOSS_POINTS=20000 for a long run. */
const POINTS = Number(process.env.BTDB_POWER_LOSS_POINTS ?? 1000);
const DB = '/db';
const pool = createPool(1);
afterAll(() => pool.destroy());

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

async function openDb(storage: FaultyStorage): Promise<Database> {
  // A long flush delay makes every write happen at an explicit sync/seal: the op sequence is
  // deterministic, so crash point i always lands on the same operation.
  return open(DB, { storage, pool, walFlushDelayMs: 10_000, maxPendingSeals: 0 });
}

async function openOrCreate(db: Database): Promise<Table<TableSchema>> {
  try {
    return await db.openTable(crashSchema);
  } catch (err) {
    if (!/does not exist/.test((err as Error).message)) throw err;
    return (await db.createTable(crashSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 40, rowGroupRows: 16 })) as unknown as Table<TableSchema>;
  }
}

/** Appends until `steps` are done (or the storage crashes); returns the highest acknowledged count. */
async function workload(storage: FaultyStorage, seed: number, steps: number, acked: { n: number }): Promise<void> {
  const next = mulberry32(seed);
  let db: Database | null = null;
  try {
    db = await openDb(storage);
    const t = await openOrCreate(db);
    for (let s = 0; s < steps; s++) {
      const r = next();
      if (r < 0.4) for (let i = 0, n = 1 + Math.floor(next() * 5); i < n; i++) t.append(rowAt(t.rowCount));
      else t.appendBatch(batchAt(t.rowCount, 1 + Math.floor(next() * 30)));
      if (next() < 0.5) {
        const upTo = t.rowCount;
        await t.sync();
        acked.n = Math.max(acked.n, upTo);
      }
    }
    await db.close();
  } catch (err) {
    await db?.close().catch(() => undefined); // the machine is off: this only releases what it can
    if (!(err instanceof SimulatedCrash) && !/simulated crash/.test((err as Error).message)) throw err;
  }
}

async function verify(storage: FaultyStorage, acked: number): Promise<number> {
  const db = await openDb(storage);
  const t = await openOrCreate(db);
  expect(db.lastRecovery?.damaged ?? []).toEqual([]);
  expect(db.lastRecovery?.unexpectedFiles ?? []).toEqual([]);
  expect(t.rowCount).toBeGreaterThanOrEqual(acked);
  const rows = await t.reader().toArray();
  expect(rows.length).toBe(t.rowCount);
  for (let k = 0; k < rows.length; k++) {
    if (JSON.stringify(rows[k], big) !== JSON.stringify(rowAt(k), big)) expect({ k, row: rows[k] }).toEqual({ k, row: rowAt(k) });
  }
  // Still takes appends, and they last.
  t.appendBatch(batchAt(t.rowCount, 3));
  await t.sync();
  const n = t.rowCount;
  await db.close();
  await expectOnlyAccountedFiles(storage);
  return n;
}

/** After a clean close every file in the table directory is one the manifest accounts for. */
async function expectOnlyAccountedFiles(storage: FaultyStorage): Promise<void> {
  const dir = `${DB}/${crashSchema.name as string}`;
  const names = await storage.list(dir);
  const audit = auditTableDir(names, await loadManifest(storage, dir, names));
  expect({ ...audit }).toEqual({ leftovers: [], inFlight: [], unlistedBlocks: [], unexpected: [] });
}

describe('power loss', () => {
  it('a run without faults needs enough operations to give every crash point', async () => {
    const storage = new FaultyStorage();
    await workload(storage, 1, 60, { n: 0 });
    expect(storage.opCount).toBeGreaterThan(100);
    // The manifest log is snapshotted to a new generation within the run, so crash points
    // land inside snapshots as well as appends.
    const names = await storage.list(`${DB}/${crashSchema.name as string}`);
    expect(Math.max(...names.map((n) => parseManifestFileName(n) ?? 0))).toBeGreaterThan(1);
  });

  it(`loses no acknowledged row at any of ${POINTS} crash points`, { timeout: 60_000 + POINTS * 60 }, async () => {
    let seed = 1;
    let done = 0;
    while (done < POINTS) {
      // Count the operations of this seed's run, then crash at each of them.
      const probe = new FaultyStorage();
      await workload(probe, seed, 60, { n: 0 });
      const total = probe.opCount;
      for (let i = 1; i <= total && done < POINTS; i++, done++) {
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
