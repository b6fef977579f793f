// The fixed, seeded benchmark data of DESIGN.md: the trades schema, 8 symbols, prices
// 100–1100, volumes 1–10000, timestamps increasing by 1 (one generator for the demo, the
// benchmarks and the tests: backtracedb/sample-data).
import { trades as sampleTrades, type TradeColumns } from 'backtracedb/sample-data';

export { SYMBOLS, tradesSchema, type TradeColumns } from 'backtracedb/sample-data';
export const T0 = 1_700_000_000_000n;

/** Rows [from, from + n) of the seeded data set; the same rows on every call. */
export function trades(from: number, n: number, seed = 7): TradeColumns {
  return sampleTrades(from, n, { seed, t0: T0 });
}
