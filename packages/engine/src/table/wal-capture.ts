// Rows go to the WAL as ranges copied out of the block buffers: single-row appends are
// coalesced into one record per group commit instead of one record per row.
import type { ActiveBlock } from '../block/active-block.js';
import type { ResolvedSchema } from '../schema/schema.js';
import type { ColumnValues, NormalizedBatch } from './validate.js';
import { encodeBlockRange, type BlockColumn } from '../wal/batch-codec.js';
import { RECORD_HEADER_BYTES } from '../wal/record.js';
import type { WalWriter } from '../wal/writer.js';

/** Rows per WAL record: keeps every record far below the record size limit. */
export const MAX_RECORD_ROWS = 65_536;

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

/** Log rows [fromSeq, toSeq) of `block` in records of at most maxRows; returns toSeq. */
export function captureRows(wal: WalWriter, schema: ResolvedSchema, block: ActiveBlock, fromSeq: number, toSeq: number, maxRows: number): number {
  const types = schema.columns.map((c) => c.type);
  let seq = fromSeq;
  while (seq < toSeq) {
    const n = Math.min(maxRows, toSeq - seq);
    const at = seq - block.firstRowSeq;
    if (at < 0 || at + n > block.rowCount) throw new Error('internal: WAL capture outside the block');
    const columns = block.columns.map((c): BlockColumn => (c.type === 'string' ? { type: 'string', values: c.values, dictionary: c.dictionary.values } : c));
    wal.appendInPlace(seq, n, encodeBlockRange(types, columns, at, at + n, RECORD_HEADER_BYTES));
    seq += n;
  }
  return seq;
}
