// Every row of one sealed block, decoded in the pool: what a table needs back when a late row
// takes its tail blocks back into the active block (engine: reopen-tail.ts), read at open.
import { join } from 'node:path';
import { readBlockFile, schemaToJson, type ColumnValues, type ColumnView, type NormalizedBatch, type ResolvedSchema, type SealedBlock, type Storage } from '@backtracedb/engine';
import type { BlockPool } from '../pool.js';

function valuesOf(v: ColumnView): ColumnValues {
  switch (v.type) {
    case 'string': { const d = v.dictionary; return Array.from(v.values, (c) => d[c]); }
    default: return v.values.slice();
  }
}

/** A whole-block scan's rows as a batch; validity goes with the values (a rebuilt block keeps its nulls). */
export function batchOfResult(r: { rowCount: number; columns: ColumnView[] }): NormalizedBatch {
  const valid = r.columns.map((v) => (v.valid ? v.valid.slice() : null));
  return { rowCount: r.rowCount, columns: r.columns.map(valuesOf), ...(valid.some((v) => v !== null) ? { valid } : {}) };
}

/** A reader of whole blocks for TableContext.readBlock. */
export function wholeBlockReader(pool: BlockPool, storage: Storage): (dir: string, schema: ResolvedSchema, block: SealedBlock) => Promise<NormalizedBatch> {
  return async (dir, schema, block) => {
    const request = { predicates: [], projection: schema.columns.map((_, i) => i), countOnly: false, timeColumn: schema.timeIndex };
    const inMemory = block.parquet;
    const label = block.file !== null ? join(dir, block.file) : `memory block ${block.id} of table "${schema.name}"`;
    const parquet = inMemory ?? await readBlockFile(storage, schema.name, join(dir, block.file ?? ''), block.sizeBytes);
    const origin = inMemory !== null ? { kind: 'memory' as const } : { kind: 'file' as const, checksum: block.checksum };
    const r = await pool.scan({ kind: 'scan', source: 'parquet', request, label, schema: schemaToJson(schema), parquet, origin, rowGroups: null, expectedRows: block.rowCount, fillCache: false });
    return batchOfResult(r);
  };
}
