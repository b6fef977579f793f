// Seeded sample data, one copy for the demo, the benchmarks and the tests: the trades schema
// of DESIGN.md and a generator whose row k is the same on every call and every machine.
// Imported as `backtracedb/sample-data`.

import { seededRandom } from '@backtracedb/engine';

export { seededRandom };

export const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA', 'BTC', 'ETH'] as const;

export const tradesSchema = {
  name: 'trades',
  timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'int64' },
    { name: 'symbol', type: 'string' },
    { name: 'price', type: 'float64' },
    { name: 'volume', type: 'int64' },
  ],
} as const;

export interface TradeColumns {
  ts: BigInt64Array;
  symbol: string[];
  price: Float64Array;
  volume: BigInt64Array;
}

export interface TradesOptions {
  /** Default 7 (the benchmarks' data set). */
  seed?: number;
  /** Time of row 0; row k is at t0 + k. Default 1_700_000_000_000n. */
  t0?: bigint;
  /** Prices are drawn from [priceMin, priceMin + priceSpan), in cents. Default 100 and 1000. */
  priceMin?: number;
  priceSpan?: number;
}

/** Rows [from, from + n) of the seeded trades: 8 symbols, volumes 1–10000, times increasing by 1. */
export function trades(from: number, n: number, options: TradesOptions = {}): TradeColumns {
  const { seed = 7, t0 = 1_700_000_000_000n, priceMin = 100, priceSpan = 1000 } = options;
  const next = seededRandom(seed + from);
  const ts = new BigInt64Array(n);
  const price = new Float64Array(n);
  const volume = new BigInt64Array(n);
  const symbol = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    ts[i] = t0 + BigInt(from + i);
    symbol[i] = SYMBOLS[Math.floor(next() * SYMBOLS.length)];
    price[i] = priceMin + Math.round(next() * priceSpan * 100) / 100;
    volume[i] = BigInt(1 + Math.floor(next() * 10_000));
  }
  return { ts, symbol, price, volume };
}
