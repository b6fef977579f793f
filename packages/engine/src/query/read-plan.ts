// The read plan of one sealed block for one request: the single place that decides where
// the block is read from, which row groups are decoded, which rows zone maps already prove,
// and which columns are needed. Execution (reading bytes, the pool) follows the plan as is.
//
// The rule that keeps counts exact: rows proven by zone maps (`knownRows`) are added to a
// scan only when the scan itself is restricted to the other row groups. A source that can
// only be scanned whole (columns already in memory) therefore gets no known rows.
import type { BlockLayout, SealedBlock } from '../block/sealed-block.js';
import { viewsOf } from '../block/sealed-block.js';
import type { ColumnView } from '../column/column-view.js';
import { allMatch, mayMatch } from './zone-match.js';
import { timeMayMatch } from './prune.js';
import type { ScanRequest } from './scan.js';
import type { AggPartial } from './aggregate.js';
import { blockPartialsFromZones } from './zone-aggregate.js';

/** Decoded columns of a whole block, as the decoded-block cache holds them. */
export interface DecodedBlock {
  readonly views: ColumnView[];
  readonly rowCount: number;
}

/** Where the block's rows come from. Each source carries what it reads, taken at plan time. */
export type BlockSource =
  /** Columns already in memory (the block's shared buffers, or a cache entry): scanned whole, in place. */
  | { readonly kind: 'views'; readonly origin: 'shared' | 'cache'; readonly views: ColumnView[]; readonly rowCount: number }
  /** Memory storage: the Parquet bytes on shared memory. */
  | { readonly kind: 'parquet-bytes'; readonly bytes: Uint8Array }
  /** Disk storage, fast-reader layout: only the needed column chunks are read (CRC per chunk). */
  | { readonly kind: 'file-chunks'; readonly file: string; readonly layout: BlockLayout }
  /** Disk storage, any other Parquet: the whole file is read and its CRC checked. */
  | { readonly kind: 'file-whole'; readonly file: string; readonly sizeBytes: number; readonly checksum: number };

export type BlockReadPlan =
  /** Zone maps prove no row matches. */
  | { readonly kind: 'skip' }
  /** Counting, and zone maps prove exactly this many rows match: nothing is read. */
  | { readonly kind: 'known'; readonly rows: number }
  /** Aggregating, and zone maps give the block's partials: nothing is read. */
  | { readonly kind: 'partials'; readonly partials: AggPartial[] }
  | {
    readonly kind: 'scan';
    readonly block: SealedBlock;
    readonly source: BlockSource;
    /** Row groups to decode, ascending; null = the whole block. Always null for 'views'. */
    readonly rowGroups: readonly number[] | null;
    /** Rows of row groups not in `rowGroups` that zone maps prove match (counting only). */
    readonly knownRows: number;
    /** Schema columns the scan decodes, ascending. */
    readonly columns: readonly number[];
    /** Rows the decoded row groups hold (checked against what the file yields). */
    readonly expectedRows: number;
    /** Decode every column of the whole block and hand it back for the decoded-block cache. */
    readonly fillCache: boolean;
  };

/** What the planner may ask of the decoded-block cache. */
export interface DecodedBlockLookup {
  readonly enabled: boolean;
  get(block: SealedBlock): DecodedBlock | undefined;
  /** Whether to decode this block whole into the cache now (the cache's admission policy). */
  admit(block: SealedBlock): boolean;
}

/** Columns the predicates read (the time column is among them when a predicate is on it). */
export function filterColumns(req: ScanRequest): number[] {
  return [...new Set(req.predicates.map((p) => p.column))].sort((a, b) => a - b);
}

/** Columns a scan needs: the filter columns, plus the projection unless only counting. */
export function neededColumns(req: ScanRequest): number[] {
  const set = new Set<number>(filterColumns(req));
  if (!req.countOnly) for (const c of req.projection) set.add(c);
  return [...set].sort((a, b) => a - b);
}

function sourceOf(block: SealedBlock, cache: DecodedBlockLookup): BlockSource {
  if (block.raw !== null) return { kind: 'views', origin: 'shared', views: viewsOf(block.raw, block.rowCount), rowCount: block.rowCount };
  const cached = cache.enabled ? cache.get(block) : undefined;
  if (cached !== undefined) return { kind: 'views', origin: 'cache', views: cached.views, rowCount: cached.rowCount };
  if (block.parquet !== null) return { kind: 'parquet-bytes', bytes: block.parquet };
  if (block.file === null) throw new Error(`internal: sealed block ${block.id} has neither buffers, bytes nor a file`);
  if (block.layout !== null) return { kind: 'file-chunks', file: block.file, layout: block.layout };
  return { kind: 'file-whole', file: block.file, sizeBytes: block.sizeBytes, checksum: block.checksum };
}

function groupRows(block: SealedBlock, g: number): number {
  const groups = block.rowGroups;
  if (groups === null) throw new Error(`internal: block ${block.id} has no row groups`);
  const end = g + 1 < groups.length ? groups[g + 1].firstRow : block.rowCount;
  return end - groups[g].firstRow;
}

/**
 * Plan how to read `block` for `req`. Pure: reads the block's state and the cache as of now.
 * `nullable[c]`: column c may hold nulls (its zone then proves no aggregate).
 */
export function planBlockRead(block: SealedBlock, req: ScanRequest, cache: DecodedBlockLookup, columnCount: number, nullable: readonly boolean[] = []): BlockReadPlan {
  const preds = req.predicates;
  if (!timeMayMatch(block.minTime, block.maxTime, req.timeColumn, preds)) return { kind: 'skip' };
  const zm = block.zoneMap;
  if (zm !== null && !mayMatch(zm, preds)) return { kind: 'skip' };
  if (req.countOnly && zm !== null && allMatch(zm, preds)) return { kind: 'known', rows: block.rowCount };
  if (req.aggregate !== undefined) {
    const partials = blockPartialsFromZones(block, req.aggregate, preds, req.timeColumn, nullable);
    if (partials !== null) return { kind: 'partials', partials };
  }
  const source = sourceOf(block, cache);
  const whole = { kind: 'scan' as const, block, source, rowGroups: null, knownRows: 0, expectedRows: block.rowCount };
  if (source.kind === 'views') return { ...whole, columns: neededColumns(req), fillCache: false };

  // A source that decodes row groups on its own: prune them one by one.
  let rowGroups: number[] | null = null;
  let knownRows = 0;
  if (block.rowGroups !== null && preds.length > 0) {
    const chosen: number[] = [];
    for (let g = 0; g < block.rowGroups.length; g++) {
      const gz = block.rowGroups[g].zoneMap;
      if (!mayMatch(gz, preds)) continue;
      if (req.countOnly && allMatch(gz, preds)) knownRows += groupRows(block, g);
      else chosen.push(g);
    }
    if (chosen.length === 0) return knownRows === 0 ? { kind: 'skip' } : { kind: 'known', rows: knownRows };
    if (chosen.length < block.rowGroups.length) rowGroups = chosen;
  }
  // Fill the cache only from whole-block reads (a row-group-pruned read stays cheap), and only
  // when the cache admits the block.
  const fillCache = cache.enabled && rowGroups === null && cache.admit(block);
  const columns = fillCache ? Array.from({ length: columnCount }, (_, i) => i) : neededColumns(req);
  const expectedRows = rowGroups === null ? block.rowCount : rowGroups.reduce((n, g) => n + groupRows(block, g), 0);
  return { kind: 'scan', block, source, rowGroups, knownRows, columns, expectedRows, fillCache };
}
