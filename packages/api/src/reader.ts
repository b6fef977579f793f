// Reader: filters chained as AND, executed at iteration time over a snapshot of the
// table: prune blocks by zone maps → scan the rest in parallel → yield in time order.
import {
  compilePredicate, MAX_PREDICATES,
  type ColumnDef, type CompareOp, type Predicate, type ScanRequest, type ScanResult,
} from '@backtracedb/engine';
import type * as arrow from 'apache-arrow';
import { arrowSchemaFor, recordBatchOf } from './arrow-out.js';
import { rowsOf, type RowValue } from './rows.js';
import { Table as ArrowTable } from 'apache-arrow';
import type { TableScanner } from './read/table-scanner.js';

/** What a filter on a column of JS type T accepts: int64 columns also take safe-integer numbers. */
export type FilterValue<T> = T extends bigint ? bigint | number : T;

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
}

export class Reader<Row extends object = Record<string, RowValue>> {
  private readonly predicates: Predicate[] = [];
  private projection: number[] | null = null;
  /** Filled in as the reader runs. */
  readonly stats: ReaderStats = { blocks: 0, blocksPruned: 0, rowGroupsDecoded: 0, activeRows: 0 };

  /** @internal Use table.reader(). */
  constructor(private readonly source: TableScanner) {}

  /** Add a filter (AND). Throws at once for an unknown column, operator or ill-typed value. */
  filter<K extends keyof Row & string>(column: K, op: CompareOp, value: FilterValue<Row[K]>): this {
    if (this.predicates.length >= MAX_PREDICATES) throw new Error(`table "${this.source.schema.name}": at most ${MAX_PREDICATES} filters per reader`);
    this.predicates.push(compilePredicate(this.source.schema, column, op, value));
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

  /**
   * @internal Per-block results in time order, up to scanConcurrency block scans in flight.
   * Each sealed block is read as its plan says (engine read-plan.ts), then the active block.
   */
  async *results(countOnly: boolean): AsyncGenerator<ScanResult> {
    const req = this.request(countOnly);
    const source = this.source;
    const snap = await source.snapshot();
    const stats = this.stats;
    Object.assign(stats, { blocks: snap.sealed.length, blocksPruned: 0, rowGroupsDecoded: 0, activeRows: snap.activeRows });
    // Plans are made now, against the snapshot: each holds what it reads.
    const tasks: Array<() => Promise<ScanResult>> = [];
    for (const block of snap.sealed) {
      const plan = source.plan(block, req);
      switch (plan.kind) {
        case 'skip': stats.blocksPruned++; break;
        case 'known': tasks.push(() => Promise.resolve({ rowCount: plan.rows, columns: [] })); break;
        case 'scan': tasks.push(() => source.execute(plan, req)); break;
      }
    }
    const inFlight: Array<Promise<ScanResult>> = [];
    const limit = Math.max(1, source.scanConcurrency);
    let next = 0;
    while (next < tasks.length || inFlight.length > 0) {
      while (next < tasks.length && inFlight.length < limit) {
        const p = tasks[next++]();
        p.catch(() => undefined); // surfaced when awaited in order below
        inFlight.push(p);
      }
      const head = inFlight.shift();
      if (head !== undefined) {
        const r = await head;
        stats.rowGroupsDecoded += r.rowGroupsDecoded ?? 0;
        yield r;
      }
    }
    yield* source.scanActive(snap, req);
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
    const schema = arrowSchemaFor(this.columnDefs());
    for await (const r of this.results(false)) if (r.rowCount > 0) yield recordBatchOf(schema, r);
  }

  /** The selected rows as one apache-arrow Table (int64 as BigInt64Array, strings dictionary-encoded). */
  async toArrow(): Promise<arrow.Table> {
    const batches: arrow.RecordBatch[] = [];
    for await (const b of this.batches()) batches.push(b);
    return batches.length === 0 ? new ArrowTable(arrowSchemaFor(this.columnDefs())) : new ArrowTable(batches);
  }

  async toArray(): Promise<Row[]> {
    const out: Row[] = [];
    for await (const row of this) out.push(row);
    return out;
  }

  async count(): Promise<number> {
    let n = 0;
    for await (const r of this.results(true)) n += r.rowCount;
    return n;
  }
}
