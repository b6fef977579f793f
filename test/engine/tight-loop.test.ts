// Issue 10: a backfill loop that never awaits still hands every sealed block to an encoder
// thread (no block encoded on the appending thread), and loses nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { open } from 'backtracedb';
import { trades, tradesSchema } from 'backtracedb/sample-data';

for (const useDiskStorage of [false, true]) {
  it(`appendBatch in a loop that never awaits: blocks go to encoder threads (${useDiskStorage ? 'disk' : 'memory'})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-tight-'));
    const db = await open(dir, { poolSize: 2 });
    try {
      const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage, maxBlockSize: 20_000 });
      const rows = 400_000;
      for (let at = 0; at < rows; at += 25_000) t.appendBatch(trades(at, 25_000));
      // Still inside the same turn of the event loop: every seal so far was handed over.
      expect(t.sealStats).toEqual({ blocksSealed: 20, blocksEncodedInline: 0 });
      await t.sync();
      await t.flush();
      expect(t.rowCount).toBe(rows);
      expect(await t.reader().count()).toBe(rows);
      const batch = trades(100_000, 25_000); // rows 123,456..123,458 are in this batch
      const want = { ts: batch.ts.subarray(23_456), symbol: batch.symbol.slice(23_456), price: batch.price.subarray(23_456), volume: batch.volume.subarray(23_456) };
      const slice = await t.reader().filter('ts', '>=', want.ts[0]).filter('ts', '<=', want.ts[2]).toArray();
      expect(slice).toEqual([0, 1, 2].map((i) => ({ ts: want.ts[i], symbol: want.symbol[i], price: want.price[i], volume: want.volume[i] })));
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
