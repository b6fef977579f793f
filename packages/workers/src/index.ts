export { encodeBlock, encodeParquet } from './parquet-encode.js';
export { decodeParquet, viewOfVector, type DecodedColumns } from './parquet-decode.js';
export { scanBlock, scanDecoded, neededColumns, filterColumns, type ScanTask, type ScanViewsTask, type ScanOutput } from './scan-block.js';
export { arrowTableOf, arrowDataOf, arrowTypeOf } from './arrow-build.js';
export type { PoolTask } from './task.js';

/** The built task module Piscina loads (always JavaScript, next to this file). */
export const taskFileUrl: URL = new URL('./task.js', import.meta.url);
export { readParquetColumns } from './parquet/read.js';
export { readFooter, type Footer } from './parquet/footer.js';
export { UnsupportedParquetError } from './parquet/thrift.js';
