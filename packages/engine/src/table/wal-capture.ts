// Rows go to the WAL as ranges copied out of the block buffers: single-row appends are
// coalesced into one record per group commit instead of one record per row.
import type { ActiveBlock } from '../block/active-block.js';
import type { ResolvedSchema } from '../schema/schema.js';
import type { ColumnValues, NormalizedBatch } from './validate.js';
import { encodeBlockRange, fitRows, type BlockColumn } from '../wal/batch-codec.js';
import { MAX_RECORD_ROWS, RECORD_HEADER_BYTES, RECORD_TARGET_BYTES } from '../wal/record.js';
import type { WalWriter } from '../wal/writer.js';

/** Rows [from, to) of a block (offsets inside the block) as a batch. */
export function batchFromBlock(block: ActiveBlock, from: number, to: number): NormalizedBatch {
  const columns = block.columns.map((c): ColumnValues => {
    switch (c.type) {
      case 'int64': return c.values.slice(from, to);
      case 'float64': return c.values.slice(from, to);
      case 'bool': return c.values.slice(from, to);
      case 'string': {
        const out = new Array<string>(to - from);
        const dict = c.dictionary.values;
        for (let i = from; i < to; i++) out[i - from] = dict[c.values[i]];
        return out;
      }
    }
  });
  return { rowCount: to - from, columns };
}

/**
 * Log rows [fromSeq, toSeq) of `block` in records of at most MAX_RECORD_ROWS rows and
 * RECORD_TARGET_BYTES payload bytes (a single bigger row, at most MAX_ROW_BYTES as append
 * checked, gets a record of its own); returns toSeq.
 */
export function captureRows(wal: WalWriter, schema: ResolvedSchema, block: ActiveBlock, fromSeq: number, toSeq: number): number {
  const types = schema.columns.map((c) => c.type);
  const columns = block.columns.map((c): BlockColumn => (c.type === 'string' ? { type: 'string', values: c.values, dictionary: c.dictionary.values } : c));
  let seq = fromSeq;
  while (seq < toSeq) {
    const at = seq - block.firstRowSeq;
    const end = fitRows(columns, at, at + Math.min(MAX_RECORD_ROWS, toSeq - seq), RECORD_TARGET_BYTES);
    if (at < 0 || end > block.rowCount) throw new Error('internal: WAL capture outside the block');
    wal.appendInPlace(seq, end - at, encodeBlockRange(types, columns, at, end, RECORD_HEADER_BYTES));
    seq += end - at;
  }
  return seq;
}
