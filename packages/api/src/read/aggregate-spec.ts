// aggregate(spec): the user's spec checked once, when the query is built, and compiled to the
// AggregateRequest that block scans carry. Every refusal names the table (and the column).
import { parseDuration, timeInputToUnits, type AggFunction, type AggregateRequest, type ResolvedSchema } from '@backtracedb/engine';
import type { RowValue } from '../rows.js';
import type { TimeSpec } from '../arrow-out.js';

/** Fill for empty buckets between a group's first and last bucket. */
export type FillMode = 'none' | 'null' | 'previous';

/** One output value: [function, column]; `['count']` counts rows. */
export type AggValueSpec<Row> =
  | readonly ['count']
  | readonly [AggFunction, keyof Row & string];

export interface AggregateSpec<Row> {
  /**
   * Bucket width in time-column units (bigint or safe integer > 0), or with a timeUnit a
   * duration string: an integer then ns, us, ms, s, m, h or d ('1m'); omitted: one bucket per group.
   */
  readonly every?: bigint | number | string;
  /** Buckets are [origin + k*every, origin + (k+1)*every); default 0. With a timeUnit also a Date or ISO-8601 string. */
  readonly origin?: bigint | number | Date | string;
  /** Group keys: string, bool or int64 columns. */
  readonly by?: keyof Row & string | ReadonlyArray<keyof Row & string>;
  /** Output name → [function, column]. */
  readonly values: Readonly<Record<string, AggValueSpec<Row>>>;
  readonly fill?: FillMode;
}

/** The compiled spec: what scans carry, plus the names the output rows use. */
export interface CompiledAggregate {
  readonly request: AggregateRequest;
  readonly names: readonly string[];
  readonly fill: FillMode;
  /** Schema columns the scans must read: time, keys, values. */
  readonly columns: readonly number[];
}

export const AGG_FUNCTIONS: readonly AggFunction[] = ['count', 'sum', 'min', 'max', 'avg', 'first', 'last'];
/** Explicit limits: keys and values per query. */
export const MAX_GROUP_KEYS = 16;
export const MAX_AGG_VALUES = 256;

/** every / origin: a bigint or safe integer; with a timeUnit a duration (every) or a Date / ISO time (origin). */
function int64Param(schema: ResolvedSchema, what: 'every' | 'origin', v: unknown): bigint {
  const table = schema.name;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  const where = `table "${table}", column "${schema.timeColumn}": aggregate ${what}`;
  const unit = schema.timeUnit;
  if (what === 'every' && typeof v === 'string') {
    if (unit !== null) return parseDuration(v, unit, where);
    throw new Error(`${where} ${JSON.stringify(v)}: duration strings need a timeUnit on the table; give a bigint or an integer number of time units`);
  }
  if (what === 'origin' && (typeof v === 'string' || v instanceof Date)) {
    if (unit !== null) return timeInputToUnits(v, unit, where) as bigint;
    throw new Error(`${where} ${typeof v === 'string' ? JSON.stringify(v) : 'Date'}: ISO-8601 text and Dates need a timeUnit on the table; give a bigint or an integer number of time units`);
  }
  throw new Error(`table "${table}": aggregate ${what} must be a bigint or a safe integer${what === 'every' ? ' (or with a timeUnit a duration such as \'1m\')' : ''}, got ${String(v)}`);
}

