import { open } from 'backtracedb';
import { tradesSchema } from '../dist/data.js';
const db = await open('/tmp/prof/db', { poolSize: 2, cacheBytes: 512 * 1024 * 1024 });
const t = await db.openTable(tradesSchema);
const q = () => t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900);
for (let i = 0; i < 5; i++) await q().toArray();
for (let i = 0; i < 5; i++) await q().count();
const ms = [];
for (let i = 0; i < 200; i++) { const t0 = performance.now(); await q().count(); ms.push(performance.now() - t0); }
ms.sort((a, b) => a - b);
console.log('median', ms[100].toFixed(2), 'min', ms[0].toFixed(2));
await db.close();
