// Table schemas: the four column types, name rules, and the typed-row mapping
// that lets `as const` schemas give typed rows.

export type ColumnType = 'int64' | 'float64' | 'string' | 'bool';
export const COLUMN_TYPES: readonly ColumnType[] = ['int64', 'float64', 'string', 'bool'];

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
}

export interface TableSchema {
  readonly name: string;
  readonly timeColumn: string;
  readonly columns: readonly ColumnDef[];
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
/** A row as readers yield it, inferred from an `as const` schema. */
export type RowOf<S extends TableSchema> = {
  [C in ColumnsOf<S> as C['name']]: ValueOfType[C['type']];
};
/** A row as `append` accepts it. */
export type RowInputOf<S extends TableSchema> = {
  [C in ColumnsOf<S> as C['name']]: InputOfType[C['type']];
};
/** Columnar input for `appendBatch`. */
export interface BatchInputOfType {
  int64: ReadonlyArray<bigint | number> | BigInt64Array;
  float64: ReadonlyArray<number> | Float64Array;
  string: ReadonlyArray<string>;
  bool: ReadonlyArray<boolean> | Uint8Array;
}
export type BatchInputOf<S extends TableSchema> = {
  [C in ColumnsOf<S> as C['name']]: BatchInputOfType[C['type']];
};

/** Names that can never escape a directory: letters, digits, `_`, `-`; starting with a letter or `_`. */
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
export const MAX_COLUMNS = 1024;

export function isSafeName(name: unknown): name is string {
  return typeof name === 'string' && NAME_PATTERN.test(name);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** Validated, frozen copy of a schema plus lookups the engine needs on every append. */
export interface ResolvedSchema {
  readonly name: string;
  readonly timeColumn: string;
  readonly columns: readonly ColumnDef[];
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
    if (indexOf.has(name)) throw new Error(`${where}, column "${name}": duplicate column name`);
    const type: unknown = col.type;
    if (typeof type !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(type)) {
      throw new Error(`${where}, column "${name}": unknown type ${describe(type)} (expected one of ${COLUMN_TYPES.join(', ')})`);
    }
    indexOf.set(name, i);
    columns.push(Object.freeze({ name, type: type as ColumnType }));
  }
  const timeColumn: unknown = input.timeColumn;
  if (typeof timeColumn !== 'string' || timeColumn.length === 0) throw new Error(`${where}: timeColumn must be a non-empty string`);
  const timeIndex = indexOf.get(timeColumn);
  if (timeIndex === undefined) throw new Error(`${where}, column "${timeColumn}": time column is not in the schema`);
  if (columns[timeIndex].type !== 'int64') {
    throw new Error(`${where}, column "${timeColumn}": time column must be int64, not ${columns[timeIndex].type}`);
  }
  return Object.freeze({ name: tableName, timeColumn, columns: Object.freeze(columns), timeIndex, indexOf });
}

/** Plain JSON-able form, as stored beside the manifest. */
export function schemaToJson(s: ResolvedSchema): TableSchema {
  return { name: s.name, timeColumn: s.timeColumn, columns: s.columns.map((c) => ({ name: c.name, type: c.type })) };
}

export function sameSchema(a: ResolvedSchema, b: ResolvedSchema): boolean {
  return JSON.stringify(schemaToJson(a)) === JSON.stringify(schemaToJson(b));
}

export { describe as describeValue };