export function compileAggregate(schema: ResolvedSchema, spec: AggregateSpec<Record<string, RowValue>>): CompiledAggregate {
  const t = schema.name;
  if (spec === null || typeof spec !== 'object') throw new Error(`table "${t}": aggregate needs a spec object`);
  const col = (name: unknown, what: string): number => {
    const i = typeof name === 'string' ? schema.indexOf.get(name) : undefined;
    if (i === undefined) throw new Error(`table "${t}", column "${String(name)}": unknown column in aggregate ${what}`);
    return i;
  };
  let every: bigint | null = null;
  if (spec.every !== undefined) {
    every = int64Param(schema, 'every', spec.every);
    if (every <= 0n) throw new Error(`table "${t}", column "${schema.timeColumn}": aggregate every must be > 0, got ${every}`);
  }
  const origin = spec.origin === undefined ? 0n : int64Param(schema, 'origin', spec.origin);
  if (spec.origin !== undefined && every === null) throw new Error(`table "${t}": aggregate origin needs every`);
  const byNames: unknown[] = spec.by === undefined ? [] : typeof spec.by === 'string' ? [spec.by] : Array.isArray(spec.by) ? [...spec.by] : [spec.by];
  if (byNames.length > MAX_GROUP_KEYS) throw new Error(`table "${t}": aggregate takes at most ${MAX_GROUP_KEYS} group keys`);
  const by: number[] = [];
  for (const name of byNames) {
    const i = col(name, 'by');
    const type = schema.columns[i].type;
    if (type === 'float64') throw new Error(`table "${t}", column "${String(name)}": cannot group by a float64 column (group keys are string, bool or int64)`);
    if (by.includes(i)) throw new Error(`table "${t}", column "${String(name)}": grouped by twice`);
    if (i === schema.timeIndex && every !== null) throw new Error(`table "${t}", column "${String(name)}": the time column carries the bucket; do not also group by it when every is given`);
    by.push(i);
  }
  const fill = spec.fill ?? 'none';
  if (fill !== 'none' && fill !== 'null' && fill !== 'previous') throw new Error(`table "${t}": aggregate fill must be 'none', 'null' or 'previous', got ${JSON.stringify(String(fill))}`);
  if (fill !== 'none' && every === null) throw new Error(`table "${t}": aggregate fill '${fill}' needs every`);
  if (spec.values === null || typeof spec.values !== 'object') throw new Error(`table "${t}": aggregate needs values: { name: [function, column] }`);
  const entries = Object.entries(spec.values);
  if (entries.length === 0 || entries.length > MAX_AGG_VALUES) throw new Error(`table "${t}": aggregate needs 1 to ${MAX_AGG_VALUES} values, got ${entries.length}`);
  const taken = new Set<string>(by.map((i) => schema.columns[i].name));
  if (every !== null) taken.add(schema.timeColumn);
  const values: Array<{ fn: AggFunction; column: number | null }> = [];
  const names: string[] = [];
  for (const [name, v] of entries) {
    if (taken.has(name)) throw new Error(`table "${t}": aggregate output "${name}" is already a key or the time column`);
    taken.add(name);
    if (!Array.isArray(v) || v.length < 1 || v.length > 2) throw new Error(`table "${t}": aggregate value "${name}" must be [function, column]`);
    const fn = v[0] as AggFunction;
    if (!AGG_FUNCTIONS.includes(fn)) throw new Error(`table "${t}": aggregate value "${name}": unknown function ${JSON.stringify(String(fn))} (use ${AGG_FUNCTIONS.join(', ')})`);
    if (v.length === 1) {
      if (fn !== 'count') throw new Error(`table "${t}": aggregate value "${name}": ${fn} needs a column`);
      values.push({ fn, column: null });
    } else {
      const c = col(v[1], `value "${name}"`);
      const type = schema.columns[c].type;
      if ((fn === 'sum' || fn === 'avg') && type !== 'int64' && type !== 'float64') throw new Error(`table "${t}", column "${schema.columns[c].name}": cannot ${fn} a ${type} column`);
      values.push({ fn, column: c });
    }
    names.push(name);
  }
  // The time column is read only when buckets or first/last need it (row order): a count by
  // symbol reads the symbol column alone.
  const needsTime = every !== null || values.some((v) => v.fn === 'first' || v.fn === 'last');
  const columns = [...new Set([...(needsTime ? [schema.timeIndex] : []), ...by, ...values.flatMap((v) => (v.column === null ? [] : [v.column]))])].sort((a, b) => a - b);
  return { request: { every, origin, by, values }, names, fill, columns };
}

/** Output columns that are timestamps in Arrow: the bucket (or a time-column key), never a value named like the time column. */
export function aggregateTimeSpec(schema: ResolvedSchema, agg: CompiledAggregate): TimeSpec {
  return agg.names.includes(schema.timeColumn) ? null : schema;
}
