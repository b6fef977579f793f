// Table schemas: the four column types, name rules, and the typed-row mapping
// that lets `as const` schemas give typed rows.

export type ColumnType = 'int64' | 'float64' | 'string' | 'bool';
export const COLUMN_TYPES: readonly ColumnType[] = ['int64', 'float64', 'string', 'bool'];

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /** The column may hold nulls (`null` or a missing key on append). Never the time column. */
  readonly nullable?: boolean;
}

/** The unit of the time column's integers; with it, other tools read the column as a timestamp. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';
export const TIME_UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns'];

export interface TableSchema {
  readonly name: string;
  readonly timeColumn: string;
  readonly columns: readonly ColumnDef[];
  /** Optional: the time column's unit (without it, the time column is a plain int64). */
  readonly timeUnit?: TimeUnit;
}

/** The JS value a column holds when read back. */
export interface ValueOfType {
  int64: bigint;
  float64: number;
  string: string;
  bool: boolean;
}
/** What `append` accepts for a column: int64 also takes a safe-integer number. */
export interface InputOfType {
  int64: bigint | number;
  float64: number;
  string: string;
  bool: boolean;
}

type ColumnsOf<S extends TableSchema> = S['columns'][number];
type NullableColumnsOf<S extends TableSchema> = Extract<ColumnsOf<S>, { readonly nullable: true }>;
type RequiredColumnsOf<S extends TableSchema> = Exclude<ColumnsOf<S>, { readonly nullable: true }>;
/** A row as readers yield it, inferred from an `as const` schema (nullable columns may be null). */
export type RowOf<S extends TableSchema> = {
  [C in ColumnsOf<S> as C['name']]: C extends { readonly nullable: true } ? ValueOfType[C['type']] | null : ValueOfType[C['type']];
};
/** A row as `append` accepts it: a nullable column's key may be missing or null. */
export type RowInputOf<S extends TableSchema> = {
  [C in RequiredColumnsOf<S> as C['name']]: InputOfType[C['type']];
} & {
  [C in NullableColumnsOf<S> as C['name']]?: InputOfType[C['type']] | null;
};
/** Columnar input for `appendBatch`. */
export interface BatchInputOfType {
  int64: ReadonlyArray<bigint | number> | BigInt64Array;
  float64: ReadonlyArray<number> | Float64Array;
  string: ReadonlyArray<string>;
  bool: ReadonlyArray<boolean> | Uint8Array;
}
export type BatchInputOf<S extends TableSchema> = {
  [C in RequiredColumnsOf<S> as C['name']]: BatchInputOfType[C['type']];
} & {
  [C in NullableColumnsOf<S> as C['name']]?: BatchInputOfType[C['type']] | ReadonlyArray<InputOfType[C['type']] | null>;
};

/** Names that can never escape a directory: letters, digits, `_`, `-`; starting with a letter or `_`. */
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
export const MAX_COLUMNS = 1024;

export function isSafeName(name: unknown): name is string {
  return typeof name === 'string' && NAME_PATTERN.test(name);
}

