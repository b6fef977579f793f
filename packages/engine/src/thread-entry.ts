// What scan and encoder threads need of the engine, as its own entry
// (`@backtracedb/engine/thread`): kernels, selections, aggregation and zone maps, without the
// table, WAL and storage modules. A thread that imports the whole engine loads ~75 modules
// instead of ~25 and starts ~40% slower (measured: 100 -> 70 ms to load the scan task module).
export { computeZoneMap, mergeZoneMaps } from './block/zone-map.js';
export { aggregateRows } from './query/aggregate.js';
export { presentRows } from './column/column-view.js';
export { compareScalar } from './query/predicate.js';
export { applyPredicate, scratchSelection } from './query/kernels.js';
export { gather, scanViews, selectRows, transferablesOf } from './query/scan.js';
export { copyBytes } from './util/copy-bytes.js';
