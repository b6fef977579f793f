// openInWorker appends: rows checked on the calling side share one promise per crossing; while
// an appendBatch is in flight rows take the exact per-row path; either way every row's promise
// says exactly whether that row was appended, and the table holds exactly the appended rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInWorker } from 'backtracedb';

const root = mkdtempSync(join(tmpdir(), 'btdb-remote-batches-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const schema = {
  name: 'ticks', timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'px', type: 'float64' }, { name: 'buy', type: 'bool' }, { name: 'n', type: 'int64' }],
} as const;
const row = (k: number) => ({ ts: BigInt(k), sym: `s${k % 7}`, px: k / 4, buy: k % 2 === 0, n: k % 3 === 0 ? k : BigInt(-k) });

async function settled(ps: Array<Promise<void>>): Promise<boolean[]> {
  return (await Promise.allSettled(ps)).map((s) => s.status === 'fulfilled');
}

describe('openInWorker appends', () => {
  it('rows before, during and after an appendBatch, good and bad: each promise is exact and the table holds exactly the good rows', async () => {
    const dir = join(root, 'a');
    const db = await openInWorker(dir, { poolSize: 0 });
    try {
      const t = await db.createTable(schema, { maxBlockSize: 1000 });
      const want: Array<ReturnType<typeof row>> = [];
      const first = Array.from({ length: 20_000 }, (_, k) => row(k)); // more than one crossing
      const a = first.map((r) => t.append(r));
      want.push(...first);
      // The batch is in flight while these rows arrive: the per-row path, checked in the worker.
      const batch = Array.from({ length: 100 }, (_, k) => row(20_000 + k));
      const b = t.appendBatch({ ts: batch.map((r) => r.ts), sym: batch.map((r) => r.sym), px: batch.map((r) => r.px), buy: batch.map((r) => r.buy), n: batch.map((r) => r.n) });
      want.push(...batch);
      const during = [row(30_000), row(10), row(30_001)].map((r) => t.append(r)); // 10 is older than the batch: refused
      want.push(row(30_000), row(30_001));
      expect(await b).toBe(100);
      expect(await settled(during)).toEqual([true, false, true]);
      await expect(during[1]).rejects.toThrow(/table "ticks", column "ts": time goes backwards: 10 after 30000/);
      // After the batch: checked here again; a bad row is refused alone, at once.
      const after = [row(40_000), { ...row(40_001), px: 'x' }, row(39_999), row(40_002)].map((r) => t.append(r as never));
      want.push(row(40_000), row(40_002));
      expect(await settled(after)).toEqual([true, false, false, true]);
      await expect(after[1]).rejects.toThrow(/table "ticks", column "px": expected a number, got string "x"/);
      expect(await settled(a)).toEqual(first.map(() => true));
      await expect(t.sync()).rejects.toThrow(/3 appended rows were rejected since the last sync\(\)/);
      expect(await t.rowCount).toBe(want.length);
      expect(await t.reader().toArray()).toEqual(want.map((r) => ({ ...r, n: BigInt(r.n) })));
    } finally {
      await db.close();
    }
  });

  it('a reopened table refuses a row older than its newest, and a read-only database refuses every row', async () => {
    const dir = join(root, 'b');
    let db = await openInWorker(dir, { poolSize: 0 });
    const t = await db.createTable(schema, { enableWal: true });
    await Promise.all([row(5), row(9)].map((r) => t.append(r)));
    await t.sync();
    await db.close();
    db = await openInWorker(dir, { poolSize: 0 });
    try {
      const t2 = await db.openTable(schema);
      const got = [row(8), row(9), row(12)].map((r) => t2.append(r));
      expect(await settled(got)).toEqual([false, true, true]);
      await expect(got[0]).rejects.toThrow(/time goes backwards: 8 after 9/);
      await expect(t2.sync()).rejects.toThrow(/1 appended row was rejected/);
    } finally {
      await db.close();
    }
    const ro = await openInWorker(dir, { poolSize: 0, readOnly: true });
    try {
      const t3 = await ro.openTable(schema);
      const got = [row(20), row(21)].map((r) => t3.append(r));
      for (const p of got) await expect(p).rejects.toThrow(/read-only/);
      expect(await t3.reader().count()).toBe(4); // 5, 9, 9, 12
    } finally {
      await ro.close();
    }
  });
});
