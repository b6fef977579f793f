// What a zone map proves about a filter chain: that no row can match (the block or row group
// is skipped) or that every row does (a count needs no decoding). Never wrong in either
// direction: a false `mayMatch` or a true `allMatch` is a proof.
import { zoneNulls, type ColumnZone, type ZoneMap } from '../block/zone-map.js';
import { compareScalar, type CompareOp, type Predicate } from './predicate.js';

/** Null counts decide isNull/isNotNull; a comparison never matches a null row. */
function zoneMayMatch(z: ColumnZone, p: Predicate, rows: number): boolean {
  if (p.op === 'isNull') return zoneNulls(z) > 0;
  if (p.op === 'isNotNull') return zoneNulls(z) < rows;
  if (z.type === 'allNull') return false;
  return valuesMayMatch(z, p, p.op);
}

function valuesMayMatch(z: Exclude<ColumnZone, { type: 'allNull' }>, p: Predicate, op: CompareOp): boolean {
  switch (z.type) {
    case 'bool': {
      const want = (op === '==') === (p.value as boolean);
      return want ? z.hasTrue : z.hasFalse;
    }
    case 'string':
      if (z.values !== null && (op === '==' || op === '!=')) {
        if (op === '==') return binaryHas(z.values, p.value as string);
        return !(z.values.length === 1 && z.values[0] === p.value);
      }
      // No upper bound: only the lower bound can rule rows out.
      if (z.max === null) return unboundedMayMatch(op, z.min, p.value as string);
      return rangeMayMatch(op, z.min, z.max, p.value as string, false);
    case 'int64': return rangeMayMatch(op, z.min, z.max, p.value as bigint, false);
    case 'float64': return rangeMayMatch(op, z.min, z.max, p.value as number, z.hasNaN);
  }
}

/** Can some string x ≥ min (no upper bound known) satisfy `x op c`? */
function unboundedMayMatch(op: CompareOp, min: string, c: string): boolean {
  switch (op) {
    case '<': return min < c;
    case '<=': case '==': return min <= c;
    default: return true;
  }
}

/** Does every string x ≥ min (no upper bound known) satisfy `x op c`? */
function unboundedAllMatch(op: CompareOp, min: string, c: string): boolean {
  switch (op) {
    case '>': return min > c;
    case '>=': return min >= c;
    case '!=': return c < min;
    default: return false;
  }
}

/** Can some x in [min, max] satisfy `x op c`? NaN rows satisfy only `!=`. */
function rangeMayMatch<T extends bigint | number | string>(op: CompareOp, min: T, max: T, c: T, hasNaN: boolean): boolean {
  switch (op) {
    case '==': return !(c < min || c > max);
    case '!=': return hasNaN || !(min === max && min === c) || (typeof c === 'number' && c !== c);
    case '>': return compareScalar('>', max, c);
    case '>=': return compareScalar('>=', max, c);
    case '<': return compareScalar('<', min, c);
    case '<=': return compareScalar('<=', min, c);
  }
}

function binaryHas(sorted: readonly string[], s: string): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < s) lo = mid + 1; else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === s;
}

/** False only when the zone map proves that no row satisfies every predicate. */
export function mayMatch(zm: ZoneMap, preds: readonly Predicate[]): boolean {
  if (zm.rowCount === 0) return false;
  for (const p of preds) if (!zoneMayMatch(zm.columns[p.column], p, zm.rowCount)) return false;
  return true;
}

/** True only when the zone proves that every row satisfies `p` (a null row satisfies no comparison). */
function zoneAllMatch(z: ColumnZone, p: Predicate, rows: number): boolean {
  if (p.op === 'isNull') return zoneNulls(z) === rows;
  if (p.op === 'isNotNull') return zoneNulls(z) === 0;
  if (z.type === 'allNull' || zoneNulls(z) > 0) return false;
  return valuesAllMatch(z, p, p.op);
}

function valuesAllMatch(z: Exclude<ColumnZone, { type: 'allNull' }>, p: Predicate, op: CompareOp): boolean {
  switch (z.type) {
    case 'bool': {
      const want = (op === '==') === (p.value as boolean);
      return want ? !z.hasFalse : !z.hasTrue;
    }
    case 'string':
      if (z.values !== null) return z.values.every((v) => compareScalar(op, v, p.value as string));
      if (z.max === null) return unboundedAllMatch(op, z.min, p.value as string);
      return rangeAllMatch(op, z.min, z.max, p.value as string, false);
    case 'int64': return rangeAllMatch(op, z.min, z.max, p.value as bigint, false);
    case 'float64': return rangeAllMatch(op, z.min, z.max, p.value as number, z.hasNaN);
  }
}

/** Does every x in [min, max] satisfy `x op c`? NaN rows satisfy only `!=`. */
function rangeAllMatch<T extends bigint | number | string>(op: CompareOp, min: T, max: T, c: T, hasNaN: boolean): boolean {
  if (op === '!=') return c < min || c > max || (typeof c === 'number' && c !== c);
  if (hasNaN) return false;
  switch (op) {
    case '==': return min === c && max === c;
    case '>': return compareScalar('>', min, c);
    case '>=': return compareScalar('>=', min, c);
    case '<': return compareScalar('<', max, c);
    case '<=': return compareScalar('<=', max, c);
  }
}

/** True only when the zone map proves that every row satisfies every predicate. */
export function allMatch(zm: ZoneMap, preds: readonly Predicate[]): boolean {
  if (zm.rowCount === 0) return false;
  for (const p of preds) if (!zoneAllMatch(zm.columns[p.column], p, zm.rowCount)) return false;
  return true;
}
