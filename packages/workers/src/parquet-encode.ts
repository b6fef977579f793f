// Encode a sealed block: the engine's own Parquet writer (parquet/write.ts) and the zone maps
// of the block and of each row group, computed from the same column views.
import { crc32 } from 'node:zlib';
import { computeZoneMap, mergeZoneMaps, type EncodedBlock, type EncodeTask, type RowGroupZone } from '@backtracedb/engine';
import { writeParquet } from './parquet/write.js';
import { parquetColumnsOf } from './parquet/timestamp.js';

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
  const { bytes, layout } = writeParquet(parquetColumnsOf(task.schema), columns, rowCount, rowGroupRows, task.sharedOutput);
  const rowGroups: RowGroupZone[] = [];
  for (let first = 0; first < rowCount; first += rowGroupRows) {
    rowGroups.push({ firstRow: first, zoneMap: computeZoneMap(columns, first, Math.min(rowCount, first + rowGroupRows)) });
  }
  return { parquet: bytes, zoneMap: mergeZoneMaps(rowGroups.map((g) => g.zoneMap)), rowGroups, checksum: crc32(bytes), layout };
}
