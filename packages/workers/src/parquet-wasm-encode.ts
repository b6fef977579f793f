// The former block encoder, parquet-wasm through an Arrow IPC stream: kept to check the own
// writer against (tests) and to measure it (bench/src/encode.ts). Not used by the engine.
import { Codec } from './parquet/fields.js';
import { crc32 } from 'node:zlib';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { computeZoneMap, mergeZoneMaps, type BlockLayout, type EncodedBlock, type EncodeTask, type RowGroupZone } from '@backtracedb/engine';
import { readFooter } from './parquet/footer.js';
import { UnsupportedParquetError } from './parquet/thrift.js';
import { arrowTableOf } from './arrow-build.js';

/** Byte ranges and CRC32s of every column chunk, when the fast reader can read the file. */
function layoutOf(bytes: Uint8Array, names: readonly string[]): BlockLayout | null {
  let footer;
  try {
    footer = readFooter(bytes);
  } catch (err) {
    if (err instanceof UnsupportedParquetError) return null;
    throw err;
  }
  if (footer.optional.size > 0) return null;
  const rowGroups = footer.rowGroups.map((rg) => ({
    rowCount: rg.rowCount,
    chunks: names.map((name): [number, number, number] => {
      const c = rg.chunks.get(name);
      if (c === undefined) throw new Error(`internal: encoded block lacks column "${name}"`);
      return [c.start, c.end, crc32(bytes.subarray(c.start, c.end))];
    }),
  }));
  for (const rg of footer.rowGroups) for (const c of rg.chunks.values()) if (c.codec !== Codec.UNCOMPRESSED) return null;
  return { rowGroups };
}

/**
 * Column views → Parquet bytes, in the layout the fast reader reads. Any row count, 0 too
 * (an export with no matching rows is a file with the schema and no rows).
 */
function encodeParquetWithParquetWasm(schema: EncodeTask['schema'], columns: EncodeTask['columns'], rowCount: number, rowGroupRows: number): Uint8Array {
  const names = schema.columns.map((c) => c.name);
  const table = arrowTableOf(schema, names, columns, rowCount);
  const ipc = arrow.tableToIPC(table, 'stream');
  // Layout chosen for read speed (parquet/read.ts copies numeric pages straight into typed
  // arrays): no compression, PLAIN numbers, dictionary-encoded strings whose dictionary never
  // overflows into PLAIN pages, data pages v1.
  let builder = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.UNCOMPRESSED)
    .setWriterVersion(pq.WriterVersion.V1)
    .setDictionaryEnabled(false)
    .setDictionaryPageSizeLimit(1 << 30)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy('backtracedb')
    // The engine keeps its own zone maps; Parquet statistics would be computed twice (~40% of
    // the encode time of a trades block, measured by bench/src/encode.ts).
    .setStatisticsEnabled(pq.EnabledStatistics.None);
  for (const c of schema.columns) if (c.type === 'string') builder = builder.setColumnDictionaryEnabled(c.name, true);
  return pq.writeParquet(pq.Table.fromIPCStream(ipc), builder.build());
}

export function encodeBlockWithParquetWasm(task: EncodeTask): EncodedBlock {
  const { rowCount, columns, rowGroupRows } = task;
  if (rowCount < 1) throw new Error('internal: encoding an empty block');
  const names = task.schema.columns.map((c) => c.name);
  const bytes = encodeParquetWithParquetWasm(task.schema, columns, rowCount, rowGroupRows);
  let out = bytes;
  if (task.sharedOutput) {
    out = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
    out.set(bytes);
  }
  const rowGroups: RowGroupZone[] = [];
  for (let first = 0; first < rowCount; first += rowGroupRows) {
    rowGroups.push({ firstRow: first, zoneMap: computeZoneMap(columns, first, Math.min(rowCount, first + rowGroupRows)) });
  }
  return { parquet: out, zoneMap: mergeZoneMaps(rowGroups.map((g) => g.zoneMap)), rowGroups, checksum: crc32(out), layout: layoutOf(bytes, names) };
}
