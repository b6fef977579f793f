// Time-series queries (aggregate, latest, order, limit) against the plain-JS oracle, over
// random data, across memory and disk storage, cache on and off, row groups smaller than
// blocks, and a reopen. Size knob: BTDB_TS_ROWS (rows per table, default 1500).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';
import { seededRandom } from 'backtracedb/sample-data';
import { applyFilters, oracleAggregate, oracleLatest, type AggSpec, type Filter, type Row } from './oracle.js';
import { INT_COLS, SYMS, columnsOf, randomRows, schema } from './data.js';

const ROWS = Number(process.env.BTDB_TS_ROWS ?? 1500);
const QUERIES = 10;
const pool = createPool(2);
afterAll(() => pool.destroy());

const configs = [
  { name: 'memory, cache on', disk: false, cacheBytes: undefined, rowGroupRows: 64, reopen: false },
  { name: 'memory, no pool threads (everything on the calling thread)', disk: false, cacheBytes: undefined, rowGroupRows: 48, reopen: false, poolSize: 0 },
  { name: 'disk, cache off, small row groups', disk: true, cacheBytes: 0, rowGroupRows: 16, reopen: false },
  { name: 'disk, cache on, reopened', disk: true, cacheBytes: undefined, rowGroupRows: 32, reopen: true },
] as const;

function randomFilters(next: () => number, rows: readonly Row[]): Filter[] {
  const out: Filter[] = [];
  const t = rows[Math.floor(next() * rows.length)].ts as bigint;
  if (next() < 0.4) out.push(['ts', next() < 0.5 ? '>=' : '<', t]);
  if (next() < 0.3) out.push(['sym', next() < 0.5 ? '==' : '!=', SYMS[Math.floor(next() * SYMS.length)]]);
  if (next() < 0.2) out.push(['flag', '==', next() < 0.5]);
  if (next() < 0.2) out.push(['price', '>', Math.round(next() * 1000 - 500)]);
  return out;
}

function randomSpec(next: () => number): AggSpec {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const every = pick([undefined, 1n, 7n, 100n]);
  return {
    ...(every === undefined ? {} : { every, origin: pick([0n, -3n, 5n]) }),
    by: pick([[], ['sym'], ['flag'], ['acct'], ['sym', 'flag']]),
    values: {
      n: ['count'], open: ['first', 'price'], high: ['max', 'price'], low: ['min', 'price'], close: ['last', 'price'],
      volume: ['sum', 'vol'], avgPrice: ['avg', 'price'], avgVol: ['avg', 'vol'], psum: ['sum', 'price'],
      minSym: ['min', 'sym'], lastSym: ['last', 'sym'], anyFlag: ['max', 'flag'], minAcct: ['min', 'acct'], firstTs: ['first', 'ts'], nv: ['count', 'vol'],
    },
    fill: every === undefined ? 'none' : pick(['none', 'null', 'previous'] as const),
  };
}

for (const cfg of configs) {
  describe(`time-series queries: ${cfg.name}`, () => {
    it('aggregate, latest, order and limit agree with the oracle', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'btdb-ts-'));
      let db: Awaited<ReturnType<typeof open>> | undefined;
      try {
        const rows = randomRows(ROWS + cfg.rowGroupRows, ROWS);
        const threads = 'poolSize' in cfg ? { poolSize: cfg.poolSize } : { pool };
        db = await open(dir, { ...threads, ...(cfg.cacheBytes === undefined ? {} : { cacheBytes: cfg.cacheBytes }) });
        let t = await db.createTable(schema, { useDiskStorage: cfg.disk, maxBlockSize: 200, rowGroupRows: cfg.rowGroupRows, enableWal: cfg.reopen });
        // Several batches: sealed blocks in every state, and an active block.
        for (let at = 0; at < rows.length; at += 333) t.appendBatch(columnsOf(rows.slice(at, at + 333)));
        if (cfg.reopen) {
          await db.close();
          db = await open(dir, threads);
          t = await db.openTable(schema);
        }
        const next = seededRandom(7 + cfg.rowGroupRows);
        for (let q = 0; q < QUERIES; q++) {
          const filters = randomFilters(next, rows);
          const want = applyFilters(rows, filters);
          const reader = () => { let r = t.reader(); for (const [c, op, v] of filters) r = r.filter(c as 'ts', op, v as bigint); return r; };
          const spec = randomSpec(next);
          const where = JSON.stringify({ filters, spec }, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
          expect(await reader().aggregate(spec as never).toArray(), where).toEqual(oracleAggregate(want, 'ts', INT_COLS, spec));
          const by = [['sym'], ['flag'], ['acct'], ['sym', 'acct']][q % 4];
          expect(await reader().latest(by as never).toArray(), `latest ${by.join(',')} ${where}`).toEqual(oracleLatest(want, by));
          const n = [0, 1, 5, 100, 5000][q % 5];
          expect(await reader().order('desc').limit(n).toArray()).toEqual([...want].reverse().slice(0, n));
          expect(await reader().limit(n).toArray()).toEqual(want.slice(0, n));
          expect(await reader().order('desc').select(['vol', 'sym']).toArray()).toEqual([...want].reverse().map((r) => ({ vol: r.vol, sym: r.sym })));
        }
      } finally {
        await db?.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  });
}
