// Aggregates answered from zone maps, without decoding: a block (or each of its row groups that
// may match) whose rows all pass the filters, fall in one time bucket and carry one value of
// every group key gives its partial from the zone alone — count is its row count, min/max are
// the zone's exact bounds, and a column holding one value gives first/last (and an int64 sum).
// Anything a zone cannot prove exactly (string bounds cut short, NaN, a nullable column, a
// float64 sum) makes the answer null, and the block is scanned as before.
import type { ColumnZone, ZoneMap } from '../block/zone-map.js';
import type { SealedBlock } from '../block/sealed-block.js';
import type { AggPartial, AggregateRequest, PartialState } from './aggregate.js';
import { bucketStart } from './buckets.js';
import type { KeyValue } from './group-keys.js';
import type { Predicate } from './predicate.js';
import { allMatch, mayMatch } from './zone-match.js';

/** The one value every row of the zone holds, or undefined when it holds several (or it cannot tell). */
function onlyValue(z: ColumnZone): KeyValue | number | undefined {
  switch (z.type) {
    case 'int64': return z.min === z.max ? z.min : undefined;
    // 0 and -0 compare equal but are different first/last values; NaN has no bounds.
    case 'float64': return !z.hasNaN && z.min === z.max && z.min !== 0 ? z.min : undefined;
    case 'bool': return z.hasTrue !== z.hasFalse ? z.hasTrue : undefined;
    case 'string': return z.values !== null && z.values.length === 1 ? z.values[0] : undefined;
  }
}

/** The zone's exact least or greatest value, or undefined when it only has bounds. */
function bound(z: ColumnZone, least: boolean): PartialState | undefined {
  switch (z.type) {
    case 'int64': return least ? z.min : z.max;
    case 'float64': {
      // rows > 0 and no NaN: the bounds are real values. A zero bound may be 0 or -0 (zones and
      // their JSON do not keep the sign), which a scan tells apart: scan those.
      const v = least ? z.min : z.max;
      return z.hasNaN || v === 0 ? undefined : v;
    }
    case 'bool': return least ? !z.hasFalse : z.hasTrue;
    case 'string': return z.values === null || z.values.length === 0 ? undefined : least ? z.values[0] : z.values[z.values.length - 1];
  }
}

/** The state of one value over every row of the zone, or undefined when the zone cannot prove it. */
function stateOf(fn: AggregateRequest['values'][number]['fn'], z: ColumnZone | null, rows: number): PartialState | undefined {
  if (fn === 'count') return null;
  if (z === null) return undefined;
  switch (fn) {
    case 'min': return bound(z, true);
    case 'max': return bound(z, false);
    case 'first': case 'last': {
      const v = onlyValue(z);
      return v === undefined ? undefined : v;
    }
    case 'sum': case 'avg': return z.type === 'int64' && z.min === z.max ? z.min * BigInt(rows) : undefined;
  }
}

/**
 * The partial of rows whose zone is `zm` and times lie in [minTime, maxTime], all of which pass
 * `preds`; null when the zone cannot prove it. `nullable[c]`: column c may hold nulls.
 */
export function zonePartial(zm: ZoneMap, minTime: bigint, maxTime: bigint, agg: AggregateRequest, preds: readonly Predicate[], nullable: readonly boolean[]): AggPartial | null {
  if (zm.rowCount === 0 || !allMatch(zm, preds)) return null;
  let bucket: bigint | null = null;
  if (agg.every !== null) {
    bucket = bucketStart(minTime, agg.origin, agg.every);
    if (bucketStart(maxTime, agg.origin, agg.every) !== bucket) return null;
  }
  const key: KeyValue[] = [];
  for (const c of agg.by) {
    const z = zm.columns[c];
    const v = z === undefined || nullable[c] === true ? undefined : onlyValue(z);
    if (v === undefined || typeof v === 'number') return null;
    key.push(v);
  }
  const states: PartialState[] = [];
  for (const { fn, column } of agg.values) {
    if (column !== null && nullable[column] === true) return null;
    const s = stateOf(fn, column === null ? null : zm.columns[column] ?? null, zm.rowCount);
    if (s === undefined) return null;
    states.push(s);
  }
  return { bucket, key, rows: zm.rowCount, states };
}

function timeBounds(z: ColumnZone | undefined): [bigint, bigint] | null {
  return z !== undefined && z.type === 'int64' ? [z.min, z.max] : null;
}

/**
 * A sealed block's partials from its zone maps alone, in row order: from the block's zone when
 * it proves the whole block, else from each row group that may match, when every one of them
 * proves its rows. Null: the block must be scanned.
 */
export function blockPartialsFromZones(block: SealedBlock, agg: AggregateRequest, preds: readonly Predicate[], timeColumn: number, nullable: readonly boolean[]): AggPartial[] | null {
  if (block.zoneMap !== null) {
    const whole = zonePartial(block.zoneMap, block.minTime, block.maxTime, agg, preds, nullable);
    if (whole !== null) return [whole];
  }
  if (block.rowGroups === null || block.rowGroups.length < 2) return null;
  const out: AggPartial[] = [];
  for (const g of block.rowGroups) {
    if (!mayMatch(g.zoneMap, preds)) continue;
    const times = timeBounds(g.zoneMap.columns[timeColumn]);
    const p = times === null ? null : zonePartial(g.zoneMap, times[0], times[1], agg, preds, nullable);
    if (p === null) return null;
    out.push(p);
  }
  return out;
}
