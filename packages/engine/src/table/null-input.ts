// Nulls in appendBatch input: a nullable column's array may hold null (or undefined) entries,
// or the column may be left out (all null). They become the column's validity, and the values
// the usual checks then see, with each null replaced by the type's zero ('' for strings).
import type { ColumnType } from '../schema/schema.js';

/**
 * A nullable column's input → its validity (null when nothing is null) and the values with each
 * null replaced by the type's zero value ('' for strings), for normalizeColumn to check as usual.
 * A missing column is all null.
 */
export function splitNulls(type: ColumnType, src: ArrayLike<unknown> | undefined, n: number): { values: ArrayLike<unknown>; valid: Uint8Array | null } {
  const zero = type === 'string' ? '' : type === 'bool' ? false : type === 'int64' ? 0n : 0;
  if (src === undefined) return { values: zeroInput(type, n), valid: new Uint8Array(n) };
  if (!Array.isArray(src)) return { values: src, valid: null }; // typed arrays hold no nulls
  let valid: Uint8Array | null = null;
  let values: unknown[] = src;
  for (let i = 0; i < n; i++) {
    const v: unknown = src[i];
    if (v !== null && v !== undefined) continue;
    if (valid === null) { valid = new Uint8Array(n).fill(1); values = src.slice(0, n); }
    valid[i] = 0;
    values[i] = zero;
  }
  return { values, valid };
}

function zeroInput(type: ColumnType, n: number): ArrayLike<unknown> {
  switch (type) {
    case 'int64': return new BigInt64Array(n);
    case 'float64': return new Float64Array(n);
    case 'bool': return new Uint8Array(n);
    case 'string': return new Array<string>(n).fill('');
  }
}

