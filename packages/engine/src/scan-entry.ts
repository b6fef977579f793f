// What a scan thread needs of the engine, as its own entry (`@backtracedb/engine/scan`): the
// kernels, selections and aggregation, without the table, WAL and storage modules. A scan
// thread that imports the whole engine loads ~75 modules instead of ~25 and starts ~40% slower.
export { aggregateRows } from './query/aggregate.js';
export { presentRows } from './column/column-view.js';
export { compareScalar } from './query/predicate.js';
export { applyPredicate, scratchSelection } from './query/kernels.js';
export { gather, scanViews, selectRows, transferablesOf } from './query/scan.js';
