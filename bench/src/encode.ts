// Per-thread block encoding against the plain typed-array copy loop of the same columns:
// what one pool thread can seal per second (issue 10), measured on this thread.
import { encodeBlock, encodeBlockWithParquetWasm } from '@backtracedb/workers/arrow';
import { newActiveBlock, resolveSchema, writeBatch, normalizeBatch, frozenViewsOf, schemaToJson } from '@backtracedb/engine';
import { tradesSchema, trades } from './data.js';
import { bestOfMs, fmtRate, type ResultRow } from './measure.js';

function copyLoopMs(cols: ReturnType<typeof trades>, runs: number): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const n = cols.ts.length;
    const ts = new BigInt64Array(n); ts.set(cols.ts);
    const price = new Float64Array(n); price.set(cols.price);
    const volume = new BigInt64Array(n); volume.set(cols.volume);
    const codes = new Int32Array(n);
    const dict = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      let c = dict.get(cols.symbol[i]);
      if (c === undefined) { c = dict.size; dict.set(cols.symbol[i], c); }
      codes[i] = c;
    }
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export async function encodeSuite(blockRows: number, runs: number): Promise<ResultRow[]> {
  const schema = resolveSchema(tradesSchema);
  const cols = trades(0, blockRows);
  const block = newActiveBlock(schema, 0, blockRows);
  writeBatch(block, normalizeBatch(schema, cols, null), 0, blockRows);
  const task = { kind: 'encode' as const, schema: schemaToJson(schema), rowCount: blockRows, columns: frozenViewsOf(block, blockRows), rowGroupRows: 65_536, sharedOutput: false };
  encodeBlock(task);
  encodeBlockWithParquetWasm(task); // warm both
  const encodeMs = await bestOfMs(runs, () => encodeBlock(task));
  const wasmMs = await bestOfMs(runs, () => encodeBlockWithParquetWasm(task));
  const copyMs = copyLoopMs(cols, runs);
  return [{
    workload: `encode one ${blockRows.toLocaleString()}-row trades block to Parquet, one thread`,
    ours: fmtRate(blockRows, encodeMs), reference: `copy loop ${fmtRate(blockRows, copyMs)}`, ratio: copyMs / encodeMs,
    target: 'record', met: true, note: `rows/s ratio; ${(encodeMs).toFixed(1)} ms per block, zone maps and layout included`,
  }, {
    workload: `same block: the engine's Parquet writer against parquet-wasm (Arrow IPC in, statistics off)`,
    ours: fmtRate(blockRows, encodeMs), reference: `parquet-wasm ${fmtRate(blockRows, wasmMs)}`, ratio: wasmMs / encodeMs,
    target: 'record', met: true, note: 'rows/s ratio; both with zone maps, layout and CRC32',
  }];
}
