// Read-only open + first filtered count on a live database (a writer in this process holds
// 100k rows only in its WAL) against the same rows in a closed one, interleaved, N runs each
// (`N`, default 25). Prints min / 3rd / median of the whole, the open and the query, and how
// many runs had a major GC inside them (V8 collects where external memory crosses its limit,
// so the side that allocates more takes the collections of both).
import { open } from 'backtracedb';
import { tradesSchema, trades } from '../dist/data.js';
import { rmSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

const gcs = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push([e.startTime, e.detail?.kind]); }).observe({ entryTypes: ['gc'] });
const MAJOR = 4;
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
  return db;
}

async function once(dir) {
  const t0 = performance.now();
  const db = await open(dir, { readOnly: true });
  const t = await db.openTable(tradesSchema);
  const t1 = performance.now();
  await t.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900).count();
  const t2 = performance.now();
  await db.close();
  await new Promise((r) => setTimeout(r, 0)); // GC entries arrive on a later turn
  return { total: t2 - t0, open: t1 - t0, query: t2 - t1, majors: gcs.filter(([at, kind]) => at >= t0 && at <= t2 && kind === MAJOR).length };
}

const closed = '/tmp/prof/ro-closed', live = '/tmp/prof/ro-live';
await (await fill(closed, rows + walRows, 0)).close();
const writer = await fill(live, rows, walRows);
await once(closed); await once(live);
const runs = { closed: [], live: [] };
for (let r = 0; r < Number(process.env.N ?? 25); r++) { runs.closed.push(await once(closed)); runs.live.push(await once(live)); }
const stat = (xs, k) => { const v = xs.map((x) => x[k]).sort((a, b) => a - b); return `${v[0].toFixed(1)}/${v[2].toFixed(1)}/${v[v.length >> 1].toFixed(1)}`; };
for (const [name, xs] of Object.entries(runs)) {
  console.log(name.padEnd(6), ['total', 'open', 'query'].map((k) => `${k} ${stat(xs, k)}`).join('  '), `| runs with a major GC: ${xs.filter((x) => x.majors > 0).length}`);
}
await writer.close();
