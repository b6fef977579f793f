// Random time-series rows for the property tests: negative and repeated times, gaps, int64
// sums past 2^63, non-ASCII and empty strings, bool and int64 keys. Floats are multiples of
// 0.25 of modest size, so their sums are exact in any order.
import { seededRandom } from 'backtracedb/sample-data';
import type { Row } from './oracle.js';

export const schema = {
  name: 'ticks',
  timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'int64' },
    { name: 'sym', type: 'string' },
    { name: 'flag', type: 'bool' },
    { name: 'acct', type: 'int64' },
    { name: 'price', type: 'float64' },
    { name: 'vol', type: 'int64' },
  ],
} as const;
export const INT_COLS: ReadonlySet<string> = new Set(['ts', 'acct', 'vol']);

export const SYMS = ['', 'ü', '日本', 'a', 'B', '🙂x'];
const ACCTS = [-(2n ** 63n), -7n, 0n, 3n, 2n ** 62n];

export function randomRows(seed: number, n: number): Row[] {
  const next = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  let t = -BigInt(Math.floor(next() * 500)) - 50n;
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const r = next();
    t += r < 0.3 ? 0n : r < 0.95 ? BigInt(1 + Math.floor(next() * 5)) : BigInt(20 + Math.floor(next() * 60)); // repeats and gaps
    const big = next() < 0.3;
    rows.push({
      ts: t,
      sym: pick(SYMS),
      flag: next() < 0.5,
      acct: pick(ACCTS),
      price: Math.round((next() * 2000 - 1000) * 4) / 4,
      vol: big ? 2n ** 62n + BigInt(Math.floor(next() * 1e6)) : BigInt(Math.floor(next() * 2000) - 1000),
    });
  }
  return rows;
}

export function columnsOf(rows: readonly Row[]) {
  return {
    ts: rows.map((r) => r.ts as bigint), sym: rows.map((r) => r.sym as string), flag: rows.map((r) => r.flag as boolean),
    acct: rows.map((r) => r.acct as bigint), price: rows.map((r) => r.price as number), vol: rows.map((r) => r.vol as bigint),
  };
}
