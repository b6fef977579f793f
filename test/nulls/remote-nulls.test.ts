// Nulls through openInWorker (appends gathered across the thread boundary, queries in the
// worker) and through exportParquet (the exported file holds the nulls; DuckDB reads them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { open, openInWorker } from 'backtracedb';

const root = mkdtempSync(join(tmpdir(), 'btdb-remote-nulls-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const schema = {
  name: 'q', timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string', nullable: true }, { name: 'bid', type: 'float64', nullable: true }, { name: 'n', type: 'int64', nullable: true }],
} as const;
const want = [
  { ts: 1n, sym: 'A', bid: 1, n: 5n },
  { ts: 2n, sym: null, bid: null, n: null },
  { ts: 3n, sym: null, bid: 2, n: 7n },
  { ts: 4n, sym: null, bid: null, n: null },
  { ts: 5n, sym: 'B', bid: null, n: 1n },
];

it('openInWorker: rows with nulls or missing keys, batches with nulls; filters, aggregates, Arrow', async () => {
  const db = await openInWorker(join(root, 'remote'), { poolSize: 1 });
  try {
    const t = await db.createTable(schema);
    void t.append({ ts: 1n, sym: 'A', bid: 1, n: 5n });
    void t.append({ ts: 2n });
    void t.append({ ts: 3n, sym: null, bid: 2, n: 7n });
    await t.appendBatch({ ts: [4n, 5n], sym: [null, 'B'], bid: [null, null], n: [null, 1n] });
    await t.sync();
    expect(await t.reader().toArray()).toEqual(want);
    expect(await t.reader().filter('bid', 'isNull').count()).toBe(3);
    expect(await t.reader().filter('sym', 'isNotNull').filter('n', '>', 0).toArray()).toEqual([want[0], want[4]]);
    expect(await t.reader().aggregate({ by: 'sym', values: { c: ['count', 'bid'], s: ['sum', 'n'] } }).toArray()).toEqual([
      { sym: null, c: 1, s: 7n }, { sym: 'A', c: 1, s: 5n }, { sym: 'B', c: 0, s: 1n },
    ]);
    expect((await t.reader().toArrow()).getChild('n')?.nullCount).toBe(2);
  } finally {
    await db.close();
  }
});

it('exportParquet writes the nulls (OPTIONAL columns) and DuckDB reads them', async () => {
  const db = await open(join(root, 'local'), { poolSize: 1 });
  const file = join(root, 'out.parquet');
  try {
    const t = await db.createTable(schema, { maxBlockSize: 2 });
    t.appendBatch({ ts: want.map((r) => r.ts), sym: want.map((r) => r.sym), bid: want.map((r) => r.bid), n: want.map((r) => r.n) });
    expect(await t.exportParquet(file, { filters: [['ts', '>=', 2n], ['bid', 'isNull']] })).toBe(3);
  } finally {
    await db.close();
  }
  const duck = await DuckDBInstance.create(':memory:');
  const c = await duck.connect();
  const rows = (await c.runAndReadAll(`SELECT ts, sym, bid, n FROM read_parquet('${file}') ORDER BY ts`)).getRows();
  c.closeSync();
  duck.closeSync();
  expect(rows).toEqual([[2n, null, null, null], [4n, null, null, null], [5n, 'B', null, 1n]]);
});
