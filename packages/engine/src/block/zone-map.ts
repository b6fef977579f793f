// Zone maps: per-column summaries of a block (or row group): building, merging, JSON. What they
// prove about predicates is query/zone-match.ts.
import { nullCount, presentRows, type ColumnView } from '../column/column-view.js';

/** Distinct strings kept per zone; past this only min/max prune. */
export const MAX_ZONE_STRINGS = 1024;
/** Total UTF-8 bytes of the distinct strings kept per zone: zone maps live in the manifest. */
export const MAX_ZONE_VALUES_BYTES = 4096;
/** Longest string min/max kept whole, in UTF-16 code units; longer ones become bounds. */
export const MAX_ZONE_BOUND_CHARS = 64;

/**
 * Per column of a zone. `nulls`: null rows, omitted when 0 (zone maps written before nulls
 * existed read as 0); min/max and the rest cover the non-null values only. A zone whose rows
 * are all null has no min/max: `allNull`.
 */
export type ColumnZone =
  | { type: 'int64'; min: bigint; max: bigint; nulls?: number }
  | { type: 'float64'; min: number; max: number; hasNaN: boolean; nulls?: number }
  | { type: 'bool'; hasTrue: boolean; hasFalse: boolean; nulls?: number }
  | { type: 'allNull'; nulls: number }
  /**
   * `min` is a lower bound (the least value, or a prefix of it); `max` an upper bound (the
   * greatest value, or a string above it), null when no short upper bound exists.
   * `values`: sorted distinct strings, or null past MAX_ZONE_STRINGS / MAX_ZONE_VALUES_BYTES.
   */
  | { type: 'string'; min: string; max: string | null; values: string[] | null; nulls?: number };

/** Zones per column of rows [start, end); an empty range has no zones (nothing can match). */
export interface ZoneMap {
  rowCount: number;
  columns: ColumnZone[];
}

/** Null rows of a zone's column (0 for zones written before nulls existed). */
export function zoneNulls(z: ColumnZone): number {
  return z.nulls ?? 0;
}

/** The zone of a nullable column: over its non-null rows, copied out first (when any is null). */
function zoneOfNullable(view: ColumnView, start: number, end: number): ColumnZone {
  const nulls = nullCount(view, start, end);
  if (nulls === end - start) return { type: 'allNull', nulls };
  const dense = presentRows(view, start, end);
  const zone = zoneOf(dense, 0, end - start - nulls);
  return nulls === 0 ? zone : { ...zone, nulls } as ColumnZone;
}

function zoneOf(view: ColumnView, start: number, end: number): ColumnZone {
  if (view.valid) return zoneOfNullable(view, start, end);
  switch (view.type) {
    case 'int64': {
      // Compare on the 32-bit halves (signed high, unsigned low): no BigInt per row.
      const v = view.values;
      const w = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
      let minAt = start;
      let maxAt = start;
      let minHi = w[2 * start + 1], minLo = w[2 * start] >>> 0;
      let maxHi = minHi, maxLo = minLo;
      for (let i = start + 1; i < end; i++) {
        const hi = w[2 * i + 1];
        const lo = w[2 * i] >>> 0;
        if (hi < minHi || (hi === minHi && lo < minLo)) { minHi = hi; minLo = lo; minAt = i; }
        if (hi > maxHi || (hi === maxHi && lo > maxLo)) { maxHi = hi; maxLo = lo; maxAt = i; }
      }
      return { type: 'int64', min: v[minAt], max: v[maxAt] };
    }
    case 'float64': {
      const v = view.values;
      let min = Infinity;
      let max = -Infinity;
      let hasNaN = false;
      for (let i = start; i < end; i++) {
        const x = v[i];
        if (x < min) min = x;
        if (x > max) max = x;
        if (x !== x) hasNaN = true;
      }
      return { type: 'float64', min, max, hasNaN };
    }
    case 'bool': {
      let ones = 0;
      for (let i = start; i < end; i++) ones += view.values[i];
      return { type: 'bool', hasTrue: ones > 0, hasFalse: ones < end - start };
    }
    case 'string': {
      const seen = new Uint8Array(view.dictionary.length);
      for (let i = start; i < end; i++) seen[view.values[i]] = 1;
      const present: string[] = [];
      for (let d = 0; d < seen.length; d++) if (seen[d] === 1) present.push(view.dictionary[d]);
      present.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return { type: 'string', min: stringLowerBound(present[0]), max: stringUpperBound(present[present.length - 1]), values: cappedValues(present) };
    }
  }
}

/** Cut point at most `limit` code units in that does not split a surrogate pair. */
function safeCut(s: string, limit: number): number {
  const c = s.charCodeAt(limit - 1);
  return c >= 0xd800 && c <= 0xdbff ? limit - 1 : limit;
}

