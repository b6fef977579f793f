// The calling thread's half of aggregate(): merge block partials in block order (so first
// keeps the earliest row, last the latest), finalize each (bucket, key), fill empty buckets,
// and order the output by bucket, then by keys ascending (JS `<`: false before true).
import type { AggPartial, ColumnType, KeyValue, PartialState, ResolvedSchema } from '@backtracedb/engine';
import type { CompiledAggregate } from './aggregate-spec.js';
import type { RowValue } from '../rows.js';

export type AggValue = RowValue | null;
export type AggRow = Record<string, AggValue>;

/** Most output rows one aggregate query builds (fill can make many): past it the query is refused. */
export const MAX_AGGREGATE_ROWS = 5_000_000;

function identity(p: AggPartial): string {
  return JSON.stringify([p.bucket === null ? '' : p.bucket.toString(), ...p.key.map(keyPart)]);
}

function keyPart(k: KeyValue): string {
  if (k === null) return 'N';
  return typeof k === 'bigint' ? `i${k}` : typeof k === 'boolean' ? (k ? 'T' : 'F') : `s${k}`;
}

/** Key order: JavaScript's `<`, with a null key (a nullable key column's nulls) first. */
function cmp(a: KeyValue | bigint, b: KeyValue | bigint): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return a < b ? -1 : b < a ? 1 : 0;
}

interface Finished { bucket: bigint | null; key: KeyValue[]; values: AggValue[] }

export class AggregateMerger {
  private readonly groups = new Map<string, AggPartial>();

  constructor(private readonly schema: ResolvedSchema, private readonly agg: CompiledAggregate) {}

  /** Partials of the next block in table order. */
  add(partials: readonly AggPartial[]): void {
    const fns = this.agg.request.values;
    for (const p of partials) {
      const id = identity(p);
      const have = this.groups.get(id);
      if (have === undefined) {
        if (this.groups.size >= MAX_AGGREGATE_ROWS) throw new Error(`table "${this.schema.name}": aggregate gives more than ${MAX_AGGREGATE_ROWS} rows; use a larger every or fewer keys`);
        this.groups.set(id, p);
        continue;
      }
      have.rows += p.rows;
      for (let v = 0; v < fns.length; v++) {
        have.states[v] = mergeState(fns[v].fn, have.states[v], p.states[v]);
        have.counts[v] += p.counts[v];
      }
    }
  }

  private finish(p: AggPartial): AggValue[] {
    return this.agg.request.values.map((v, i) => {
      const s = p.states[i];
      const n = p.counts[i];
      switch (v.fn) {
        case 'count': return n;
        // Nulls are skipped: no non-null value gives null.
        case 'avg': return n === 0 ? null : Number(s) / n;
        default: return n === 0 ? null : s;
      }
    });
  }

  /** Value of an empty bucket: count and sum 0; the others null, or the previous bucket's with 'previous'. */
  private emptyValues(prev: AggValue[]): AggValue[] {
    return this.agg.request.values.map((v, i) => {
      if (v.fn === 'count') return 0;
      if (v.fn === 'sum') return this.schema.columns[v.column as number].type === 'int64' ? 0n : 0;
      return this.agg.fill === 'previous' ? prev[i] : null;
    });
  }

  rows(): AggRow[] {
    let out: Finished[] = [...this.groups.values()].map((p) => ({ bucket: p.bucket, key: p.key, values: this.finish(p) }));
    const order = (a: Finished, b: Finished): number => {
      if (a.bucket !== null && b.bucket !== null && a.bucket !== b.bucket) return a.bucket < b.bucket ? -1 : 1;
      for (let k = 0; k < a.key.length; k++) { const c = cmp(a.key[k], b.key[k]); if (c !== 0) return c; }
      return 0;
    };
    out.sort(order);
    const every = this.agg.request.every;
    if (this.agg.fill !== 'none' && every !== null) {
      const lastOf = new Map<string, Finished>();
      const filled: Finished[] = [];
      for (const f of out) {
        const id = JSON.stringify(f.key.map(keyPart));
        const prev = lastOf.get(id);
        if (prev !== undefined) {
          for (let b = (prev.bucket as bigint) + every; b < (f.bucket as bigint); b += every) {
            if (out.length + filled.length >= MAX_AGGREGATE_ROWS) throw new Error(`table "${this.schema.name}": aggregate fill gives more than ${MAX_AGGREGATE_ROWS} rows; use a larger every`);
            // 'previous' carries the real bucket's values: every filled one in between holds the same.
            filled.push({ bucket: b, key: f.key, values: this.emptyValues(prev.values) });
          }
        }
        lastOf.set(id, f);
      }
      if (filled.length > 0) out = [...out, ...filled].sort(order);
    }
    return out.map((f) => this.rowOf(f));
  }

  private rowOf(f: Finished): AggRow {
    const row: AggRow = {};
    if (f.bucket !== null) row[this.schema.timeColumn] = f.bucket;
    this.agg.request.by.forEach((c, k) => { row[this.schema.columns[c].name] = f.key[k]; });
    this.agg.names.forEach((n, i) => { row[n] = f.values[i]; });
    return row;
  }

  /** Output column types, for Arrow: count and avg are float64 (JS numbers). */
  outputTypes(): Array<{ name: string; type: ColumnType }> {
    const s = this.schema;
    const out: Array<{ name: string; type: ColumnType }> = [];
    if (this.agg.request.every !== null) out.push({ name: s.timeColumn, type: 'int64' });
    for (const c of this.agg.request.by) out.push({ name: s.columns[c].name, type: s.columns[c].type });
    this.agg.request.values.forEach((v, i) => {
      const type: ColumnType = v.fn === 'count' || v.fn === 'avg' ? 'float64' : s.columns[v.column as number].type;
      out.push({ name: this.agg.names[i], type });
    });
    return out;
  }
}

function mergeState(fn: string, a: PartialState, b: PartialState): PartialState {
  // A null state: that block had no non-null value in the group.
  if (fn !== 'count' && (a === null || b === null)) return a === null ? b : a;
  switch (fn) {
    case 'count': return null;
    case 'sum': case 'avg': return typeof a === 'bigint' ? a + (b as bigint) : (a as number) + (b as number);
    case 'min': return (b as NonNullable<KeyValue>) < (a as NonNullable<KeyValue>) ? b : a;
    case 'max': return (b as NonNullable<KeyValue>) > (a as NonNullable<KeyValue>) ? b : a;
    case 'first': return a;
    default: return b;
  }
}