/** Longest string quoted whole in an error message; longer ones are cut (a message stays short). */
const QUOTE_CHARS = 40;

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= QUOTE_CHARS ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, QUOTE_CHARS))}… (${value.length} characters)`;
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== 'Object' && name !== '' ? `a ${name} object` : 'an object';
  }
  return String(value);
}

/**
 * A value as the end of "…, got X": its type, then the value where that helps
 * (`string "5"`, `number 7`, `bigint 5n`, `undefined`, `null`, `an object`).
 */
export function describeGot(value: unknown): string {
  switch (typeof value) {
    case 'string': case 'number': case 'bigint': case 'boolean': return `${typeof value} ${describe(value)}`;
    default: return describe(value);
  }
}

/** A setting's value in an error: numbers and booleans as written, anything else with its type. */
export function describeSetting(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : describeGot(value);
}

/**
 * Column names that are members of every object (`__proto__`, `constructor`, `toString`, …):
 * a row object cannot hold them as plain data (`__proto__` is not even an own key), and a
 * missing one would be found on the prototype.
 */
export function isReservedName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(Object.prototype, name);
}

/** Validated, frozen copy of a schema plus lookups the engine needs on every append. */
export interface ResolvedSchema {
  readonly name: string;
  readonly timeColumn: string;
  readonly columns: readonly ColumnDef[];
  /** null: the time column is a plain int64. */
  readonly timeUnit: TimeUnit | null;
  readonly timeIndex: number;
  readonly indexOf: ReadonlyMap<string, number>;
}

export function resolveSchema(input: TableSchema): ResolvedSchema {
  if (input === null || typeof input !== 'object') throw new Error('schema must be an object');
  const tableName: unknown = input.name;
  if (typeof tableName !== 'string' || tableName.length === 0) {
    throw new Error('schema: table name must be a non-empty string');
  }
  if (!isSafeName(tableName)) {
    throw new Error(
      `table ${describe(tableName)}: invalid table name (use 1-128 characters: letters, digits, '_' or '-', starting with a letter or '_')`,
    );
  }
  const where = `table "${tableName}"`;
  if (!Array.isArray(input.columns) || input.columns.length === 0) {
    throw new Error(`${where}: schema must have at least one column`);
  }
  if (input.columns.length > MAX_COLUMNS) throw new Error(`${where}: at most ${MAX_COLUMNS} columns`);
  const indexOf = new Map<string, number>();
  const columns: ColumnDef[] = [];
  for (const [i, col] of input.columns.entries()) {
    const name: unknown = col?.name;
    if (typeof name !== 'string' || name.length === 0) throw new Error(`${where}: column ${i} has an empty name`);
    if (!isSafeName(name)) {
      throw new Error(`${where}, column ${describe(name)}: invalid column name (use letters, digits, '_' or '-', starting with a letter or '_')`);
    }
    if (isReservedName(name)) {
      throw new Error(`${where}, column "${name}": the name is reserved (every JavaScript object has a member of that name, so rows could not carry it)`);
    }
    if (indexOf.has(name)) throw new Error(`${where}, column "${name}": duplicate column name`);
    const type: unknown = col.type;
    if (typeof type !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(type)) {
      throw new Error(`${where}, column "${name}": unknown type ${describe(type)} (expected one of ${COLUMN_TYPES.join(', ')})`);
    }
    const nullable: unknown = col.nullable;
    if (nullable !== undefined && typeof nullable !== 'boolean') {
      throw new Error(`${where}, column "${name}": nullable must be true or false, got ${describeGot(nullable)}`);
    }
    indexOf.set(name, i);
    // Only `nullable: true` is kept, so the schema of a table made before nulls existed reads back the same.
    columns.push(Object.freeze(nullable === true ? { name, type: type as ColumnType, nullable: true } : { name, type: type as ColumnType }));
  }
  const timeColumn: unknown = input.timeColumn;
  if (typeof timeColumn !== 'string' || timeColumn.length === 0) throw new Error(`${where}: timeColumn must be a non-empty string`);
  const timeIndex = indexOf.get(timeColumn);
  if (timeIndex === undefined) throw new Error(`${where}, column "${timeColumn}": time column is not in the schema`);
  if (columns[timeIndex].type !== 'int64') {
    throw new Error(`${where}, column "${timeColumn}": time column must be int64, not ${columns[timeIndex].type}`);
  }
  if (columns[timeIndex].nullable === true) throw new Error(`${where}, column "${timeColumn}": the time column cannot be nullable`);
  const timeUnit: unknown = input.timeUnit;
  if (timeUnit !== undefined && !(TIME_UNITS as readonly unknown[]).includes(timeUnit)) {
    throw new Error(`${where}: unknown timeUnit ${describe(timeUnit)} (expected one of ${TIME_UNITS.join(', ')})`);
  }
  return Object.freeze({ name: tableName, timeColumn, columns: Object.freeze(columns), timeUnit: (timeUnit as TimeUnit | undefined) ?? null, timeIndex, indexOf });
}

/** Plain JSON-able form, as stored beside the manifest (keys absent where a feature is unused). */
export function schemaToJson(s: ResolvedSchema): TableSchema {
  const columns = s.columns.map((c) => (c.nullable === true ? { name: c.name, type: c.type, nullable: true } : { name: c.name, type: c.type }));
  return s.timeUnit === null ? { name: s.name, timeColumn: s.timeColumn, columns } : { name: s.name, timeColumn: s.timeColumn, timeUnit: s.timeUnit, columns };
}

export function sameSchema(a: ResolvedSchema, b: ResolvedSchema): boolean {
  return JSON.stringify(schemaToJson(a)) === JSON.stringify(schemaToJson(b));
}

export { describe as describeValue };
