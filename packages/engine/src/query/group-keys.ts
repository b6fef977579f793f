// Group keys of selected rows: a dense group id per row, and each group's key values.
// One column at a time: string codes and bools index a table, int64 values go through a Map;
// several columns combine pairwise into dense ids (each product stays below n × cardinality).
import type { ColumnView } from '../column/column-view.js';

/** A group key's value; null for the rows where a nullable key column is null (a group of its own). */
export type KeyValue = string | bigint | boolean | null;
export type GroupKey = KeyValue[];

export interface RowGroups {
  /** Dense group id of the j-th selected row. */
  readonly ids: Int32Array;
  /** Key values per group id. */
  readonly keys: GroupKey[];
}

function denseCodes(view: ColumnView, n: number, lo: number, sel: Uint32Array | null): { codes: Int32Array; count: number } {
  const dense = denseValueCodes(view, n, lo, sel);
  const valid = view.valid;
  if (!valid) return dense;
  // Null rows: one more dense code of their own (their value slots hold 0, or the code of '').
  let nullCode = -1;
  for (let j = 0; j < n; j++) {
    if (valid[sel === null ? lo + j : lo + sel[j]] === 1) continue;
    if (nullCode === -1) nullCode = dense.count++;
    dense.codes[j] = nullCode;
  }
  return dense;
}

function denseValueCodes(view: ColumnView, n: number, lo: number, sel: Uint32Array | null): { codes: Int32Array; count: number } {
  const codes = new Int32Array(n);
  const valid = view.valid;
  let count = 0;
  switch (view.type) {
    case 'string':
    case 'bool': {
      const size = view.type === 'string' ? view.dictionary.length : 2;
      const table = new Int32Array(size).fill(-1);
      const v = view.values;
      for (let j = 0; j < n; j++) {
        const i = sel === null ? lo + j : lo + sel[j];
        if (valid && valid[i] === 0) continue; // a null: coded by denseCodes
        const c = v[i];
        let d = table[c];
        if (d === -1) { d = count++; table[c] = d; }
        codes[j] = d;
      }
      break;
    }
    case 'int64': {
      const map = new Map<bigint, number>();
      const v = view.values;
      for (let j = 0; j < n; j++) {
        const i = sel === null ? lo + j : lo + sel[j];
        if (valid && valid[i] === 0) continue; // a null: coded by denseCodes
        const x = v[i];
        let d = map.get(x);
        if (d === undefined) { d = count++; map.set(x, d); }
        codes[j] = d;
      }
      break;
    }
    case 'float64': throw new Error('internal: float64 group keys are refused when the query is built');
  }
  return { codes, count };
}

function keyValueAt(view: ColumnView, i: number): KeyValue {
  if (view.valid && view.valid[i] === 0) return null;
  switch (view.type) {
    case 'string': return view.dictionary[view.values[i]];
    case 'bool': return view.values[i] === 1;
    case 'int64': return view.values[i];
    case 'float64': throw new Error('internal: float64 group key');
  }
}

export function groupRows(views: readonly ColumnView[], by: readonly number[], n: number, lo: number, sel: Uint32Array | null): RowGroups {
  if (by.length === 0) return { ids: new Int32Array(n), keys: [[]] };
  let { codes: ids, count } = denseCodes(views[by[0]], n, lo, sel);
  for (let c = 1; c < by.length; c++) {
    const next = denseCodes(views[by[c]], n, lo, sel);
    const map = new Map<number, number>();
    let total = 0;
    for (let j = 0; j < n; j++) {
      const combined = ids[j] * next.count + next.codes[j];
      let d = map.get(combined);
      if (d === undefined) { d = total++; map.set(combined, d); }
      ids[j] = d;
    }
    count = total;
  }
  const keys = new Array<GroupKey>(count);
  // Each group's key from its first row; stop once every group has one.
  let found = 0;
  for (let j = 0; j < n && found < count; j++) {
    const g = ids[j];
    if (keys[g] === undefined) { const i = sel === null ? lo + j : lo + sel[j]; keys[g] = by.map((c) => keyValueAt(views[c], i)); found++; }
  }
  return { ids, keys };
}
