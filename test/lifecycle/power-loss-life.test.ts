// Power loss at every file operation of a run that appends and also deletes rows, compacts and
// drops a table (issue 13 item 1; the append-only sweep is test/durability/power-loss.test.ts):
// after the crash, every unsynced write is dropped and the reopened table must hold, exactly
// once, the rows at or after the cutoff of a delete that finished — or of the one cut short.
import { afterAll, describe, expect, it } from 'vitest';
import { FaultyStorage, SimulatedCrash } from '@backtracedb/engine';
import { open, createPool, type Database, type Table, type TableSchema } from 'backtracedb';
// @ts-expect-error plain JS fixture shared with the kill -9 child
import { batchAt, crashSchema, mulberry32, rowAt } from '../fixtures/rows.mjs';

/** Size knob: crash points in CI; BTDB_LIFE_POWER_POINTS=20000 for a long run. */
const POINTS = Number(process.env.BTDB_LIFE_POWER_POINTS ?? 250);
const DB = '/db';
const pool = createPool(1);
afterAll(() => pool.destroy());
const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);
const side = { name: 'side', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }] } as const;

/** Row k is rowAt(k); its volume tells k back. */
const kOf = (volume: bigint): number => Number((volume + 7n) / 1099511627776n);

async function openDb(storage: FaultyStorage): Promise<Database> {
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

interface Progress { acked: number; next: number; doneCutoff: bigint; startedCutoff: bigint | null }

async function workload(storage: FaultyStorage, seed: number, steps: number, p: Progress): Promise<void> {
  const rnd = mulberry32(seed);
  let db: Database | null = null;
  try {
    db = await openDb(storage);
    const t = await openOrCreate(db);
    for (let s = 0; s < steps; s++) {
      const n = 1 + Math.floor(rnd() * 30);
      t.appendBatch(batchAt(p.next, n));
      p.next += n;
      const r = rnd();
      if (r < 0.5) { await t.sync(); p.acked = p.next; }
      if (r >= 0.5 && r < 0.62) {
        const cutoff = rowAt(Math.floor(p.next - rnd() * 90)).ts as bigint;
        p.startedCutoff = cutoff;
        await t.deleteBefore(cutoff);
        if (cutoff > p.doneCutoff) p.doneCutoff = cutoff;
        p.startedCutoff = null;
      } else if (r >= 0.62 && r < 0.72) {
        await t.compact();
      } else if (r >= 0.72 && r < 0.76) {
        const st = await db.createTable(side, { enableWal: true, useDiskStorage: true }).catch(async () => db!.openTable(side));
        st.appendBatch({ ts: new BigInt64Array([1n, 2n]) });
        await st.sync();
        await db.dropTable('side');
      }
    }
    await db.close();
  } catch (err) {
    await db?.close().catch(() => undefined);
    if (!(err instanceof SimulatedCrash) && !/simulated crash/.test((err as Error).message)) throw err;
  }
}

/** The first k whose time is at or after `cutoff`. */
const firstAt = (cutoff: bigint): number => Number(cutoff) * 3;

async function verify(storage: FaultyStorage, p: Progress): Promise<void> {
  const db = await openDb(storage);
  const t = await openOrCreate(db);
  expect(db.lastRecovery?.damaged ?? []).toEqual([]);
  expect(db.lastRecovery?.unexpectedFiles ?? []).toEqual([]);
  const rows = await t.reader().toArray();
  expect(rows.length).toBe(t.rowCount);
  const k0 = rows.length === 0 ? null : kOf(rows[0].volume as bigint);
  for (let i = 0; i < rows.length; i++) {
    if (JSON.stringify(rows[i], big) !== JSON.stringify(rowAt((k0 as number) + i), big)) expect({ i, row: rows[i] }).toEqual({ i, row: rowAt((k0 as number) + i) });
  }
  const end = k0 === null ? null : k0 + rows.length;
  // The kept rows start where a finished delete, or the one cut short, says.
  const starts = [firstAt(p.doneCutoff), ...(p.startedCutoff === null ? [] : [Math.max(firstAt(p.doneCutoff), firstAt(p.startedCutoff))])];
  if (k0 !== null) {
    expect(starts).toContain(k0);
    expect(end as number).toBeGreaterThanOrEqual(p.acked);
  } else {
    expect(starts.some((s) => s >= p.acked)).toBe(true);
  }
  // A drop cut short is finished; a side table left is whole.
  const sideRows = await db.openTable(side).then((s) => s.reader().count(), (err: Error) => { expect(err.message).toMatch(/does not exist/); return 0; });
  expect([0, 2]).toContain(sideRows);
  await db.close();
}

describe('power loss during deleteBefore, compact and dropTable', () => {
  it('a run without faults deletes, compacts (derived block files) and drops', async () => {
    const storage = new FaultyStorage();
    const p: Progress = { acked: 0, next: 0, doneCutoff: 0n, startedCutoff: null };
    await workload(storage, 1, 50, p);
    expect(p.doneCutoff).toBeGreaterThan(0n);
    const names = await storage.list(`${DB}/${crashSchema.name as string}`);
    expect(names.some((n) => /^\d{20}-\d{10}\.parquet$/.test(n))).toBe(true);
    expect(storage.opCount).toBeGreaterThan(200); // crash points spread over these
    await verify(storage, p);
  });

  it(`keeps each row exactly once and each operation whole at ${POINTS} crash points`, { timeout: 60_000 + POINTS * 100 }, async () => {
    let seed = 1;
    let done = 0;
    while (done < POINTS) {
      const probe = new FaultyStorage();
      await workload(probe, seed, 50, { acked: 0, next: 0, doneCutoff: 0n, startedCutoff: null });
      const total = probe.opCount;
      // Spread over the whole run (deletes and compactions come later in it), a new offset per seed.
      const stride = Math.max(1, Math.floor(total / 100));
      for (let i = 1 + (seed % stride); i <= total && done < POINTS; i += stride, done++) {
        const storage = new FaultyStorage();
        storage.crashAtOp(i);
        const p: Progress = { acked: 0, next: 0, doneCutoff: 0n, startedCutoff: null };
        await workload(storage, seed, 50, p);
        storage.crash();
        await verify(storage, p);
      }
      seed++;
    }
    expect(done).toBe(POINTS);
  });
});
