// How a table's blocks are read for a reader: take a snapshot, plan each sealed block
// (engine read-plan.ts decides), execute the plan on its source, scan the active block.
// Internal to the package: Table hands one to each Reader.
import { join } from 'node:path';
import {
  planBlockRead, readBlockFile, readColumnChunks, scanViews, sliceView, viewsOf,
  type ActiveBlock, type BlockReadPlan, type ColumnView, type DecodedBlockLookup, type ResolvedSchema, type ScanRequest, type ScanResult, type SealedBlock, type Storage, type TableSchema,
} from '@backtracedb/engine';
import type { ScanTask } from '@backtracedb/workers';
import type { BlockCache } from '../block-cache.js';
import type { BlockPool } from '../pool.js';
import { ReadLeases } from './read-leases.js';

/** What a reader sees: the sealed blocks and the active block's rows as of one moment. */
export interface Snapshot {
  readonly sealed: readonly SealedBlock[];
  readonly active: ActiveBlock;
  readonly activeRows: number;
  /** Ends the reader's lease: files replaced after the snapshot may go once all such leases end. */
  readonly release?: () => void;
}

/** A plan that reads something. */
export type ScanPlan = Extract<BlockReadPlan, { kind: 'scan' }>;

/**
 * From this many rows on, the active block is scanned in slices by the pool (measured on
 * 2 cores: 2M rows take 5.8 ms on the main thread, 3.9 ms as two slices in two workers);
 * below it, on the calling thread, where no message is worth its cost.
 */
export const ACTIVE_SPLIT_ROWS = 262_144;

/** The table facts a scanner needs; TableStore provides them. */
export interface ScannedTable {
  readonly name: string;
  readonly dir: string;
  readonly schema: ResolvedSchema;
  readonly storage: Storage;
  snapshot(): Snapshot;
  /**
   * Read-only tables: begin a reader — take the cross-process lease, catch up with the files
   * the writer changed — resolving to the function that ends it; null: nothing to do.
   */
  readonly beginRead: (() => Promise<() => void>) | null;
}

export class TableScanner {
  private readonly cacheLookup: DecodedBlockLookup;
  private readonly noAdmit: DecodedBlockLookup;
  /** Readers in flight (between their snapshot and their end). */
  readonly leases = new ReadLeases();

  constructor(
    private readonly table: ScannedTable,
    private readonly schemaJson: TableSchema,
    private readonly pool: BlockPool,
    private readonly cache: BlockCache,
  ) {
    this.cacheLookup = { enabled: cache.enabled, get: (b) => cache.get(this.cacheKey(b)), admit: (b) => cache.admit(this.cacheKey(b)) };
    this.noAdmit = { ...this.cacheLookup, admit: () => false };
  }

  get schema(): ResolvedSchema { return this.table.schema; }
  /** Block scans a reader keeps in flight. */
  get scanConcurrency(): number { return this.pool.threads * 4; }

  /** What a reader sees: after catching up with the writer (read-only tables), the state as of now. */
  async snapshot(): Promise<Snapshot> {
    this.pool.warm(); // a query begins: threads that are not up yet wait until it is over
    const endRead = this.table.beginRead === null ? null : await this.table.beginRead();
    const release = this.leases.acquire();
    return { ...this.table.snapshot(), release: endRead === null ? release : () => { release(); endRead(); } };
  }

  /** Whether files may vanish under a read (a read-only table next to a live writer): then reads retry. */
  get readsLiveWriter(): boolean { return this.table.beginRead !== null; }

  /**
   * `mayFillCache` false: the read may stop early (limit, latest), so planning a block must not
   * count as a touch for the cache's admission, and what is read is not worth caching.
   */
  plan(block: SealedBlock, req: ScanRequest, mayFillCache = true): BlockReadPlan {
    return planBlockRead(block, req, mayFillCache ? this.cacheLookup : this.noAdmit, this.table.schema.columns.length);
  }

  private cacheKey(block: SealedBlock): string {
    // Row count and checksum too: a compacted or rewritten block may start at the same row.
    return `${this.table.dir}/${block.firstRowSeq}:${block.rowCount}:${block.checksum}`;
  }

  private label(block: SealedBlock): string {
    return block.file !== null ? join(this.table.dir, block.file) : `memory block ${block.id} of table "${this.table.name}"`;
  }

