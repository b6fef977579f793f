// aggregate(spec) and latest(by) over openInWorker: checked here at once, as a local reader
// checks them, run in the worker, answered as row objects (the answers are small).
import type * as arrow from 'apache-arrow';
import type { ColumnType } from '@backtracedb/engine';
import type { RowValue } from '../rows.js';
import { arrowTableOfRows } from '../read/rows-arrow.js';
import type { TimeSpec } from '../arrow-out.js';

export type RemoteRow = Record<string, RowValue | null>;

export class RemoteRowsQuery<Row> {
  /** @internal Use reader.aggregate(spec) or reader.latest(by). */
  constructor(
    private readonly fetch: () => Promise<RemoteRow[]>,
    private readonly columns: ReadonlyArray<{ name: string; type: ColumnType }>,
    private readonly time: TimeSpec = null,
  ) {}

  async toArray(): Promise<Row[]> {
    return (await this.fetch()) as Row[];
  }

  async toArrow(): Promise<arrow.Table> {
    return arrowTableOfRows(await this.fetch(), this.columns, this.time);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Row> {
    yield* (await this.fetch()) as Row[];
  }
}
