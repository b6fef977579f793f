import { open } from 'backtracedb';
import { tradesSchema, trades } from './dist/data.js';
import { rmSync } from 'node:fs';
rmSync('/tmp/p3', { recursive: true, force: true });
const batches = []; for (let at = 0; at < 2_000_000; at += 100_000) batches.push(trades(at, 100_000));
for (let r = 0; r < 3; r++) {
  const db = await open('/tmp/p3/' + r);
  const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 1_000_000 });
  const t0 = performance.now();
  for (const b of batches) t.appendBatch(b);
  const t1 = performance.now();
  await t.sync();
  console.log('appendBatch', (t1 - t0).toFixed(0), 'sync', (performance.now() - t1).toFixed(0));
  await db.close();
}
