// Encode a sealed block: the engine's own Parquet writer (parquet/write.ts) and the zone maps
// of the block and of each row group, computed from the same column views.
import { crc32 } from 'node:zlib';
import type { EncodedBlock, EncodeTask, RowGroupZone } from '@backtracedb/engine';
import { computeZoneMap, mergeZoneMaps } from '@backtracedb/engine/thread';
import { writeParquet } from './parquet/write.js';
import { parquetColumnsOf } from './parquet/timestamp.js';
import { CODEC_OF, codecsReady } from './parquet/compress.js';

/**
 * null when the task's codec can be encoded now; else a promise that resolves when it can
 * (zstd's wasm loads on a thread's first zstd block, ~30 ms: threads of tables that never
 * use zstd do not pay for it).
 */
export function encoderReady(task: EncodeTask): Promise<void> | null {
  return codecsReady([CODEC_OF[task.compression ?? 'none']]);
}

/** encodeBlock, or null while the task's codec is still loading on this thread (loading starts). */
export function encodeBlockIfReady(task: EncodeTask): EncodedBlock | null {
  return encoderReady(task) === null ? encodeBlock(task) : null;
}

/**
 * Column views → Parquet bytes, in the layout the fast reader reads. Any row count, 0 too
 * (an export with no matching rows is a file with the schema and no rows).
 */
export function encodeParquet(schema: EncodeTask['schema'], columns: EncodeTask['columns'], rowCount: number, rowGroupRows: number): Uint8Array {
  return writeParquet(parquetColumnsOf(schema), columns, rowCount, rowGroupRows, false).bytes;
}

export function encodeBlock(task: EncodeTask): EncodedBlock {
  const { rowCount, columns, rowGroupRows } = task;
  if (rowCount < 1) throw new Error('internal: encoding an empty block');
  // Memory storage: the bytes go straight onto shared memory, where scans read them in place.
  const codec = CODEC_OF[task.compression ?? 'none'];
  const { bytes, layout } = writeParquet(parquetColumnsOf(task.schema), columns, rowCount, rowGroupRows, task.sharedOutput, undefined, codec);
  const rowGroups: RowGroupZone[] = [];
  for (let first = 0; first < rowCount; first += rowGroupRows) {
    rowGroups.push({ firstRow: first, zoneMap: computeZoneMap(columns, first, Math.min(rowCount, first + rowGroupRows)) });
  }
  return { parquet: bytes, zoneMap: mergeZoneMaps(rowGroups.map((g) => g.zoneMap)), rowGroups, checksum: crc32(bytes), layout };
}
