// Time-range pruning: the one test every sealed block supports, even before its zone map
// exists (read-plan.ts does the rest from zone maps).
import type { Predicate } from './predicate.js';

/** Time-range test, available for every sealed block even before its zone map exists. */
export function timeMayMatch(minTime: bigint, maxTime: bigint, timeColumn: number, preds: readonly Predicate[]): boolean {
  for (const p of preds) {
    if (p.column !== timeColumn) continue;
    if (p.op === 'isNull') return false; // the time column is never null
    if (p.op === 'isNotNull') continue;
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
