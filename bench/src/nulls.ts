// The cost of nulls at ingest: appendBatch (WAL + disk blocks of 100k rows) of the trades data
// with 30% nulls in two nullable columns (price, volume), against the same rows without nulls.
// Two references: the same schema and input shape (JS arrays) with no null in them — the cost
// of validity itself — and the plain non-nullable table fed typed arrays, as ingest runs today.
import { open } from 'backtracedb';
import { seededRandom } from 'backtracedb/sample-data';
import { tradesSchema, trades, type TradeColumns } from './data.js';
import { fmtRate, type ResultRow } from './measure.js';
import { freshDir } from './dirs.js';

const BATCH = 100_000;
const NULL_RATE = 0.3;

const nullableSchema = {
  ...tradesSchema,
  name: 'trades_nulls',
  columns: tradesSchema.columns.map((c) => (c.name === 'price' || c.name === 'volume' ? { ...c, nullable: true as const } : c)),
};

type Batch = Record<string, ArrayLike<unknown>>;

/** The trades columns with price and volume as JS arrays, 30% of their entries null (seeded). */
function withNulls(b: TradeColumns, next: () => number, rate: number): Batch {
  const price = Array.from(b.price, (v) => (next() < rate ? null : v));
  const volume = Array.from(b.volume, (v) => (next() < rate ? null : v));
  return { ts: b.ts, symbol: b.symbol, price, volume };
}

async function ingestMs(schema: typeof nullableSchema | typeof tradesSchema, batches: Batch[], runs: number): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const db = await open(freshDir('ingest-nulls'));
    const t = await db.createTable(schema, { enableWal: true, useDiskStorage: true, maxBlockSize: BATCH });
    const t0 = performance.now();
    for (const b of batches) t.appendBatch(b as never);
    await t.sync();
    await t.flush();
    best = Math.min(best, performance.now() - t0);
    await db.close();
  }
  return best;
}

export async function nullsSuite(rows: number, runs: number): Promise<ResultRow[]> {
  const plain: TradeColumns[] = [];
  for (let at = 0; at < rows; at += BATCH) plain.push(trades(at, Math.min(BATCH, rows - at)));
  const next = seededRandom(11);
  const nulls = plain.map((b) => withNulls(b, next, NULL_RATE));
  const noNulls = plain.map((b) => withNulls(b, next, 0));
  const nullsMs = await ingestMs(nullableSchema, nulls, runs);
  const sameShapeMs = await ingestMs(nullableSchema, noNulls, runs);
  const typedMs = await ingestMs(tradesSchema, plain as unknown as Batch[], runs);
  const m = (rows / 1e6).toFixed(1);
  return [
    {
      workload: `appendBatch() with 30% nulls in price and volume, WAL + disk, 100k-row blocks (${m}M rows)`,
      ours: fmtRate(rows, nullsMs), reference: `same nullable table, no null ${fmtRate(rows, sameShapeMs)}`,
      ratio: sameShapeMs / nullsMs, target: 'state the cost', met: true,
      note: 'rows/s ratio (< 1: the cost of nulls); both fed JS arrays for price and volume; includes sealing and writing every block',
    },
    {
      workload: `same, against the non-nullable table fed typed arrays (${m}M rows)`,
      ours: fmtRate(rows, nullsMs), reference: `non-nullable, typed arrays ${fmtRate(rows, typedMs)}`,
      ratio: typedMs / nullsMs, target: 'state the cost', met: true,
      note: 'rows/s ratio: what a feed with gaps costs against the fastest ingest path (typed arrays need no per-value check)',
    },
  ];
}
