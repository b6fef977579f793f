// Property test over every form of every question: random rows in random table layouts
// (block sizes, row groups down to 1 row, memory or disk, cache on or off, WAL on or off),
// random filter chains asked as count(), rows, select, toArrow and batches in random order
// (one form fills the cache the next one reads), before and after flush and reopen, all
// against a plain-JS oracle. BTDB_PROPERTY_SEEDS sets how many seeds run (default 6).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool, type CompareOp, type Table } from 'backtracedb';
import { mulberry32 } from '../engine/helpers.js';
import { BIGS, compare, OPS, propSchema, STRINGS, type PropRow, type Value } from '../engine/oracle.js';

const pool = createPool(2);
afterAll(() => pool.destroy());

const schema = { ...propSchema, name: 'forms' } as const;
type Row = PropRow;
type Filter = [keyof Row, CompareOp, Value];
const COLS: Array<keyof Row> = ['sym', 't', 'big', 'x', 'ok'];

type Form = 'count' | 'rows' | 'select' | 'arrow' | 'batches';
const FORMS: Form[] = ['count', 'rows', 'select', 'arrow', 'batches'];

async function ask(t: Table<typeof schema>, filters: Filter[], form: Form, sel: Array<keyof Row>): Promise<unknown> {
  let r = t.reader();
  for (const [c, op, v] of filters) r = r.filter(c, op, v as never);
  switch (form) {
    case 'count': return r.count();
    case 'rows': return r.toArray();
    case 'select': return r.select(sel).toArray();
    case 'arrow': return (await r.toArrow()).toArray().map((x) => x.toJSON() as unknown);
    case 'batches': {
      const out: unknown[] = [];
      for await (const b of r.batches()) for (const x of b.toArray()) out.push(x.toJSON());
      return out;
    }
  }
}

function expected(rows: Row[], filters: Filter[], form: Form, sel: Array<keyof Row>): unknown {
  const want = rows.filter((r) => filters.every(([c, op, v]) => compare(op, r[c], v)));
  if (form === 'count') return want.length;
  if (form === 'select') return want.map((r) => Object.fromEntries(sel.map((c) => [c, r[c]])));
  return want;
}

function runSeed(seed: number) {
  const next = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const useDiskStorage = next() < 0.5;
  const cacheBytes = next() < 0.5 ? 0 : 64 << 20;
  const enableWal = next() < 0.5;
  const maxBlockSize = pick([1, 3, 17, 100, 500, 2500]);
  const rowGroupRows = pick([1, 2, 5, 16, 64, 1000]);
  const config = { useDiskStorage, cacheBytes, enableWal, maxBlockSize, rowGroupRows };
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-forms-'));
    let db = await open(dir, { pool, cacheBytes });
    try {
      let t = await db.createTable(schema, { useDiskStorage, enableWal, maxBlockSize, rowGroupRows });
      const rows: Row[] = [];
      let time = -50n;
      const makeRow = (): Row => {
        if (next() < 0.6) time += BigInt(Math.floor(next() * 3));
        return { sym: pick(STRINGS), t: time, big: next() < 0.4 ? pick(BIGS) : BigInt(Math.floor(next() * 2000) - 1000), x: Math.round((next() - 0.5) * 2000) / 8, ok: next() < 0.5 };
      };
      const total = maxBlockSize === 1 ? 150 : 800 + Math.floor(next() * 2500);
      while (rows.length < total) {
        if (next() < 0.3) {
          const r = makeRow();
          t.append(r);
          rows.push(r);
        } else {
          const batch = Array.from({ length: 1 + Math.floor(next() * 200) }, makeRow);
          t.appendBatch({ sym: batch.map((r) => r.sym), t: batch.map((r) => r.t), big: batch.map((r) => r.big), x: batch.map((r) => r.x), ok: batch.map((r) => r.ok) });
          rows.push(...batch);
        }
      }
      const valueFor = (col: keyof Row): Value => {
        if (next() < 0.7) return rows[Math.floor(next() * rows.length)][col];
        switch (col) {
          case 'sym': return pick([...STRINGS, 'zzz']);
          case 't': return time - BigInt(Math.floor(next() * 400));
          case 'big': return pick(BIGS);
          case 'x': return (next() - 0.5) * 300;
          case 'ok': return next() < 0.5;
        }
      };
      for (const phase of ['live', 'flushed', 'reopened']) {
        if (phase === 'flushed') await t.flush();
        if (phase === 'reopened') {
          await db.close();
          db = await open(dir, { pool, cacheBytes });
          t = await db.openTable(schema);
          expect(t.rowCount).toBe(rows.length);
        }
        for (let q = 0; q < 12; q++) {
          const filters: Filter[] = [];
          for (let k = Math.floor(next() * 4); k > 0; k--) {
            const col = pick(COLS);
            filters.push([col, col === 'ok' ? pick(['==', '!='] as CompareOp[]) : pick(OPS), valueFor(col)]);
          }
          const sel = COLS.filter(() => next() < 0.5);
          if (sel.length === 0) sel.push('t');
          // Every form, in a random order, twice: the first answers may fill the cache.
          const forms = [...FORMS, ...FORMS].sort(() => next() - 0.5);
          for (const form of forms) {
            const label = `seed ${seed} ${JSON.stringify(config)} ${phase} ${form}: ${JSON.stringify(filters, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
            expect(await ask(t, filters, form, sel), label).toEqual(expected(rows, filters, form, sel));
          }
        }
      }
    } finally {
      await db.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const SEEDS = Number(process.env.BTDB_PROPERTY_SEEDS ?? 6);
describe('property: every form of every question against a JS oracle', () => {
  for (let seed = 1; seed <= SEEDS; seed++) it(`seed ${seed}`, runSeed(seed * 7919));
});
