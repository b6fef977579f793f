// The demo: a database in a temporary directory, a few hundred thousand generated trades,
// the seed's example query and a few others, with counts and timings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { open } from './database.js';

const ROWS = Number(process.env.DEMO_ROWS ?? 500_000);
const SYMBOLS = ['BTC', 'ETH', 'AAPL', 'MSFT', 'GOOG', 'TSLA', 'AMZN', 'NVDA'];

/** mulberry32: a small seeded generator, so every run ingests the same trades. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ms = (t0: number): string => `${(performance.now() - t0).toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-demo-'));
  console.log(`BacktraceDB demo: database in ${dir}`);
  const db = await open(dir);
  try {
    const schema = {
      name: 'trades',
      timeColumn: 'ts',
      columns: [
        { name: 'ts', type: 'int64' },
        { name: 'symbol', type: 'string' },
        { name: 'price', type: 'float64' },
        { name: 'volume', type: 'int64' },
      ],
    } as const;
    const tbl = await db.createTable(schema, { enableWal: true });
    const next = rng(42);
    const start = 1_673_628_000n;

    // A few single-row appends, as a service would make them…
    let t0 = performance.now();
    const single = Math.min(10_000, ROWS);
    for (let i = 0; i < single; i++) {
      tbl.append({ ts: start + BigInt(i), symbol: SYMBOLS[Math.floor(next() * 8)], price: 100 + next() * 1000 * 25, volume: BigInt(1 + Math.floor(next() * 10_000)) });
    }
    console.log(`append():      ${single.toLocaleString()} rows in ${ms(t0)}`);

    // …and the rest in columnar batches.
    t0 = performance.now();
    const BATCH = 100_000;
    for (let at = single; at < ROWS; at += BATCH) {
      const n = Math.min(BATCH, ROWS - at);
      const ts = new BigInt64Array(n);
      const price = new Float64Array(n);
      const volume = new BigInt64Array(n);
      const symbol: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        ts[i] = start + BigInt(at + i);
        symbol[i] = SYMBOLS[Math.floor(next() * 8)];
        price[i] = 100 + next() * 1000 * 25;
        volume[i] = BigInt(1 + Math.floor(next() * 10_000));
      }
      tbl.appendBatch({ ts, symbol, price, volume });
    }
    await tbl.sync();
    console.log(`appendBatch(): ${(ROWS - single).toLocaleString()} rows in ${ms(t0)}; rowCount = ${tbl.rowCount.toLocaleString()}`);

    // The seed's example query.
    console.log(`\nQuery: symbol == 'BTC' AND volume > 5 AND price > 20000 AND price < 25000`);
    t0 = performance.now();
    const r = tbl.reader()
      .filter('symbol', '==', 'BTC')
      .filter('volume', '>', 5n)
      .filter('price', '>', 20000)
      .filter('price', '<', 25000);
    const rows = await r.toArray();
    console.log(`  ${rows.length.toLocaleString()} matching rows in ${ms(t0)}; the first five:`);
    for (const row of rows.slice(0, 5)) console.log(`   ${inspect(row, { breakLength: Infinity })}`);

    const queries: Array<[string, () => Promise<number>]> = [
      ['count, symbol == AAPL AND 200 < price < 900', () => tbl.reader().filter('symbol', '==', 'AAPL').filter('price', '>', 200).filter('price', '<', 900).count()],
      ['count, 1% time slice', () => tbl.reader().filter('ts', '>=', start + BigInt(ROWS / 2)).filter('ts', '<', start + BigInt(ROWS / 2 + ROWS / 100)).count()],
      ['count, symbol != BTC AND volume >= 9990', () => tbl.reader().filter('symbol', '!=', 'BTC').filter('volume', '>=', 9990n).count()],
      ['count, everything', () => tbl.reader().count()],
    ];
    console.log('');
    for (const [label, q] of queries) {
      t0 = performance.now();
      const n = await q();
      console.log(`${label}: ${n.toLocaleString()} rows in ${ms(t0)}`);
    }
    // Recovery across restarts (the seed's section 3): close, reopen, same rows.
    await db.close();
    t0 = performance.now();
    const db2 = await open(dir);
    try {
      const again = await db2.openTable(schema);
      const n = await again.reader().filter('symbol', '==', 'BTC').filter('volume', '>', 5n).filter('price', '>', 20000).filter('price', '<', 25000).count();
      console.log(`\nReopened in ${ms(t0)}: recovered ${again.rowCount.toLocaleString()} rows; the example query still matches ${n.toLocaleString()}`);
    } finally {
      await db2.close();
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
