// The fixed, seeded benchmark data of DESIGN.md: the trades schema, 8 symbols, prices
// 100–1100, volumes 1–10000, timestamps increasing by 1.
export const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA', 'BTC', 'ETH'] as const;
export const T0 = 1_700_000_000_000n;

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

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows [from, from + n) of the seeded data set; the same rows on every call. */
export function trades(from: number, n: number, seed = 7): TradeColumns {
  const next = mulberry32(seed + from);
  const ts = new BigInt64Array(n);
  const price = new Float64Array(n);
  const volume = new BigInt64Array(n);
  const symbol = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    ts[i] = T0 + BigInt(from + i);
    symbol[i] = SYMBOLS[Math.floor(next() * SYMBOLS.length)];
    price[i] = 100 + Math.round(next() * 100_000) / 100;
    volume[i] = BigInt(1 + Math.floor(next() * 10_000));
  }
  return { ts, symbol, price, volume };
}
