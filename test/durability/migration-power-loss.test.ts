// Power loss at every step of migrating a format-1 table (manifest.json) to the manifest log:
// whatever the crash point, the reopened table holds every row it had, and every acknowledged one.
import { afterAll, describe, expect, it } from 'vitest';
import { auditTableDir, blockToJson, FaultyStorage, loadManifest, writeFileAtomic } from '@backtracedb/engine';
import { open, createPool, type Database } from 'backtracedb';
// @ts-expect-error plain JS fixture shared with the kill -9 child
import { batchAt, crashSchema, rowAt } from '../fixtures/rows.mjs';

/** Size knob: crash points in CI; BTDB_MIGRATION_POINTS=1000 covers every point of a longer run. */
const POINTS = Number(process.env.BTDB_MIGRATION_POINTS ?? 80);
const DB = '/db';
const DIR = `${DB}/${crashSchema.name as string}`;
const pool = createPool(1);
afterAll(() => pool.destroy());
const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

const openDb = (storage: FaultyStorage): Promise<Database> => open(DB, { storage, pool, walFlushDelayMs: 10_000, maxPendingSeals: 0 });

/** A closed table of 200 rows in 5 blocks, stored as format 1 had it. */
async function legacyTable(): Promise<FaultyStorage> {
  const storage = new FaultyStorage();
  const db = await openDb(storage);
  const t = await db.createTable(crashSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 40, rowGroupRows: 16 });
  t.appendBatch(batchAt(0, 200));
  await db.close();
  const loaded = await loadManifest(storage, DIR);
  if (loaded === null) throw new Error('no manifest');
  const blocks = loaded.manifest.blocks.map((b) => { const j = blockToJson(b); delete j.schemaCrc; return j; });
  const json = { format: 1, table: crashSchema.name, durableRowCount: 200, lastTime: String(loaded.manifest.lastTime), blocks };
  await writeFileAtomic(storage, `${DIR}/manifest.json`, new TextEncoder().encode(JSON.stringify(json)));
  await storage.remove(`${DIR}/${loaded.file}`);
  await storage.syncDir(DIR);
  return storage;
}

/** Reopen, append 3 batches (each synced), close: the first block write migrates. */
async function workload(storage: FaultyStorage, acked: { n: number }): Promise<void> {
  let db: Database | null = null;
  try {
    db = await openDb(storage);
    const t = await db.openTable(crashSchema);
    for (let i = 0; i < 3; i++) {
      t.appendBatch(batchAt(t.rowCount, 30));
      const upTo = t.rowCount;
      await t.sync();
      acked.n = upTo;
    }
    await db.close();
  } catch (err) {
    await db?.close().catch(() => undefined);
    if (!/simulated crash/.test((err as Error).message)) throw err;
  }
}

describe('migrating format 1 under power loss', () => {
  it(`keeps every row at each of up to ${POINTS} crash points`, { timeout: 60_000 + POINTS * 500 }, async () => {
    const probe = await legacyTable();
    const start = probe.opCount;
    await workload(probe, { n: 0 });
    const total = probe.opCount - start;
    expect(total).toBeGreaterThan(20);
    const points = Math.min(POINTS, total);
    for (let k = 0; k < points; k++) {
      const i = 1 + Math.floor((k * total) / points);
      const storage = await legacyTable();
      storage.crashAtOp(storage.opCount + i);
      const acked = { n: 200 };
      await workload(storage, acked);
      storage.crash();
      const db = await openDb(storage);
      const t = await db.openTable(crashSchema);
      expect(db.lastRecovery?.unexpectedFiles).toEqual([]);
      expect(t.rowCount).toBeGreaterThanOrEqual(acked.n);
      const got = await t.reader().toArray();
      expect(got.length).toBe(t.rowCount);
      for (let r = 0; r < got.length; r++) {
        if (JSON.stringify(got[r], big) !== JSON.stringify(rowAt(r), big)) expect({ i, r, row: got[r] }).toEqual({ i, r, row: rowAt(r) });
      }
      // Still takes appends; closing writes a block, so the table is migrated by now.
      t.appendBatch(batchAt(t.rowCount, 3));
      await db.close();
      const names = await storage.list(DIR);
      expect(names).not.toContain('manifest.json');
      expect({ ...auditTableDir(names, await loadManifest(storage, DIR, names)) }).toEqual({ leftovers: [], inFlight: [], unlistedBlocks: [], unexpected: [] });
    }
  });
});
