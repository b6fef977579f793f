// Encode a sealed block: the engine's own Parquet writer (parquet/write.ts) and the zone maps
// of the block and of each row group, computed from the same column views.
import { crc32 } from 'node:zlib';
import { computeZoneMap, mergeZoneMaps, type EncodedBlock, type EncodeTask, type RowGroupZone } from '@backtracedb/engine';
import { writeParquet } from './parquet/write.js';
import { CODEC_OF, loadZstd } from './parquet/compress.js';

// zstd's wasm is loaded with the encoder (once per thread, ~30 ms), so encodeBlock stays
// synchronous whatever a table's compression setting becomes.
await loadZstd();

/**
 * Column views → Parquet bytes, in the layout the fast reader reads. Any row count, 0 too
 * (an export with no matching rows is a file with the schema and no rows).
 */
export function encodeParquet(schema: EncodeTask['schema'], columns: EncodeTask['columns'], rowCount: number, rowGroupRows: number): Uint8Array {
  return writeParquet(schema.columns, columns, rowCount, rowGroupRows, false).bytes;
}

export function encodeBlock(task: EncodeTask): EncodedBlock {
  const { rowCount, columns, rowGroupRows } = task;
  if (rowCount < 1) throw new Error('internal: encoding an empty block');
  // Memory storage: the bytes go straight onto shared memory, where scans read them in place.
  const codec = CODEC_OF[task.compression ?? 'none'];
  const { bytes, layout } = writeParquet(task.schema.columns, columns, rowCount, rowGroupRows, task.sharedOutput, undefined, codec);
  const rowGroups: RowGroupZone[] = [];
  for (let first = 0; first < rowCount; first += rowGroupRows) {
    rowGroups.push({ firstRow: first, zoneMap: computeZoneMap(columns, first, Math.min(rowCount, first + rowGroupRows)) });
  }
  return { parquet: bytes, zoneMap: mergeZoneMaps(rowGroups.map((g) => g.zoneMap)), rowGroups, checksum: crc32(bytes), layout };
}
