// btdb query's time-series flags: --agg/--every/--origin/--by/--fill, --latest, --order,
// answering exactly as the API does; misuse exits 2 with a message.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { open } from 'backtracedb';
import { columnsOf, randomRows, schema } from './data.js';

const BTDB = fileURLToPath(new URL('../node_modules/backtracedb/dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'btdb-tscli-'));
function btdb(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BTDB, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
const jsonRows = (out: string) => out.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l.replace(/:(-?\d{16,})/g, ':"$1"')) as Record<string, unknown>);
const plain = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v])));

beforeAll(async () => {
  const db = await open(dir, { poolSize: 0 });
  const t = await db.createTable(schema, { maxBlockSize: 200, useDiskStorage: true });
  t.appendBatch(columnsOf(randomRows(9, 700)));
  await db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('--agg, --every, --by, --fill, --latest and --order answer as the API does', async () => {
  const agg = btdb('query', dir, 'ticks', '--agg', 'n=count', '--agg', 'hi=max:price', '--agg', 'v=sum:vol', '--every', '25', '--origin', '-3', '--by', 'sym', '--fill', 'null', '--format', 'json');
  expect(agg.err).toBe('');
  const latest = btdb('query', dir, 'ticks', '--latest', 'flag', '--select', 'ts,flag,sym', '--format', 'json');
  const tail = btdb('query', dir, 'ticks', '--order', 'desc', '--limit', '3', '--select', 'ts,sym', '--format', 'json');
  const db = await open(dir, { poolSize: 0 });
  try {
    const t = await db.openTable(schema);
    const want = await t.reader().aggregate({ every: 25n, origin: -3n, by: ['sym'], fill: 'null', values: { n: ['count'], hi: ['max', 'price'], v: ['sum', 'vol'] } }).toArray();
    expect(jsonRows(agg.out).map((r) => ({ ...r, ts: String(r.ts), v: r.v === null ? null : String(r.v) }))).toEqual(plain(want));
    expect(jsonRows(latest.out).map((r) => ({ ...r, ts: String(r.ts) }))).toEqual(plain(await t.reader().select(['ts', 'flag', 'sym']).latest('flag').toArray()));
    expect(jsonRows(tail.out).map((r) => ({ ...r, ts: String(r.ts) }))).toEqual(plain(await t.reader().select(['ts', 'sym']).order('desc').limit(3).toArray()));
  } finally {
    await db.close();
  }
  const table = btdb('query', dir, 'ticks', '--agg', 'n=count', '--by', 'flag');
  expect(table.out).toMatch(/^flag\s+n\n/);
  expect(table.out).toMatch(/\(2 rows\)\n$/);
});

it('misuse exits 2 naming what was wrong', () => {
  expect(btdb('query', dir, 'ticks', '--every', '10')).toMatchObject({ code: 2, err: expect.stringMatching(/--every.*need at least one --agg/) });
  expect(btdb('query', dir, 'ticks', '--agg', 'x=sum:sym')).toMatchObject({ code: 2, err: expect.stringMatching(/table "ticks", column "sym": cannot sum a string column/) });
  expect(btdb('query', dir, 'ticks', '--order', 'sideways')).toMatchObject({ code: 2, err: expect.stringMatching(/table "ticks": order must be/) });
});

it('flag words are checked before anything is read', async () => {
  const url = new URL('../node_modules/backtracedb/dist/cli/query.js', import.meta.url).href;
  const { shapeQuery } = (await import(url)) as { shapeQuery: (r: unknown, time: string, o: Record<string, unknown>) => { names: string[] } };
  const db = await open(dir, { poolSize: 0 });
  try {
    const t = await db.openTable(schema);
    const shape = (o: Record<string, unknown>) => shapeQuery(t.reader(), 'ts', { agg: [], ...o });
    expect(() => shape({ agg: ['oops'] })).toThrow(/--agg "oops": expected name=fn:column/);
    expect(() => shape({ agg: ['n=count'], every: '1.5' })).toThrow(/--every must be an integer/);
    expect(() => shape({ agg: ['n=count', 'n=max:price'] })).toThrow(/output "n" named twice/);
    expect(() => shape({ agg: ['n=count'], latest: 'sym' })).toThrow(/--latest and --agg do not combine/);
    expect(() => shape({ agg: ['n=median:price'] })).toThrow(/table "ticks".*unknown function "median"/);
    expect(shape({ agg: ['n=count', 'v=sum:vol'], every: '10', by: 'sym,flag' }).names).toEqual(['ts', 'sym', 'flag', 'n', 'v']);
    expect(shape({ latest: 'sym' }).names).toEqual(['ts', 'sym', 'flag', 'acct', 'price', 'vol']);
  } finally {
    await db.close();
  }
});
