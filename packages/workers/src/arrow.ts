// The parts of this package that load apache-arrow and parquet-wasm, behind their own entry
// point (`@backtracedb/workers/arrow`): importing the package itself loads neither.
export { decodeParquet, viewOfVector, type DecodedColumns } from './parquet-decode.js';
export { arrowTableOf, arrowDataOf, arrowTypeOf } from './arrow-build.js';
export { encodeBlock, encodeParquet } from './parquet-encode.js';
export { encodeBlockWithParquetWasm } from './parquet-wasm-encode.js';
