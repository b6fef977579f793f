// Block and row-group pruning: decide from zone maps alone what a query must read.
import type { SealedBlock } from '../block/sealed-block.js';
import { mayMatch } from '../block/zone-map.js';
import type { Predicate } from './predicate.js';

/** Time-range test, available for every sealed block even before its zone map exists. */
export function timeMayMatch(minTime: bigint, maxTime: bigint, timeColumn: number, preds: readonly Predicate[]): boolean {
  for (const p of preds) {
    if (p.column !== timeColumn) continue;
    const t = p.value as bigint;
    switch (p.op) {
      case '==': if (t < minTime || t > maxTime) return false; break;
      case '>': if (maxTime <= t) return false; break;
      case '>=': if (maxTime < t) return false; break;
      case '<': if (minTime >= t) return false; break;
      case '<=': if (minTime > t) return false; break;
      case '!=': if (minTime === maxTime && minTime === t) return false; break;
    }
  }
  return true;
}

/**
 * null: the block cannot hold a matching row, skip it. Otherwise the row groups to read
 * (all of them when the block has no row-group zone maps yet).
 */
export function pruneBlock(block: SealedBlock, timeColumn: number, preds: readonly Predicate[]): { rowGroups: number[] | null } | null {
  if (!timeMayMatch(block.minTime, block.maxTime, timeColumn, preds)) return null;
  if (block.zoneMap !== null && !mayMatch(block.zoneMap, preds)) return null;
  if (block.rowGroups === null || preds.length === 0) return { rowGroups: null };
  const groups: number[] = [];
  for (let g = 0; g < block.rowGroups.length; g++) if (mayMatch(block.rowGroups[g].zoneMap, preds)) groups.push(g);
  if (groups.length === 0) return null;
  return { rowGroups: groups.length === block.rowGroups.length ? null : groups };
}
