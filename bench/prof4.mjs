import { open } from 'backtracedb';
import { tradesSchema, trades } from './dist/data.js';
import { rmSync } from 'node:fs';
rmSync('/tmp/p4', { recursive: true, force: true });
const batches = []; for (let at = 0; at < 2_000_000; at += 100_000) batches.push(trades(at, 100_000));
for (let r = 0; r < 3; r++) {
  const db = await open('/tmp/p4/' + r);
  const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 100_000 });
  const t0 = performance.now();
  for (const b of batches) for (let i = 0; i < b.ts.length; i++) { t.append({ ts: b.ts[i], symbol: b.symbol[i], price: b.price[i], volume: b.volume[i] }); if (i % 10_000 === 9_999) await new Promise((res) => setImmediate(res)); }
  const t1 = performance.now();
  await t.sync();
  console.log('append loop', (t1 - t0).toFixed(0), 'sync', (performance.now() - t1).toFixed(0));
  await db.close();
}
