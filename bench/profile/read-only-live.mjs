import { open } from 'backtracedb';
import { tradesSchema, trades } from '../dist/data.js';
import { rmSync } from 'node:fs';
const rows = 2_000_000, walRows = 100_000;
async function fill(dir, rows, walRows) {
  rmSync(dir, { recursive: true, force: true });
  const db = await open(dir);
  const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: rows / 20 });
  for (let at = 0; at < rows; at += 100_000) t.appendBatch(trades(at, Math.min(100_000, rows - at)));
  await t.flush();
  t.maxBlockSize = 10_000_000;
  for (let at = 0; at < walRows; at += 100_000) t.appendBatch(trades(rows + at, Math.min(100_000, walRows - at)));
  await t.sync();
  return { db, t };
}
async function q(dir, mark) {
  const t0 = performance.now();
  const db = await open(dir, { readOnly: true });
  const t = await db.openTable(tradesSchema);
  const t1 = performance.now();
  await t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900).count();
  const t2 = performance.now();
  await db.close();
  return `${(t2 - t0).toFixed(0)}=${(t1 - t0).toFixed(0)}+${(t2 - t1).toFixed(0)}`;
}
const closed = '/tmp/prof/ro-closed', live = '/tmp/prof/ro-live';
await (await fill(closed, rows + walRows, 0)).db.close();
const { db: writer } = await fill(live, rows, walRows);
await q(closed);
const c = [], l = [];
for (let r = 0; r < 8; r++) { c.push(await q(closed)); l.push(await q(live, r === 7)); }
console.log('closed', c.join(' ')); console.log('live  ', l.join(' '));
await writer.close();
