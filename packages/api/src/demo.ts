// The demo: a database in a temporary directory, a few hundred thousand generated trades,
// the seed's example query and a few others, with counts and timings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { open } from './database.js';
import { trades, tradesSchema as schema } from './sample-data.js';

const ROWS = Number(process.env.DEMO_ROWS ?? 500_000);
const ms = (t0: number): string => `${(performance.now() - t0).toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-demo-'));
  console.log(`BacktraceDB demo: database in ${dir}`);
  const db = await open(dir);
  try {
    const tbl = await db.createTable(schema, { enableWal: true });
    const start = 1_673_628_000n;
    // Prices 100–25,100, so the seed's example query (20,000 < price < 25,000) has answers.
    const data = { seed: 42, t0: start, priceMin: 100, priceSpan: 25_000 };

    // A few single-row appends, as a service would make them…
    let t0 = performance.now();
    const single = Math.min(10_000, ROWS);
    const first = trades(0, single, data);
    for (let i = 0; i < single; i++) {
      tbl.append({ ts: first.ts[i], symbol: first.symbol[i], price: first.price[i], volume: first.volume[i] });
    }
    console.log(`append():      ${single.toLocaleString()} rows in ${ms(t0)}`);

    // …and the rest in columnar batches.
    t0 = performance.now();
    const BATCH = 100_000;
    for (let at = single; at < ROWS; at += BATCH) {
      const n = Math.min(BATCH, ROWS - at);
      tbl.appendBatch(trades(at, n, data));
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
