// RemoteReader: the reader of openInWorker. Filters and query shapes are checked here, at
// once, exactly as a local reader checks them; the scan runs in the worker.
import * as arrow from 'apache-arrow';
import { compilePredicate, timeFilterValue, type CompareOp, type Predicate, type ScanResult, type TableSchema } from '@backtracedb/engine';
import type { FilterValue } from '../reader.js';
import { arrowSchemaFor, recordBatchOf } from '../arrow-out.js';
import { rowsOf, type RowValue } from '../rows.js';
import type { RemoteQuery } from './protocol.js';
import type { RemoteTable } from './client.js';
import { checkLimit, checkOrder, type ReadOrder } from '../read/block-results.js';
import { aggregateTimeSpec, compileAggregate, type AggregateSpec } from '../read/aggregate-spec.js';
import { AggregateMerger, type AggRow } from '../read/aggregate-merge.js';
import { latestKeys } from '../read/latest-query.js';
import { RemoteRowsQuery } from './remote-queries.js';

export class RemoteReader<Row extends object> {
  private readonly predicates: Predicate[] = [];
  private selected: string[] | null = null;
  private direction: ReadOrder = 'asc';
  private rowLimit: number | null = null;

  constructor(private readonly table: RemoteTable<TableSchema>) {}

  filter<K extends keyof Row & string>(column: K, op: CompareOp, value: FilterValue<Row[K]>): this {
    // Checked here, at once, exactly as a local reader checks it.
    this.predicates.push(compilePredicate(this.table.schema, column, op, timeFilterValue(this.table.schema, column, value)));
    return this;
  }

  select<K extends keyof Row & string>(columns: readonly K[]): RemoteReader<Pick<Row, K>> {
    for (const c of columns) if (!this.table.schema.indexOf.has(c)) throw new Error(`table "${this.table.name}", column "${c}": unknown column in select`);
    this.selected = [...columns];
    return this as unknown as RemoteReader<Pick<Row, K>>;
  }

  /** As Reader.order: 'desc' is the exact reverse of table order. */
  order(direction: ReadOrder): this {
    this.direction = checkOrder(this.table.name, direction);
    return this;
  }

  /** As Reader.limit. */
  limit(n: number): this {
    this.rowLimit = checkLimit(this.table.name, n);
    return this;
  }

  private shape(): Pick<RemoteQuery, 'predicates' | 'select' | 'limit' | 'order'> {
    return { predicates: this.predicates, select: this.selected, limit: this.rowLimit, order: this.direction };
  }

  /** As Reader.aggregate, run in the worker. */
  aggregate(spec: AggregateSpec<Row>): RemoteRowsQuery<AggRow> {
    const plain = spec as AggregateSpec<Record<string, RowValue>>;
    const compiled = compileAggregate(this.table.schema, plain);
    const q = { ...this.shape(), countOnly: false, aggregate: plain };
    return new RemoteRowsQuery<AggRow>(async () => { await this.table.drain(); return (await this.table.remote.query(this.table.name, q)).rows ?? []; }, new AggregateMerger(this.table.schema, compiled).outputTypes(), aggregateTimeSpec(this.table.schema, compiled));
  }

  /** As Reader.latest, run in the worker. */
  latest<K extends keyof Row & string>(by: K | readonly K[]): RemoteRowsQuery<Row> {
    latestKeys(this.table.schema, by);
    const q = { ...this.shape(), countOnly: false, latest: typeof by === 'string' ? [by] : [...(by as readonly string[])] };
    return new RemoteRowsQuery<Row>(async () => { await this.table.drain(); return (await this.table.remote.query(this.table.name, q)).rows ?? []; }, this.defs(), this.table.schema);
  }

  private defs() {
    const s = this.table.schema;
    return this.selected === null ? [...s.columns] : this.selected.map((n) => s.columns[s.indexOf.get(n) as number]);
  }

  private async results(): Promise<ScanResult[]> {
    await this.table.drain();
    const out = await this.table.remote.query(this.table.name, { ...this.shape(), countOnly: false });
    return out.results;
  }

  async count(): Promise<number> {
    await this.table.drain();
    return (await this.table.remote.query(this.table.name, { ...this.shape(), countOnly: true })).count;
  }

  async toArray(): Promise<Row[]> {
    const defs = this.defs();
    const rows: Row[] = [];
    for (const r of await this.results()) for (const row of rowsOf(r, defs)) rows.push(row as Row);
    return rows;
  }

  async toArrow(): Promise<arrow.Table> {
    const schema = arrowSchemaFor(this.defs(), this.table.schema);
    const batches = (await this.results()).map((r) => recordBatchOf(schema, r));
    return batches.length === 0 ? new arrow.Table(schema) : new arrow.Table(batches);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Row> {
    const defs = this.defs();
    for (const r of await this.results()) yield* rowsOf(r, defs) as Generator<Row>;
  }
}

