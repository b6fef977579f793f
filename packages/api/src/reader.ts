// Reader: filters chained as AND, executed at iteration time over a snapshot of the
// table: prune blocks by zone maps → scan the rest in parallel → yield in time order.
import {
  compilePredicate, MAX_PREDICATES, pruneBlock, scanViews, viewsOf,
  type ActiveBlock, type CompareOp, type Predicate, type ResolvedSchema, type ScanRequest, type ScanResult, type SealedBlock,
} from '@backtracedb/engine';
import { rowsOf, type RowValue } from './rows.js';

/** What a reader sees: the sealed blocks and the active block's rows as of one moment. */
export interface Snapshot {
  readonly sealed: readonly SealedBlock[];
  readonly active: ActiveBlock;
  readonly activeRows: number;
}

export interface QuerySource {
  readonly schema: ResolvedSchema;
  snapshot(): Snapshot;
  /** Scan a sealed block from whatever form it has now (shared buffers, Parquet bytes, or file). */
  scanSealed(block: SealedBlock, rowGroups: number[] | null, req: ScanRequest): Promise<ScanResult>;
  /** How many block scans may run at once. */
  readonly scanConcurrency: number;
}

export class Reader<Row extends object = Record<string, RowValue>> {
  private readonly predicates: Predicate[] = [];
  private projection: number[] | null = null;

  constructor(private readonly source: QuerySource) {}

  /** Add a filter (AND). Throws at once for an unknown column, operator or ill-typed value. */
  filter(column: string, op: CompareOp, value: RowValue): this {
    if (this.predicates.length >= MAX_PREDICATES) throw new Error(`table "${this.source.schema.name}": at most ${MAX_PREDICATES} filters per reader`);
    this.predicates.push(compilePredicate(this.source.schema, column, op, value));
    return this;
  }

  /** Return only these columns, in this order. */
  select(columns: readonly string[]): this {
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
    return this;
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

  /** Per-block results in time order; up to scanConcurrency scans in flight. */
  async *results(countOnly: boolean): AsyncGenerator<ScanResult> {
    const req = this.request(countOnly);
    const snap = this.source.snapshot();
    const tasks: Array<() => Promise<ScanResult>> = [];
    for (const block of snap.sealed) {
      const plan = pruneBlock(block, req.timeColumn, req.predicates);
      if (plan === null) continue;
      tasks.push(() => this.source.scanSealed(block, plan.rowGroups, req));
    }
    const inFlight: Array<Promise<ScanResult>> = [];
    const limit = Math.max(1, this.source.scanConcurrency);
    let next = 0;
    while (next < tasks.length || inFlight.length > 0) {
      while (next < tasks.length && inFlight.length < limit) {
        const p = tasks[next++]();
        p.catch(() => undefined); // surfaced when awaited in order below
        inFlight.push(p);
      }
      const head = inFlight.shift();
      if (head !== undefined) yield await head;
    }
    if (snap.activeRows > 0) {
      yield scanViews(viewsOf(snap.active, snap.activeRows), 0, snap.activeRows, req);
    }
  }

  private columnDefs() {
    const schema = this.source.schema;
    return (this.projection ?? schema.columns.map((_, i) => i)).map((i) => schema.columns[i]);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Row> {
    const defs = this.columnDefs();
    for await (const r of this.results(false)) yield* rowsOf(r, defs) as Generator<Row>;
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
