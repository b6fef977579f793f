import { open } from 'backtracedb';
import { tradesSchema, trades } from './dist/data.js';
import { readFile } from 'node:fs/promises';
import { readdirSync, rmSync } from 'node:fs';
const dir = '/tmp/profdb';
rmSync(dir, { recursive: true, force: true });
{ const db = await open(dir); const t = await db.createTable(tradesSchema, { useDiskStorage: true, maxBlockSize: 100_000 });
  for (let at = 0; at < 2_000_000; at += 100_000) t.appendBatch(trades(at, 100_000)); await db.close(); }
const files = readdirSync(dir + '/trades').filter(f => f.endsWith('.parquet')).map(f => dir + '/trades/' + f);
let t0 = performance.now(); for (let r = 0; r < 5; r++) await Promise.all(files.map(f => readFile(f))); console.log('readFile all (parallel)', ((performance.now() - t0) / 5).toFixed(1), 'ms');
t0 = performance.now(); for (let r = 0; r < 5; r++) for (const f of files) await readFile(f); console.log('readFile all (serial)', ((performance.now() - t0) / 5).toFixed(1), 'ms');
const db = await open(dir, { poolSize: 2, cacheBytes: 0 });
const t = await db.openTable(tradesSchema);
const q = () => t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900);
for (let i = 0; i < 5; i++) await q().count();
t0 = performance.now(); for (let i = 0; i < 20; i++) await q().count(); console.log('count', ((performance.now() - t0) / 20).toFixed(1), 'ms');
await db.close();
