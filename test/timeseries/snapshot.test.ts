// A time-series query answers over the rows appended before it started, while appends and
// block rotations go on during it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { open } from 'backtracedb';
import { INT_COLS, columnsOf, randomRows, schema } from './data.js';
import { oracleAggregate, oracleLatest } from './oracle.js';

it('aggregate, latest and order desc + limit see their snapshot while appends rotate blocks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-tss-'));
  const db = await open(dir, { poolSize: 2 });
  try {
    const rows = randomRows(21, 3000);
    const t = await db.createTable(schema, { maxBlockSize: 150, useDiskStorage: true });
    const before = rows.slice(0, 1000);
    t.appendBatch(columnsOf(before));
    const spec = { every: 20n, by: ['sym'], fill: 'previous', values: { n: ['count'], v: ['sum', 'vol'], c: ['last', 'price'] } } as const;
    const agg = t.reader().aggregate(spec).toArray();
    const latest = t.reader().latest('acct').toArray();
    const tail = t.reader().order('desc').limit(400).toArray();
    // Later rows, newer times: they must show in none of the answers above.
    const last = before[before.length - 1].ts as bigint;
    const after = rows.slice(1000).map((r, i) => ({ ...r, ts: last + 1n + BigInt(i) }));
    for (let at = 0; at < after.length; at += 100) t.appendBatch(columnsOf(after.slice(at, at + 100)));
    expect(await agg).toEqual(oracleAggregate(before, 'ts', INT_COLS, { ...spec, by: ['sym'] }));
    expect(await latest).toEqual(oracleLatest(before, ['acct']));
    expect(await tail).toEqual([...before].reverse().slice(0, 400));
    expect(await t.reader().latest('acct').toArray()).toEqual(oracleLatest([...before, ...after], ['acct']));
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
