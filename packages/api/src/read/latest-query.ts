// reader.latest(by): the newest row per key. Blocks are read newest first (the active block,
// then sealed blocks from the end, rows reversed), and reading stops once every key known to
// exist has its row: without filters, the keys of the sealed blocks are known from their zone
// maps (distinct strings, bool presence) where every block kept them; the active block's are
// known once it is read, and it is read first.
import type * as arrow from 'apache-arrow';
import type { AggregateRequest, ResolvedSchema } from '@backtracedb/engine';
import type { Reader } from '../reader.js';
import type { RowValue } from '../rows.js';
import { arrowTableOfRows } from './rows-arrow.js';
import type { Snapshot } from './table-scanner.js';
import type { ReadOrder } from './block-results.js';
import { withTableName } from './aggregate-query.js';
import { MAX_GROUP_KEYS } from './aggregate-spec.js';

type Key = string | bigint | boolean | null;

function keyId(key: readonly Key[]): string {
  return JSON.stringify(key.map((k) => (k === null ? 'N' : typeof k === 'bigint' ? `i${k}` : typeof k === 'boolean' ? (k ? 'T' : 'F') : `s${k}`)));
}

/** Key order: JavaScript's `<`, a null key first. */
function keyCmp(a: Key, b: Key): number {
  if (a === b) return 0;
  if (a === null || b === null) return a === null ? -1 : 1;
  return a < b ? -1 : 1;
}

/** Keys the sealed blocks of `snap` hold, or null when some block did not keep them. */
function knownKeys(snap: Snapshot, column: number): Set<string> | null {
  const out = new Set<string>();
  for (const b of snap.sealed) {
    const z = b.zoneMap?.columns[column];
    if (z === undefined) return null;
    if ((z.nulls ?? 0) > 0) out.add(keyId([null]));
    if (z.type === 'allNull') continue;
    if (z.type === 'string') {
      if (z.values === null) return null;
      for (const v of z.values) out.add(keyId([v]));
    } else if (z.type === 'bool') {
      if (z.hasTrue) out.add(keyId([true]));
      if (z.hasFalse) out.add(keyId([false]));
    } else return null;
  }
  return out;
}

/** The key columns of latest(by), checked: string, bool or int64, each once. */
export function latestKeys(schema: ResolvedSchema, by: unknown): number[] {
  const names: unknown[] = typeof by === 'string' ? [by] : Array.isArray(by) ? [...(by as unknown[])] : [by];
  if (names.length === 0 || names.length > MAX_GROUP_KEYS) throw new Error(`table "${schema.name}": latest needs 1 to ${MAX_GROUP_KEYS} key columns`);
  const out = names.map((n) => {
    const i = typeof n === 'string' ? schema.indexOf.get(n) : undefined;
    if (i === undefined) throw new Error(`table "${schema.name}", column "${String(n)}": unknown column in latest`);
    if (schema.columns[i].type === 'float64') throw new Error(`table "${schema.name}", column "${String(n)}": latest keys are string, bool or int64 columns, not float64`);
    return i;
  });
  if (new Set(out).size !== out.length) throw new Error(`table "${schema.name}": latest names a key column twice`);
  return out;
}

export class LatestQuery<Row extends object> {
  private readonly by: number[];

  /** @internal Use reader.latest(by). */
  constructor(
    private readonly reader: Reader<Record<string, RowValue>>,
    by: string | readonly string[],
    private readonly projection: readonly number[] | null,
    private readonly filtered: boolean,
    private readonly rowLimit: number | null,
    private readonly direction: ReadOrder = 'asc',
  ) {
    this.by = latestKeys(reader.scanner.schema, by);
  }

  private async run(): Promise<Array<Record<string, RowValue | null>>> {
    const schema = this.reader.scanner.schema;
    const out = this.projection ?? schema.columns.map((_, i) => i);
    const cols = [...out, ...this.by.filter((c) => !out.includes(c))];
    const names = out.map((c) => schema.columns[c].name);
    const found = new Map<string, { key: Key[]; row: Record<string, RowValue | null> }>();
    if (this.rowLimit !== 0) {
      const snap = await this.reader.scanner.snapshot();
      // Pushed into the block scans: each returns the last row per key of its rows, as the
      // 'last' of every column; blocks come newest first, so the first row seen per key wins.
      const aggregate: AggregateRequest = { every: null, origin: 0n, by: this.by, values: cols.map((c) => ({ fn: 'last' as const, column: c })), keepNulls: true };
      const req = { ...this.reader.scanRequest(false, cols), aggregate };
      const expected = !this.filtered && this.by.length === 1 ? knownKeys(snap, this.by[0]) : null;
      let activeLeft = this.reader.scanner.activeTasks(snap, req).length;
      try {
        for await (const r of this.reader.results(false, { order: 'desc', limit: null, snapshot: snap, ramp: expected !== null }, req)) {
          if (activeLeft > 0) activeLeft--;
          // A block answered from its row groups' zone maps gives a partial per row group, in
          // row order, and several may share a key: within one result the last one wins.
          for (const p of [...(r.partials ?? [])].reverse()) {
            const id = keyId(p.key);
            if (found.has(id)) continue;
            const row: Record<string, RowValue | null> = {};
            for (let c = 0; c < names.length; c++) row[names[c]] = p.states[c] as RowValue | null;
            found.set(id, { key: p.key, row });
          }
          if (expected !== null && activeLeft === 0 && [...expected].every((k) => found.has(k))) break;
        }
      } catch (err) {
        throw withTableName(schema.name, err);
      }
    }
    const rows = [...found.values()].sort((a, b) => {
      for (let k = 0; k < a.key.length; k++) if (a.key[k] !== b.key[k]) return keyCmp(a.key[k], b.key[k]);
      return 0;
    }).map((e) => e.row);
    // order and limit apply to the output rows (keys).
    if (this.direction === 'desc') rows.reverse();
    return this.rowLimit === null ? rows : rows.slice(0, this.rowLimit);
  }

  async toArray(): Promise<Row[]> {
    return (await this.run()) as Row[];
  }

  async toArrow(): Promise<arrow.Table> {
    const schema = this.reader.scanner.schema;
    const cols = (this.projection ?? schema.columns.map((_, i) => i)).map((c) => schema.columns[c]);
    return arrowTableOfRows(await this.run(), cols, schema);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Row> {
    yield* (await this.run()) as Row[];
  }
}
