// The features of issues 13 and 14 used together, against a plain-JS oracle: nullable columns,
// late rows within an outOfOrderWindow, a timeUnit of seconds (stored as milliseconds), and
// deleteBefore / compact / reopen. Each was built and tested alone; these are the seams.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool, open } from 'backtracedb';
import { seededRandom } from 'backtracedb/sample-data';

const pool = createPool(2);
afterAll(() => pool.destroy());

type Row = { ts: bigint; sym: string | null; px: number | null; n: bigint | null; ok: boolean | null };
const schema = {
  name: 'q', timeColumn: 'ts', timeUnit: 's',
  columns: [
    { name: 'ts', type: 'int64' }, { name: 'sym', type: 'string', nullable: true }, { name: 'px', type: 'float64', nullable: true },
    { name: 'n', type: 'int64', nullable: true }, { name: 'ok', type: 'bool', nullable: true },
  ],
} as const;

/** Rows with ~30% nulls; times climb, some rows late by up to `window`. */
function rowsOf(seed: number, count: number, window: bigint): Row[] {
  const next = seededRandom(seed);
  const maybe = <T>(v: T): T | null => (next() < 0.3 ? null : v);
  const out: Row[] = [];
  let newest = 1_700_000_000n;
  for (let i = 0; i < count; i++) {
    newest += BigInt(Math.floor(next() * 3));
    const late = window > 0n && next() < 0.2 ? BigInt(Math.floor(next() * Number(window + 1n))) : 0n;
    out.push({ ts: newest - late, sym: maybe(['a', 'b', 'ü', ''][Math.floor(next() * 4)]), px: maybe(Math.round(next() * 400) / 4), n: maybe(BigInt(Math.floor(next() * 1000) - 500)), ok: maybe(next() < 0.5) });
  }
  return out;
}

/** Time order, equal times in append order. */
const sorted = (rows: readonly Row[]): Row[] => rows.map((r, i) => [r, i] as const).sort((a, b) => (a[0].ts < b[0].ts ? -1 : a[0].ts > b[0].ts ? 1 : a[1] - b[1])).map(([r]) => r);

describe('nulls, late rows, timeUnit s, deleteBefore, compact and reopen together', () => {
  for (const disk of [false, true]) {
    it(`agree with the oracle (${disk ? 'disk' : 'memory'})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'btdb-combined-'));
      let db = await open(dir, { pool });
      try {
        const window = 20n;
        let t = await db.createTable(schema, { outOfOrderWindow: window, maxBlockSize: 50, rowGroupRows: 16, enableWal: true, useDiskStorage: disk });
        const rows = rowsOf(disk ? 2 : 1, 600, window);
        for (let i = 0; i < 300; i++) t.append(rows[i]);
        t.appendBatch({ ts: rows.slice(300).map((r) => r.ts), sym: rows.slice(300).map((r) => r.sym), px: rows.slice(300).map((r) => r.px), n: rows.slice(300).map((r) => r.n), ok: rows.slice(300).map((r) => r.ok) });
        let want = sorted(rows);
        const check = async (label: string) => {
          expect(await t.reader().toArray(), label).toEqual(want);
          expect(await t.reader().count(), label).toBe(want.length);
          expect(t.rowCount, label).toBe(want.length);
          expect(await t.reader().filter('px', 'isNull').count(), label).toBe(want.filter((r) => r.px === null).length);
          expect(await t.reader().filter('n', '>', 0n).count(), label).toBe(want.filter((r) => r.n !== null && r.n > 0n).length);
          const agg = await t.reader().aggregate({ values: { c: ['count', 'px'], hi: ['max', 'n'], first: ['first', 'sym'] } }).toArray();
          const px = want.filter((r) => r.px !== null);
          const ns = want.filter((r) => r.n !== null).map((r) => r.n as bigint);
          expect(agg, label).toEqual(want.length === 0 ? [] : [{ c: px.length, hi: ns.length === 0 ? null : ns.reduce((a, b) => (b > a ? b : a)), first: want.find((r) => r.sym !== null)?.sym ?? null }]);
          expect((await t.reader().order('desc').limit(7).toArray()), label).toEqual([...want].reverse().slice(0, 7));
          const arrow = await t.reader().toArrow();
          expect(arrow.numRows, label).toBe(want.length);
          expect(arrow.getChild('px')?.nullCount, label).toBe(want.filter((r) => r.px === null).length);
        };
        await check('live');
        await t.flush();
        await check('flushed');
        const cutoff = want[120].ts;
        const removed = await t.deleteBefore(cutoff);
        expect(removed).toBe(want.filter((r) => r.ts < cutoff).length);
        want = want.filter((r) => r.ts >= cutoff);
        await check('after deleteBefore');
        const c = await t.compact();
        expect(c.blocksAfter).toBeLessThanOrEqual(c.blocksBefore);
        await check('after compact');
        // After the operations (flush() sealed every row, so later rows start past the newest):
        // a new row, then one late by less than the window — taken, in time order.
        const newest = want[want.length - 1].ts;
        const later = [
          { ts: newest + 10n, sym: 'z', px: null, n: 1n, ok: null },
          { ts: newest + 6n, sym: null, px: 1.25, n: null, ok: true },
        ];
        for (const r of later) t.append(r);
        want = sorted([...want, ...later]);
        await t.sync();
        await check('late row after compact');
        await db.close();
        db = await open(dir, { pool });
        t = await db.openTable(schema);
        await check('reopened');
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
