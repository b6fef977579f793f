// Filters as data: validated once when `filter()` is called, then shipped to scans.
import { describeValue, type ColumnType, type ResolvedSchema } from '../schema/schema.js';
import { misfit } from '../column/values.js';

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';
export const COMPARE_OPS: readonly CompareOp[] = ['==', '!=', '>', '>=', '<', '<='];
/** Operators allowed per column type (bools have no order). */
const OPS_FOR: Readonly<Record<ColumnType, readonly CompareOp[]>> = {
  int64: COMPARE_OPS,
  float64: COMPARE_OPS,
  string: COMPARE_OPS,
  bool: ['==', '!='],
};

export type PredicateValue = bigint | number | string | boolean;
/** Null tests take no value; comparisons never match a null. */
export type NullOp = 'isNull' | 'isNotNull';
export const NULL_OPS: readonly NullOp[] = ['isNull', 'isNotNull'];
export type FilterOp = CompareOp | NullOp;

export function isNullOp(op: FilterOp): op is NullOp {
  return op === 'isNull' || op === 'isNotNull';
}

/** A compiled filter: column index into the schema, and a value already in the column's JS type. */
export interface Predicate {
  readonly column: number;
  readonly type: ColumnType;
  readonly op: FilterOp;
  /** int64 → bigint, float64 → number, string → string, bool → boolean; null for isNull/isNotNull. */
  readonly value: PredicateValue | null;
}

export const MAX_PREDICATES = 256;

export function compilePredicate(schema: ResolvedSchema, column: unknown, op: unknown, value: unknown): Predicate {
  const table = `table "${schema.name}"`;
  if (typeof column !== 'string') throw new Error(`${table}: filter column must be a string, got ${typeof column}`);
  const index = schema.indexOf.get(column);
  if (index === undefined) throw new Error(`${table}, column "${column}": unknown column in filter`);
  const type = schema.columns[index].type;
  const where = `${table}, column "${column}"`;
  if (op === 'isNull' || op === 'isNotNull') {
    if (value !== undefined && value !== null) throw new Error(`${where}: filter ${op} takes no value, got ${describeValue(value)}`);
    return Object.freeze({ column: index, type, op, value: null });
  }
  if (typeof op !== 'string' || !(COMPARE_OPS as readonly string[]).includes(op)) {
    throw new Error(`${where}: unknown filter operator ${describeValue(op)} (expected one of ${COMPARE_OPS.join(' ')} ${NULL_OPS.join(' ')})`);
  }
  if (!OPS_FOR[type].includes(op as CompareOp)) {
    throw new Error(`${where}: operator ${op} is not supported on ${type} columns (use ${OPS_FOR[type].join(' or ')})`);
  }
  const why = misfit(type, value);
  // A null operand: comparisons never match a null, so the null tests are the way to ask.
  const hint = value === null ? ` (comparisons never match a null; filter with 'isNull' or 'isNotNull')` : '';
  if (why !== null) throw new Error(`${where}: filter value does not fit the column: ${why}${hint}`);
  const v = type === 'int64' && typeof value === 'number' ? BigInt(value) : (value as PredicateValue);
  return Object.freeze({ column: index, type, op: op as CompareOp, value: v });
}

/** Compare two values of one column type, as the filter semantics define (JS order; NaN never equal). */
export function compareScalar(op: CompareOp, a: PredicateValue, b: PredicateValue): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
  }
}
