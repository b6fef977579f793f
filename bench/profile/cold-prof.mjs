import { open } from 'backtracedb';
import { tradesSchema, trades } from '../dist/data.js';
import { existsSync, mkdirSync } from 'node:fs';
const dir = '/tmp/prof/db';
mkdirSync('/tmp/prof', { recursive: true });
const rows = 2_000_000;
if (!existsSync(dir)) {
  const db = await open(dir);
  const t = await db.createTable(tradesSchema, { useDiskStorage: true, maxBlockSize: rows / 20 });
  for (let at = 0; at < rows; at += 100_000) t.appendBatch(trades(at, 100_000));
  await db.close();
}
const db = await open(dir, { poolSize: Number(process.env.POOL ?? 2), cacheBytes: 0 });
const t = await db.openTable(tradesSchema);
const q = () => t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900);
await q().count();
const ms = [];
for (let i = 0; i < Number(process.env.N ?? 40); i++) { const t0 = performance.now(); await q().count(); ms.push(performance.now() - t0); }
ms.sort((a, b) => a - b);
console.log('median', ms[ms.length >> 1].toFixed(1), 'mean', (ms.reduce((a, b) => a + b) / ms.length).toFixed(1), 'p90', ms[Math.floor(ms.length * 0.9)].toFixed(1), 'min', ms[0].toFixed(1));
await db.close();