  /** Run a plan; `rowGroupsDecoded` says how many Parquet row groups were decoded for it. */
  async execute(plan: ScanPlan, req: ScanRequest): Promise<ScanResult> {
    const { block, source } = plan;
    if (source.kind === 'views') {
      // Columns in memory are scanned whole: rows known from zone maps would count twice.
      if (plan.knownRows !== 0) throw new Error('internal: a whole-block scan was planned with known rows');
      // An aggregation over shared columns is worth a message: its per-row work runs in
      // parallel in the pool, and only the small partials come back.
      // Counting rows per key is one cheap pass over the key's codes: a message costs more.
      const countsOnly = req.aggregate?.values.every((v) => v.fn === 'count' && v.column === null) === true && req.aggregate.every === null;
      if (req.aggregate !== undefined && !countsOnly && this.pool.threads > 0 && source.views.every((v) => v.values.buffer instanceof SharedArrayBuffer)) {
        const label = this.label(block);
        return { ...await this.pool.scan({ kind: 'scan', source: 'views', request: req, label, views: source.views, rowCount: source.rowCount }), rowGroupsDecoded: 0 };
      }
      return { ...scanViews(source.views, 0, source.rowCount, req), rowGroupsDecoded: 0 };
    }
    const label = this.label(block);
    const { storage, name, dir } = this.table;
    let task: ScanTask;
    switch (source.kind) {
      case 'parquet-bytes':
        task = { kind: 'scan', source: 'parquet', request: req, label, schema: this.schemaJson, parquet: source.bytes, origin: { kind: 'memory' }, rowGroups: plan.rowGroups, expectedRows: plan.expectedRows, fillCache: plan.fillCache };
        break;
      case 'file-whole': {
        const bytes = await readBlockFile(storage, name, join(dir, source.file), source.sizeBytes);
        task = { kind: 'scan', source: 'parquet', request: req, label, schema: this.schemaJson, parquet: bytes, origin: { kind: 'file', checksum: source.checksum }, rowGroups: plan.rowGroups, expectedRows: plan.expectedRows, fillCache: plan.fillCache };
        break;
      }
      case 'file-chunks': {
        const groups = plan.rowGroups ?? source.layout.rowGroups.map((_, g) => g);
        const chunks = await readColumnChunks(storage, name, join(dir, source.file), source.layout, groups, plan.columns, (n) => this.pool.readBuffers.take(n));
        task = { kind: 'scan', source: 'chunks', request: req, label, schema: this.schemaJson, chunks, fillCache: plan.fillCache };
        break;
      }
    }
    const out = await this.pool.scan(task);
    if (out.spent !== undefined) {
      for (const b of out.spent) this.pool.readBuffers.give(b);
      delete out.spent;
    }
    if (out.decoded !== undefined) {
      this.cache.put(this.cacheKey(block), out.decoded, block.rowCount);
      delete out.decoded;
    }
    out.rowCount += plan.knownRows;
    out.rowGroupsDecoded = plan.rowGroups?.length ?? block.rowGroups?.length ?? 1;
    return out;
  }

  /** The active block's rows of the snapshot, in order: scanned in place, or in slices by the pool when large. */
  activeTasks(snap: Snapshot, req: ScanRequest): Array<() => Promise<ScanResult>> {
    const n = snap.activeRows;
    if (n === 0) return [];
    const parts = this.pool.threads;
    if (n < ACTIVE_SPLIT_ROWS || parts < 2) return [() => Promise.resolve(scanViews(viewsOf(snap.active, n), 0, n, req))];
    // Dictionaries are copied as of now: appends may add strings while workers read.
    const views: ColumnView[] = viewsOf(snap.active, n).map((v) => (v.type === 'string' ? { ...v, dictionary: v.dictionary.slice() } : v));
    const cuts = Array.from({ length: parts + 1 }, (_, i) => Math.floor((n * i) / parts));
    const label = `active block of table "${this.table.name}"`;
    return cuts.slice(0, -1).map((lo, i) => {
      const hi = cuts[i + 1];
      return () => this.pool.scan({ kind: 'scan', source: 'views', request: req, label, views: views.map((v) => sliceView(v, lo, hi)), rowCount: hi - lo });
    });
  }
}
