// Every read path of a late-rows table against the oracle's table order (shared by the
// property test and the tail-reopen tests).
import { expect } from 'vitest';
import type * as arrow from 'apache-arrow';
import type { Database } from 'backtracedb';
import { oracleAggregate, oracleLatest, type Row } from '../timeseries/oracle.js';
import type { LateOracle, LateRow } from './oracle.js';

type Tbl = Awaited<ReturnType<Database['openTable']>>;

export function plain(r: Record<string, unknown>): LateRow {
  return { t: r.t as bigint, id: r.id as bigint, sym: r.sym as string, x: r.x as number, ok: r.ok as boolean };
}

/** Every read path against the oracle's table order. */
export async function expectReads(t: Tbl, oracle: LateOracle, where: string): Promise<void> {
  const want = oracle.tableOrder();
  const ids = want.map((r) => r.id);
  expect((await t.reader().toArray()).map(plain), where).toEqual(want);
  expect(await t.reader().count(), where).toBe(want.length);
  expect(t.rowCount, where).toBe(want.length);
  expect(await t.reader().select(['id', 't']).toArray(), where).toEqual(want.map((r) => ({ id: r.id, t: r.t })));
  if (want.length === 0) return;
  const mid = want[Math.floor(want.length / 2)].t;
  const from = want.filter((r) => r.t >= mid);
  expect((await t.reader().filter('t', '>=', mid).toArray()).map(plain), where).toEqual(from);
  expect(await t.reader().filter('t', '<', mid).count(), where).toBe(want.length - from.length);
  const table = await t.reader().toArrow();
  expect(Array.from(table.getChild('id') as arrow.Vector, (v) => v as bigint), where).toEqual(ids);
  const fromBatches: bigint[] = [];
  for await (const b of t.reader().batches()) fromBatches.push(...Array.from(b.getChild('id') as arrow.Vector, (v) => v as bigint));
  expect(fromBatches, where).toEqual(ids);
  const spec = { every: 7n, by: ['sym'], values: { n: ['count'], s: ['sum', 'id'], f: ['first', 'id'], l: ['last', 'id'], lo: ['min', 'x'] } } as const;
  expect(await t.reader().aggregate(spec as never).toArray(), where).toEqual(oracleAggregate(want as unknown as Row[], 't', new Set(['t', 'id']), spec as never));
  expect((await t.reader().latest('sym').toArray()).map(plain), where).toEqual(oracleLatest(want as unknown as Row[], ['sym']));
  for (const n of [1, 3, 17]) {
    expect((await t.reader().order('desc').limit(n).toArray()).map(plain), where).toEqual([...want].reverse().slice(0, n));
    expect((await t.reader().limit(n).toArray()).map(plain), where).toEqual(want.slice(0, n));
  }
}

