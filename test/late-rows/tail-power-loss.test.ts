// Power loss at every step of a run that calls flush() right before late rows, so they take
// sealed blocks back and the next seals replace those blocks (docs/storage.md, "Reopening the
// tail"): crash at each mutating file operation, drop every unsynced write, reopen, and the
// table must be exactly rows 0..n-1 in (time, append) order, covering every acknowledged row.
import { afterAll, describe, expect, it } from 'vitest';
import { FaultyStorage, SimulatedCrash } from '@backtracedb/engine';
import { open, createPool, type Database, type Table, type TableSchema } from 'backtracedb';
import { seededRandom } from 'backtracedb/sample-data';
// @ts-expect-error plain JS fixture shared with the kill -9 child
import { TAIL_WINDOW, tailRowAt, tailSchema, tailTableOrder } from '../fixtures/tail-rows.mjs';

/** Size knob: crash points in CI; BTDB_TAIL_POWER_LOSS_POINTS=5000 for a long run. */
const POINTS = Number(process.env.BTDB_TAIL_POWER_LOSS_POINTS ?? 150);
const DB = '/db';
const pool = createPool(1);
afterAll(() => pool.destroy());

function openDb(storage: FaultyStorage): Promise<Database> {
  // A long flush delay: every write happens at an explicit sync, seal or flush, so crash point
  // i always lands on the same operation.
  return open(DB, { storage, pool, walFlushDelayMs: 10_000, maxPendingSeals: 0 });
}

async function openOrCreate(db: Database, wal: boolean): Promise<Table<TableSchema>> {
  try {
    return await db.openTable(tailSchema as TableSchema);
  } catch (err) {
    if (!/does not exist/.test((err as Error).message)) throw err;
    return (await db.createTable(tailSchema as TableSchema, { enableWal: wal, useDiskStorage: true, maxBlockSize: 8, rowGroupRows: 3, outOfOrderWindow: TAIL_WINDOW })) as unknown as Table<TableSchema>;
  }
}

/** `acked`: rows durable for sure (sync() with a WAL; flush() or close() without). */
async function workload(storage: FaultyStorage, seed: number, wal: boolean, steps: number, acked: { n: number }): Promise<void> {
  const next = seededRandom(seed);
  let db: Database | null = null;
  try {
    db = await openDb(storage);
    let t = await openOrCreate(db, wal);
    for (let s = 0; s < steps; s++) {
      const k = t.rowCount;
      if (k % 10 === 9 && next() < 0.7) { await t.flush(); acked.n = Math.max(acked.n, k); }
      t.append(tailRowAt(k));
      if (wal && next() < 0.4) { await t.sync(); acked.n = Math.max(acked.n, k + 1); }
      if (next() < 0.04) {
        await db.close();
        acked.n = Math.max(acked.n, t.rowCount);
        db = await openDb(storage);
        t = await openOrCreate(db, wal);
      }
    }
    await db.close();
  } catch (err) {
    await db?.close().catch(() => undefined); // the machine is off: this only releases what it can
    if (!(err instanceof SimulatedCrash) && !/simulated crash/.test((err as Error).message)) throw err;
  }
}

interface Row { ts: bigint; id: bigint; sym: string; px: number | null }

/**
 * With a WAL: exactly rows 0..n-1, n ≥ acked. Without one, rows not sealed are lost on a crash
 * (some later rows may be in blocks): every acknowledged row once, no row twice, each intact,
 * in (time, append) order.
 */
async function verify(storage: FaultyStorage, wal: boolean, acked: number, where: string): Promise<void> {
  const db = await openDb(storage);
  const t = await openOrCreate(db, wal);
  expect(db.lastRecovery?.damaged ?? [], where).toEqual([]);
  const rows = (await t.reader().toArray()) as unknown as Row[];
  expect(rows.length, where).toBe(t.rowCount);
  if (wal) {
    expect(t.rowCount, where).toBeGreaterThanOrEqual(acked);
    expect(rows, where).toEqual(tailTableOrder(t.rowCount));
  } else {
    const ids = rows.map((r) => Number(r.id));
    expect(new Set(ids).size, where).toBe(ids.length);
    for (let k = 0; k < acked; k++) expect(ids.includes(k), `${where}: acknowledged row ${k}`).toBe(true);
    expect(rows, where).toEqual([...ids].map((k) => tailRowAt(k)).sort((a: Row, b: Row) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : Number(a.id - b.id))));
  }
  await db.close();
}

describe('late rows after flush(): power loss', () => {
  it('without a WAL, a crash after a seal that left rows unsealed loses only those rows (the open found a "WAL gap")', async () => {
    const storage = new FaultyStorage();
    const db = await openDb(storage);
    const t = await openOrCreate(db, false);
    for (let k = 0; k < 13; k++) t.append(tailRowAt(k)); // blocks of 8 under a 50 window: a seal leaves rows
    await t.sync(); // without a WAL: the sealed block is written
    storage.crashAtOp(storage.opCount + 1); // the power goes now: close() gets nothing done
    await db.close().catch(() => undefined);
    storage.crash();
    const again = await openDb(storage);
    const t2 = await openOrCreate(again, false);
    const rows = (await t2.reader().toArray()) as unknown as Row[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(tailTableOrder(13).filter((r: Row) => rows.some((x) => x.id === r.id)));
    await again.close();
  });

  for (const wal of [true, false]) {
    it(`loses no acknowledged row and doubles or reorders none (${wal ? 'WAL' : 'no WAL'}, ${POINTS / 2} crash points)`, { timeout: 60_000 + POINTS * 80 }, async () => {
      const probe = new FaultyStorage();
      await workload(probe, 1, wal, 120, { n: 0 });
      await verify(probe, wal, 120, 'no crash');
      let seed = 1;
      let done = 0;
      while (done < POINTS / 2) {
        const run = new FaultyStorage();
        await workload(run, seed, wal, 120, { n: 0 });
        const total = run.opCount;
        const stride = Math.max(1, Math.floor(total / 40));
        for (let i = 1 + (seed % stride); i <= total && done < POINTS / 2; i += stride, done++) {
          const storage = new FaultyStorage();
          storage.crashAtOp(i);
          const acked = { n: 0 };
          await workload(storage, seed, wal, 120, acked);
          storage.crash();
          await verify(storage, wal, acked.n, `seed ${seed} crash at op ${i} of ${total}`);
        }
        seed++;
      }
    });
  }
});
