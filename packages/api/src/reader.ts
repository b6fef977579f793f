// Reader: filters chained as AND, executed at iteration time over a snapshot of the
// table: prune blocks by zone maps → scan the rest in parallel → yield in time order (or its
// exact reverse with order('desc')), stopping at limit(n). aggregate() and latest() build on
// the same block reads (read/aggregate-query.ts, read/latest-query.ts).
import {
  compilePredicate, MAX_PREDICATES, timeFilterValue,
  type ColumnDef, type CompareOp, type Predicate, type ScanRequest, type ScanResult,
} from '@backtracedb/engine';
import type * as arrow from 'apache-arrow';
import { arrowSchemaFor, recordBatchOf } from './arrow-out.js';
import { rowsOf, type RowValue } from './rows.js';
import { Table as ArrowTable } from 'apache-arrow';
import type { TableScanner } from './read/table-scanner.js';
import { blockResults, checkLimit, checkOrder, type ReadOrder, type ReadShape } from './read/block-results.js';
import { AggregateQuery } from './read/aggregate-query.js';
import { compileAggregate, type AggregateSpec } from './read/aggregate-spec.js';
import { LatestQuery } from './read/latest-query.js';

export type { ReadOrder } from './read/block-results.js';

/**
 * What a filter on a column of JS type T accepts: int64 columns also take safe-integer numbers;
 * the time column of a table with a timeUnit also a Date or an ISO-8601 string.
 */
export type FilterValue<T> = T extends bigint ? bigint | number | Date | string : T;

/** What the last run of a reader did: how much pruning saved. */
export interface ReaderStats {
  /** Sealed blocks in the snapshot. */
  blocks: number;
  /** Sealed blocks skipped by their zone maps without reading them. */
  blocksPruned: number;
  /** Parquet row groups decoded (0 for blocks read from shared memory or the cache). */
  rowGroupsDecoded: number;
  /** Rows in the active block, scanned in shared memory. */
  activeRows: number;
  /** Block scans started (sealed blocks and active-block slices): with a limit, only as many as needed. */
  scansStarted: number;
  /** Sealed blocks an aggregate answered from their zone maps alone, without reading them. */
  blocksFromMetadata: number;
}

export class Reader<Row extends object = Record<string, RowValue>> {
  private readonly predicates: Predicate[] = [];
  private projection: number[] | null = null;
  private direction: ReadOrder = 'asc';
  private rowLimit: number | null = null;
  /** Filled in as the reader runs. */
  readonly stats: ReaderStats = { blocks: 0, blocksPruned: 0, rowGroupsDecoded: 0, activeRows: 0, scansStarted: 0, blocksFromMetadata: 0 };

  /** @internal Use table.reader(). */
  constructor(private readonly source: TableScanner) {}

  /** Add a filter (AND). Throws at once for an unknown column, operator or ill-typed value. */
  filter<K extends keyof Row & string>(column: K, op: CompareOp, value: FilterValue<Row[K]>): this {
    if (this.predicates.length >= MAX_PREDICATES) throw new Error(`table "${this.source.schema.name}": at most ${MAX_PREDICATES} filters per reader`);
    const schema = this.source.schema;
    this.predicates.push(compilePredicate(schema, column, op, timeFilterValue(schema, column, value)));
    return this;
  }

  /** Return only these columns, in this order. */
  select<K extends keyof Row & string>(columns: readonly K[]): Reader<Pick<Row, K>> {
    const schema = this.source.schema;
    if (!Array.isArray(columns) || columns.length === 0) throw new Error(`table "${schema.name}": select needs at least one column`);
    const out: number[] = [];
    for (const name of columns) {
      const i = schema.indexOf.get(name);
      if (i === undefined) throw new Error(`table "${schema.name}", column "${String(name)}": unknown column in select`);
      if (out.includes(i)) throw new Error(`table "${schema.name}", column "${name}": selected twice`);
      out.push(i);
    }
    this.projection = out;
    return this as unknown as Reader<Pick<Row, K>>;
  }

  private request(countOnly: boolean): ScanRequest {
    const schema = this.source.schema;
    return {
      predicates: this.predicates.slice(),
      projection: this.projection ?? schema.columns.map((_, i) => i),
      countOnly,
      timeColumn: schema.timeIndex,
    };
  }

  /** Newest first ('desc': the exact reverse of table order) or table order ('asc', the default). */
  order(direction: ReadOrder): this {
    this.direction = checkOrder(this.source.schema.name, direction);
    return this;
  }

  /** Return at most `n` rows (0: none). */
  limit(n: number): this {
    this.rowLimit = checkLimit(this.source.schema.name, n);
    return this;
  }

  /** @internal The request this reader sends to each block scan. */
  scanRequest(countOnly: boolean, projection?: readonly number[]): ScanRequest {
    return { ...this.request(countOnly), ...(projection === undefined ? {} : { projection }) };
  }

  /** @internal The reader's source (for queries built on it: aggregate, latest). */
  get scanner(): TableScanner { return this.source; }

  /**
   * @internal Per-block results in the reader's order, up to scanConcurrency block scans in
   * flight, stopping at its limit. Each sealed block is read as its plan says (engine read-plan.ts).
   */
  results(countOnly: boolean, shape: ReadShape = { order: this.direction, limit: this.rowLimit }, req: ScanRequest = this.request(countOnly)): AsyncGenerator<ScanResult> {
    return blockResults(this.source, req, shape, this.stats);
  }

  /** Group, bucket by time and aggregate, pushed down into the block scans (see AggregateSpec). */
  aggregate(spec: AggregateSpec<Row>): AggregateQuery {
    return new AggregateQuery(this as unknown as Reader<Record<string, RowValue>>, compileAggregate(this.source.schema, spec as AggregateSpec<Record<string, RowValue>>), this.rowLimit, this.direction);
  }

  /** The newest row per value of `by` (a column or several), ordered by key. */
  latest<K extends keyof Row & string>(by: K | readonly K[]): LatestQuery<Row> {
    return new LatestQuery<Row>(this as unknown as Reader<Record<string, RowValue>>, by, this.projection, this.predicates.length > 0, this.rowLimit, this.direction);
  }

  /** The columns the reader returns, in order. */
  columnDefs(): ColumnDef[] {
    const schema = this.source.schema;
    return (this.projection ?? schema.columns.map((_, i) => i)).map((i) => schema.columns[i]);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Row> {
    const defs = this.columnDefs();
    for await (const r of this.results(false)) yield* rowsOf(r, defs) as Generator<Row>;
  }

  /** The selected rows as Arrow record batches, one per scanned block with matches. */
  async *batches(): AsyncGenerator<arrow.RecordBatch> {
    const schema = arrowSchemaFor(this.columnDefs(), this.source.schema);
    for await (const r of this.results(false)) if (r.rowCount > 0) yield recordBatchOf(schema, r);
  }

  /** The selected rows as one apache-arrow Table (int64 as BigInt64Array, strings dictionary-encoded). */
  async toArrow(): Promise<arrow.Table> {
    const batches: arrow.RecordBatch[] = [];
    for await (const b of this.batches()) batches.push(b);
    return batches.length === 0 ? new ArrowTable(arrowSchemaFor(this.columnDefs(), this.source.schema)) : new ArrowTable(batches);
  }

  async toArray(): Promise<Row[]> {
    const out: Row[] = [];
    for await (const row of this) out.push(row);
    return out;
  }

  async count(): Promise<number> {
    let n = 0;
    for await (const r of this.results(true, { order: 'asc', limit: this.rowLimit })) n += r.rowCount;
    return n;
  }
}
