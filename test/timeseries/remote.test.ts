// The time-series queries through openInWorker answer exactly as the local API does, and
// refuse the same specs at once, on the caller's side.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { open, openInWorker } from 'backtracedb';
import { columnsOf, randomRows, schema } from './data.js';

const spec = {
  every: 50n, origin: -7n, by: ['sym', 'flag'], fill: 'previous',
  values: { open: ['first', 'price'], high: ['max', 'price'], volume: ['sum', 'vol'], n: ['count'], avg: ['avg', 'vol'] },
} as const;

it('aggregate, latest, order and limit through openInWorker equal the local answers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-tsr-'));
  try {
    const rows = randomRows(5, 1200);
    const remote = await openInWorker(dir, { poolSize: 1 });
    const rt = await remote.createTable(schema, { enableWal: true, maxBlockSize: 250 });
    await rt.appendBatch(columnsOf(rows));
    await rt.sync();
    const agg = await rt.reader().filter('ts', '>=', rows[100].ts as bigint).aggregate(spec).toArray();
    const latest = await rt.reader().select(['sym', 'acct', 'vol']).latest(['acct', 'sym']).toArray();
    const tail = await rt.reader().order('desc').limit(30).toArray();
    const head = await rt.reader().filter('sym', '==', 'ü').limit(5).toArray();
    const arrowAgg = await rt.reader().aggregate(spec).toArrow();
    expect(() => rt.reader().aggregate({ by: ['price'], values: { n: ['count'] } })).toThrow(/table "ticks", column "price"/);
    expect(() => rt.reader().limit(-2)).toThrow(/table "ticks".*limit/);
    await remote.close();

    const db = await open(dir, { poolSize: 1 });
    const t = await db.openTable(schema);
    expect(agg.length).toBeGreaterThan(10);
    expect(agg).toEqual(await t.reader().filter('ts', '>=', rows[100].ts as bigint).aggregate(spec).toArray());
    expect(latest).toEqual(await t.reader().select(['sym', 'acct', 'vol']).latest(['acct', 'sym']).toArray());
    expect(tail).toEqual(await t.reader().order('desc').limit(30).toArray());
    expect(tail.length).toBe(30);
    expect(head).toEqual(await t.reader().filter('sym', '==', 'ü').limit(5).toArray());
    expect(arrowAgg.numRows).toBe((await t.reader().aggregate(spec).toArray()).length);
    expect(arrowAgg.schema.fields.map((f) => f.name)).toEqual(['ts', 'sym', 'flag', 'open', 'high', 'volume', 'n', 'avg']);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
