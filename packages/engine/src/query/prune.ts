// Block and row-group pruning: decide from zone maps alone what a query must read.
import type { SealedBlock } from '../block/sealed-block.js';
import { allMatch, mayMatch } from '../block/zone-map.js';
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

export interface BlockPlan {
  /** Row groups to decode; null = all of them (or the block has no row-group zone maps). */
  rowGroups: number[] | null;
  /** Counting only: rows proven to match by zone maps alone, in groups not decoded. */
  knownRows: number;
}

/**
 * null: the block cannot hold a matching row, skip it. Otherwise what to read. When only
 * counting, row groups (or the whole block) whose zone maps prove every row matches are
 * counted from their row counts instead of being decoded.
 */
export function pruneBlock(block: SealedBlock, timeColumn: number, preds: readonly Predicate[], countOnly = false): BlockPlan | null {
  if (!timeMayMatch(block.minTime, block.maxTime, timeColumn, preds)) return null;
  if (block.zoneMap !== null && !mayMatch(block.zoneMap, preds)) return null;
  if (countOnly && block.zoneMap !== null && allMatch(block.zoneMap, preds)) return { rowGroups: [], knownRows: block.rowCount };
  if (block.rowGroups === null || preds.length === 0) return { rowGroups: null, knownRows: 0 };
  const groups: number[] = [];
  let knownRows = 0;
  for (let g = 0; g < block.rowGroups.length; g++) {
    const zm = block.rowGroups[g].zoneMap;
    if (!mayMatch(zm, preds)) continue;
    if (countOnly && allMatch(zm, preds)) knownRows += zm.rowCount;
    else groups.push(g);
  }
  if (groups.length === 0 && knownRows === 0) return null;
  return { rowGroups: groups.length === block.rowGroups.length ? null : groups, knownRows };
}
