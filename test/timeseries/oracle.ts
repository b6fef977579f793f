// A plain-JS oracle for the time-series queries: rows in append order, no pushdown, no
// partials; written straight from DESIGN.md "Public API, part 2".
export type Val = bigint | number | string | boolean;
export type Row = Record<string, Val>;
export type OutVal = Val | null;
export type Filter = readonly [string, '==' | '!=' | '<' | '<=' | '>' | '>=', Val];
export type Fn = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'first' | 'last';

export interface AggSpec {
  every?: bigint;
  origin?: bigint;
  by?: string[];
  values: Record<string, readonly ['count'] | readonly [Fn, string]>;
  fill?: 'none' | 'null' | 'previous';
}

export function applyFilters(rows: readonly Row[], filters: readonly Filter[]): Row[] {
  return rows.filter((r) => filters.every(([c, op, v]) => {
    const x = r[c];
    const w = typeof x === 'bigint' && typeof v === 'number' ? BigInt(v) : v;
    switch (op) {
      case '==': return x === w;
      case '!=': return x !== w;
      case '<': return x < w;
      case '<=': return x <= w;
      case '>': return x > w;
      case '>=': return x >= w;
    }
  }));
}

export function floorBucket(t: bigint, origin: bigint, every: bigint): bigint {
  const d = t - origin;
  let k = d / every;
  if (d < 0n && k * every !== d) k -= 1n;
  return origin + k * every;
}

function lt(a: Val, b: Val): boolean { return a < b; }
function cmpKeys(a: readonly Val[], b: readonly Val[]): number {
  for (let i = 0; i < a.length; i++) { if (lt(a[i], b[i])) return -1; if (lt(b[i], a[i])) return 1; }
  return 0;
}

export function oracleAggregate(rows: readonly Row[], timeCol: string, intCols: ReadonlySet<string>, spec: AggSpec): Record<string, OutVal>[] {
  const by = spec.by ?? [];
  const groups = new Map<string, { bucket: bigint | null; key: Val[]; rows: Row[] }>();
  for (const r of rows) {
    const bucket = spec.every === undefined ? null : floorBucket(r[timeCol] as bigint, spec.origin ?? 0n, spec.every);
    const key = by.map((c) => r[c]);
    const id = `${String(bucket)}|${key.map((k) => `${typeof k}:${String(k)}`).join('|')}`;
    let g = groups.get(id);
    if (g === undefined) { g = { bucket, key, rows: [] }; groups.set(id, g); }
    g.rows.push(r);
  }
  const names = Object.keys(spec.values);
  const valuesOf = (rs: Row[]): OutVal[] => names.map((n) => {
    const [fn, col] = spec.values[n] as readonly [Fn, string?];
    if (fn === 'count') return rs.length;
    const xs = rs.map((r) => r[col as string]);
    switch (fn) {
      case 'sum': return intCols.has(col as string) ? xs.reduce<bigint>((a, x) => a + (x as bigint), 0n) : xs.reduce<number>((a, x) => a + (x as number), 0);
      case 'avg': return intCols.has(col as string) ? Number(xs.reduce<bigint>((a, x) => a + (x as bigint), 0n)) / xs.length : xs.reduce<number>((a, x) => a + (x as number), 0) / xs.length;
      case 'min': return xs.reduce((a, x) => (x < a ? x : a));
      case 'max': return xs.reduce((a, x) => (x > a ? x : a));
      case 'first': return xs[0];
      case 'last': return xs[xs.length - 1];
    }
    return null;
  });
  type Out = { bucket: bigint | null; key: Val[]; values: OutVal[] };
  let out: Out[] = [...groups.values()].map((g) => ({ bucket: g.bucket, key: g.key, values: valuesOf(g.rows) }));
  const order = (a: Out, b: Out) => (a.bucket !== null && b.bucket !== null && a.bucket !== b.bucket ? (a.bucket < b.bucket ? -1 : 1) : cmpKeys(a.key, b.key));
  out.sort(order);
  if ((spec.fill ?? 'none') !== 'none' && spec.every !== undefined) {
    const byKey = new Map<string, Out[]>();
    for (const o of out) { const id = o.key.map((k) => `${typeof k}:${String(k)}`).join('|'); byKey.set(id, [...(byKey.get(id) ?? []), o]); }
    const extra: Out[] = [];
    for (const list of byKey.values()) {
      for (let i = 1; i < list.length; i++) {
        let prev = list[i - 1];
        for (let b = prev.bucket! + spec.every; b < list[i].bucket!; b += spec.every) {
          const values = names.map((n, v) => {
            const [fn, col] = spec.values[n] as readonly [Fn, string?];
            if (fn === 'count') return 0;
            if (fn === 'sum') return intCols.has(col as string) ? 0n : 0;
            return spec.fill === 'previous' ? prev.values[v] : null;
          });
          const f = { bucket: b, key: list[i].key, values };
          extra.push(f);
          prev = f;
        }
      }
    }
    out = [...out, ...extra].sort(order);
  }
  return out.map((o) => {
    const row: Record<string, OutVal> = {};
    if (o.bucket !== null) row[timeCol] = o.bucket;
    by.forEach((c, i) => { row[c] = o.key[i]; });
    names.forEach((n, i) => { row[n] = o.values[i]; });
    return row;
  });
}

export function oracleLatest(rows: readonly Row[], by: readonly string[]): Row[] {
  const last = new Map<string, Row>();
  for (const r of rows) last.set(by.map((c) => `${typeof r[c]}:${String(r[c])}`).join('|'), r);
  return [...last.values()].sort((a, b) => cmpKeys(by.map((c) => a[c]), by.map((c) => b[c])));
}