/** A short string ≤ s: s itself, or a prefix of it. */
export function stringLowerBound(s: string): string {
  return s.length <= MAX_ZONE_BOUND_CHARS ? s : s.slice(0, safeCut(s, MAX_ZONE_BOUND_CHARS));
}

/**
 * A short string ≥ s: s itself, or a prefix with its last code unit raised by one (greater than
 * every string that starts with the prefix); null when every code unit of the prefix is 0xFFFF.
 * Strings compare by UTF-16 code units, so a raised unit that is a lone surrogate still orders.
 */
export function stringUpperBound(s: string): string | null {
  if (s.length <= MAX_ZONE_BOUND_CHARS) return s;
  const prefix = s.slice(0, safeCut(s, MAX_ZONE_BOUND_CHARS));
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return null;
}

/** The distinct values if they fit both caps (count and bytes), else null. */
function cappedValues(sorted: string[]): string[] | null {
  if (sorted.length > MAX_ZONE_STRINGS) return null;
  let bytes = 0;
  for (const v of sorted) {
    bytes += Buffer.byteLength(v, 'utf8');
    if (bytes > MAX_ZONE_VALUES_BYTES) return null;
  }
  return sorted;
}

/** A zone map brought within the string caps (zone maps read from older manifests). */
export function capZoneMap(zm: ZoneMap): ZoneMap {
  return {
    rowCount: zm.rowCount,
    columns: zm.columns.map((z) => (z.type !== 'string' ? z : {
      type: 'string', min: stringLowerBound(z.min), max: z.max === null ? null : stringUpperBound(z.max),
      values: z.values === null ? null : cappedValues(z.values), ...(z.nulls === undefined ? {} : { nulls: z.nulls }),
    })),
  };
}

export function computeZoneMap(views: readonly ColumnView[], start: number, end: number): ZoneMap {
  if (end <= start) return { rowCount: 0, columns: [] };
  return { rowCount: end - start, columns: views.map((v) => zoneOf(v, start, end)) };
}

function mergeZone(a: ColumnZone, b: ColumnZone): ColumnZone {
  const nulls = zoneNulls(a) + zoneNulls(b);
  if (a.type === 'allNull') return { ...b, nulls } as ColumnZone;
  if (b.type === 'allNull') return { ...a, nulls } as ColumnZone;
  const merged = mergeValues(a, b);
  return nulls === 0 ? merged : { ...merged, nulls } as ColumnZone;
}

function mergeValues(a: Exclude<ColumnZone, { type: 'allNull' }>, b: ColumnZone): ColumnZone {
  switch (a.type) {
    case 'int64': { const o = b as typeof a; return { type: 'int64', min: a.min < o.min ? a.min : o.min, max: a.max > o.max ? a.max : o.max }; }
    case 'float64': { const o = b as typeof a; return { type: 'float64', min: Math.min(a.min, o.min), max: Math.max(a.max, o.max), hasNaN: a.hasNaN || o.hasNaN }; }
    case 'bool': { const o = b as typeof a; return { type: 'bool', hasTrue: a.hasTrue || o.hasTrue, hasFalse: a.hasFalse || o.hasFalse }; }
    case 'string': {
      const o = b as typeof a;
      let values: string[] | null = null;
      if (a.values !== null && o.values !== null) {
        values = cappedValues([...new Set([...a.values, ...o.values])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      }
      const max = a.max === null || o.max === null ? null : a.max > o.max ? a.max : o.max;
      return { type: 'string', min: a.min < o.min ? a.min : o.min, max, values };
    }
  }
}

/** The zone map of consecutive ranges, from theirs (a block's, from its row groups'). */
export function mergeZoneMaps(parts: readonly ZoneMap[]): ZoneMap {
  const nonEmpty = parts.filter((p) => p.rowCount > 0);
  if (nonEmpty.length === 0) return { rowCount: 0, columns: [] };
  return nonEmpty.slice(1).reduce((acc, p) => ({ rowCount: acc.rowCount + p.rowCount, columns: acc.columns.map((z, i) => mergeZone(z, p.columns[i])) }), nonEmpty[0]);
}

/** JSON form for manifests and Parquet metadata: bigints as decimal strings. */
export function zoneMapToJson(zm: ZoneMap): unknown {
  return JSON.parse(JSON.stringify(zm, (_k, v: unknown) => {
    if (typeof v === 'bigint') return { $int64: v.toString() };
    if (typeof v === 'number' && !Number.isFinite(v)) return { $f64: String(v) };
    return v;
  }));
}

export function zoneMapFromJson(json: unknown): ZoneMap {
  return JSON.parse(JSON.stringify(json), (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && '$int64' in v) return BigInt((v as { $int64: string }).$int64);
    if (v !== null && typeof v === 'object' && '$f64' in v) return Number((v as { $f64: string }).$f64);
    return v;
  }) as ZoneMap;
}
