// The worker-side package. This entry point loads neither apache-arrow nor parquet-wasm:
// scans of the engine's own blocks need neither; the encoder and the Arrow helpers live
// behind `@backtracedb/workers/encode` and `@backtracedb/workers/arrow`.
export { scanBlock, type ScanTask, type ScanOutput, type ViewsScanTask, type ChunksScanTask, type ParquetScanTask } from './scan-block.js';
export type { PoolTask } from './task.js';
export type { EncodeRequest, EncodeReply } from './encode-thread.js';

/** The built task module Piscina loads (always JavaScript, next to this file). */
export const taskFileUrl: URL = new URL('./task.js', import.meta.url);
/** The built module an encoder thread runs. */
export const encodeThreadUrl: URL = new URL('./encode-thread.js', import.meta.url);
export { readParquetColumns } from './parquet/read.js';
export { readFooter, type Footer } from './parquet/footer.js';
export { UnsupportedParquetError } from './parquet/thrift.js';
