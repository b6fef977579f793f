// A retention pass that fails (here: the new manifest generation cannot be written) is tried
// again after the next seal, and flush() reports it instead of it going unnoticed.
import { afterAll, describe, expect, it } from 'vitest';
import { FaultyStorage } from '@backtracedb/engine';
import { createPool, open } from 'backtracedb';
import { trades, tradesSchema } from 'backtracedb/sample-data';

const pool = createPool(1);
afterAll(() => pool.destroy());

describe('retention failures', () => {
  it('flush() reports a failed pass once; the next seal runs it again', async () => {
    const storage = new FaultyStorage();
    const db = await open('/db', { storage, pool });
    const t = await db.createTable(tradesSchema, { useDiskStorage: true, maxBlockSize: 100, retention: 150n });
    t.appendBatch(trades(0, 300));
    await t.flush();
    const before = t.rowCount;
    expect(before).toBeLessThan(300); // retention ran: whole old blocks are gone
    // The next generation a retention pass writes (a snapshot, under a temp name) fails once.
    storage.failNext('open', 'EIO', '.log.tmp');
    t.appendBatch(trades(300, 100)); // one block sealed, one pass (a later seal's pass would retry it)
    await expect(t.flush()).rejects.toThrow(/table "trades": removing rows by retention failed \(it runs again after the next seal\): table "trades": writing the manifest failed: EIO/);
    const stuck = t.rowCount;
    await t.flush(); // reported once
    t.appendBatch(trades(400, 100));
    await t.flush();
    expect(t.rowCount).toBeLessThan(stuck + 100); // the retried pass removed the old blocks
    expect(await t.reader().filter('ts', '<', (await t.reader().order('desc').limit(1).toArray())[0].ts - 250n).count()).toBe(0);
    await db.close();
  });
});
