// reader.aggregate(spec): block scans return partials (engine query/aggregate.ts), merged here
// in table order; the result is small, so it is built whole, then handed out as rows or Arrow.
import type * as arrow from 'apache-arrow';
import type { Reader, ReaderStats } from '../reader.js';
import type { RowValue } from '../rows.js';
import { aggregateTimeSpec, type CompiledAggregate } from './aggregate-spec.js';
import { AggregateMerger, type AggRow } from './aggregate-merge.js';
import { arrowTableOfRows } from './rows-arrow.js';
import type { ReadOrder } from './block-results.js';

/** A block scan's aggregate refusal (engine query/aggregate.ts) does not know the table: name it. */
export function withTableName(table: string, err: unknown): unknown {
  const msg = err instanceof Error ? err.message : '';
  return msg.includes('aggregate: ') && !msg.includes(`table "${table}"`) ? new Error(`table "${table}": ${msg}`) : err;
}

export class AggregateQuery {
  /** @internal Use reader.aggregate(spec). */
  constructor(
    private readonly reader: Reader<Record<string, RowValue>>,
    private readonly agg: CompiledAggregate,
    private readonly rowLimit: number | null,
    private readonly direction: ReadOrder,
  ) {}

  /** What the last run did (the reader's stats): blocksFromMetadata counts blocks answered from zone maps. */
  get stats(): ReaderStats { return this.reader.stats; }

  private async run(): Promise<{ rows: AggRow[]; merger: AggregateMerger }> {
    const merger = new AggregateMerger(this.reader.scanner.schema, this.agg);
    const req = { ...this.reader.scanRequest(false, this.agg.columns), aggregate: this.agg.request };
    const table = this.reader.scanner.schema.name;
    if (this.rowLimit !== 0) {
      try {
        for await (const r of this.reader.results(false, { order: 'asc', limit: null }, req)) {
          if (r.partials === undefined) throw new Error(`internal: table "${table}": a block scan returned rows for an aggregate`);
          merger.add(r.partials);
        }
      } catch (err) {
        throw withTableName(table, err);
      }
    }
    let rows = merger.rows();
    // order and limit apply to the output rows (buckets).
    if (this.direction === 'desc') rows.reverse();
    if (this.rowLimit !== null) rows = rows.slice(0, this.rowLimit);
    return { rows, merger };
  }

  async toArray(): Promise<AggRow[]> {
    return (await this.run()).rows;
  }

  async toArrow(): Promise<arrow.Table> {
    const { rows, merger } = await this.run();
    return arrowTableOfRows(rows, merger.outputTypes(), aggregateTimeSpec(this.reader.scanner.schema, this.agg));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AggRow> {
    yield* (await this.run()).rows;
  }
}
