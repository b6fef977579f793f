import { encodeBlock } from '@backtracedb/workers/arrow';
import { newActiveBlock, resolveSchema, writeBatch, normalizeBatch, frozenViewsOf, schemaToJson } from '@backtracedb/engine';
import { tradesSchema, trades } from '../dist/data.js';
const blockRows = 100_000;
const schema = resolveSchema(tradesSchema);
const block = newActiveBlock(schema, 0, blockRows);
writeBatch(block, normalizeBatch(schema, trades(0, blockRows), null), 0, blockRows);
const task = { kind: 'encode', schema: schemaToJson(schema), rowCount: blockRows, columns: frozenViewsOf(block, blockRows), rowGroupRows: 65_536, sharedOutput: false };
let best = Infinity;
for (let i = 0; i < 60; i++) { const t0 = performance.now(); encodeBlock(task); best = Math.min(best, performance.now() - t0); }
console.log('best ms per 100k block', best.toFixed(2));
