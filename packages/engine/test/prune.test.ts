// Block and row-group pruning: a plan never drops a matching row, and when counting, the
// rows it proves from zone maps plus the rows it decodes and matches are exactly the count.
import { describe, expect, it } from 'vitest';
import { timeMayMatch } from '../src/query/prune.js';
import { planBlockRead } from '../src/query/read-plan.js';
import { computeZoneMap, mergeZoneMaps } from '../src/block/zone-map.js';
import type { SealedBlock } from '../src/block/sealed-block.js';
import type { ColumnView } from '../src/column/column-view.js';
import type { CompareOp, Predicate } from '../src/query/predicate.js';
import { INT64_MAX, INT64_MIN, OPS, int, jsCompare, pick, randomColumn, randomInt64, randomPredicate, rng, rowMatches, show, type Rand } from './oracle.js';

const TIME = 0;
const tp = (op: CompareOp, value: bigint): Predicate => ({ column: TIME, type: 'int64', op, value });

describe('timeMayMatch', () => {
  it('is exact for one predicate: false iff no integer time in [minTime, maxTime] satisfies it', () => {
    const r = rng(41);
    const bases = [INT64_MIN, INT64_MIN + 3n, -1n, 0n, 1_000_000n, INT64_MAX - 12n];
    for (const base of bases) {
      for (let round = 0; round < 200; round++) {
        const minTime = base + BigInt(int(r, 4));
        const maxTime = minTime + BigInt(int(r, 6));
        const t = pick(r, [minTime - 1n, minTime, minTime + 1n, maxTime - 1n, maxTime, maxTime + 1n, randomInt64(r)]);
        const value = BigInt.asIntN(64, t);
        const op = pick(r, OPS);
        let any = false;
        for (let x = minTime; x <= maxTime && !any; x++) any = jsCompare(op, x, value);
        expect(timeMayMatch(minTime, maxTime, TIME, [tp(op, value)]), `[${minTime}, ${maxTime}] ${op} ${value}`).toBe(any);
      }
    }
  });

  it('ignores predicates on other columns and ANDs the time predicates', () => {
    expect(timeMayMatch(10n, 20n, TIME, [{ column: 1, type: 'int64', op: '>', value: 100n }])).toBe(true);
    expect(timeMayMatch(10n, 20n, TIME, [tp('>=', 15n), tp('<', 15n)])).toBe(true); // per predicate, not their intersection
    expect(timeMayMatch(10n, 20n, TIME, [tp('>=', 15n), tp('>', 20n)])).toBe(false);
    expect(timeMayMatch(7n, 7n, TIME, [tp('!=', 7n)])).toBe(false);
    expect(timeMayMatch(7n, 8n, TIME, [tp('!=', 7n)])).toBe(true);
    expect(timeMayMatch(INT64_MIN, INT64_MAX, TIME, [tp('>', INT64_MAX)])).toBe(false);
    expect(timeMayMatch(INT64_MIN, INT64_MAX, TIME, [tp('<', INT64_MIN)])).toBe(false);
    expect(timeMayMatch(INT64_MIN, INT64_MAX, TIME, [])).toBe(true);
  });
});

/** What the planner decides for a block read from its Parquet bytes, in row-group terms. */
interface BlockPlan { rowGroups: readonly number[] | null; knownRows: number }
function pruneBlock(block: SealedBlock, timeColumn: number, preds: Predicate[], countOnly = false): BlockPlan | null {
  const req = { predicates: preds, projection: [], countOnly, timeColumn };
  const plan = planBlockRead({ ...block, parquet: new Uint8Array(0) }, req, { enabled: false, get: () => undefined, admit: () => false }, 5);
  if (plan.kind === 'skip') return null;
  if (plan.kind === 'known') return { rowGroups: [], knownRows: plan.rows };
  if (plan.kind === 'partials') throw new Error('no aggregate was asked');
  return { rowGroups: plan.rowGroups, knownRows: plan.knownRows };
}

interface Fixture { block: SealedBlock; views: ColumnView[]; groupRows: number }

/** A sealed block over random columns (time first, non-decreasing), with or without zone maps. */
function fixture(r: Rand, withZones: boolean): Fixture {
  const n = 1 + int(r, 300);
  const groupRows = 1 + int(r, 80);
  const time = new BigInt64Array(n);
  let t = BigInt(int(r, 100));
  for (let i = 0; i < n; i++) { time[i] = t; t += BigInt(int(r, 3)); }
  const views: ColumnView[] = [{ type: 'int64', values: time }, ...(['int64', 'float64', 'bool', 'string'] as const).map((ty) => randomColumn(r, ty, n))];
  // Sorted-ish and low-cardinality columns make row groups differ, so some are pruned or proven.
  if (r() < 0.5) (views[1].values as BigInt64Array).sort();
  if (r() < 0.5) { const s = views[4] as { values: Int32Array }; s.values.sort(); }
  const rowGroups = [];
  for (let first = 0; first < n; first += groupRows) rowGroups.push({ firstRow: first, zoneMap: computeZoneMap(views, first, Math.min(n, first + groupRows)) });
  const block: SealedBlock = {
    id: 0, firstRowSeq: 0, rowCount: n, minTime: time[0], maxTime: time[n - 1], raw: null,
    zoneMap: withZones ? mergeZoneMaps(rowGroups.map((g) => g.zoneMap)) : null,
    rowGroups: withZones ? rowGroups : null,
    parquet: null, file: null, sizeBytes: 0, checksum: 0, layout: null,
  };
  return { block, views, groupRows };
}

function randomPreds(r: Rand, views: ColumnView[], n: number): Predicate[] {
  return Array.from({ length: int(r, 4) }, () => {
    const c = int(r, views.length);
    return randomPredicate(r, views[c], c, n);
  });
}

/** Rows a plan says to decode: the chosen row groups, or all rows when rowGroups is null. */
function decodedRows(f: Fixture, plan: BlockPlan): number[] {
  const n = f.block.rowCount;
  const groups = plan.rowGroups ?? Array.from({ length: Math.ceil(n / f.groupRows) }, (_, g) => g);
  return groups.flatMap((g) => Array.from({ length: Math.min(n, (g + 1) * f.groupRows) - g * f.groupRows }, (_, i) => g * f.groupRows + i));
}

describe('planBlockRead: row groups and known rows (a block read from its Parquet bytes)', () => {
  for (const countOnly of [false, true]) {
    it(`never loses a matching row${countOnly ? '; counting, known rows + decoded matches = the exact count' : ''}`, () => {
      const r = rng(countOnly ? 43 : 42);
      let skipped = 0;
      let narrowed = 0;
      let known = 0;
      for (let round = 0; round < 250; round++) {
        const f = fixture(r, round % 5 !== 0);
        const n = f.block.rowCount;
        const preds = randomPreds(r, f.views, n);
        const matching: number[] = [];
        for (let i = 0; i < n; i++) if (rowMatches(f.views, preds, i)) matching.push(i);
        const plan = pruneBlock(f.block, TIME, preds, countOnly);
        const msg = preds.map(show).join(' AND ');
        if (plan === null) { expect(matching, `block skipped: ${msg}`).toEqual([]); skipped++; continue; }
        if (f.block.zoneMap === null) expect(plan, msg).toEqual({ rowGroups: null, knownRows: 0 });
        if (!countOnly) expect(plan.knownRows, msg).toBe(0);
        if (plan.rowGroups !== null) {
          narrowed++;
          expect([...plan.rowGroups].sort((a, b) => a - b), msg).toEqual(plan.rowGroups);
          expect(new Set(plan.rowGroups).size, msg).toBe(plan.rowGroups.length);
        }
        const decoded = new Set(decodedRows(f, plan));
        const decodedMatches = matching.filter((i) => decoded.has(i)).length;
        expect(plan.knownRows + decodedMatches, `${msg}: plan ${JSON.stringify(plan)}`).toBe(matching.length);
        if (plan.knownRows > 0) known++;
      }
      // Not vacuous: every kind of decision happened.
      expect(skipped).toBeGreaterThan(20);
      expect(narrowed).toBeGreaterThan(20);
      if (countOnly) expect(known).toBeGreaterThan(20);
    });
  }

  it('a block whose zone map proves every row is counted without decoding anything', () => {
    const f = fixture(rng(44), true);
    expect(pruneBlock(f.block, TIME, [tp('>=', f.block.minTime)], true)).toEqual({ rowGroups: [], knownRows: f.block.rowCount });
    expect(pruneBlock(f.block, TIME, [tp('>=', f.block.minTime)], false)).toEqual({ rowGroups: null, knownRows: 0 });
    expect(pruneBlock(f.block, TIME, [], true)).toEqual({ rowGroups: [], knownRows: f.block.rowCount });
    expect(pruneBlock(f.block, TIME, [], false)).toEqual({ rowGroups: null, knownRows: 0 });
    expect(pruneBlock(f.block, TIME, [tp('>', f.block.maxTime)], true)).toBeNull();
  });

  it('row groups outside a time range are skipped and the rest listed in order', () => {
    // 10 rows, times 0..9, groups of 3: [0,1,2] [3,4,5] [6,7,8] [9].
    const views: ColumnView[] = [{ type: 'int64', values: BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i)) }];
    const rowGroups = [0, 3, 6, 9].map((first) => ({ firstRow: first, zoneMap: computeZoneMap(views, first, Math.min(10, first + 3)) }));
    const block: SealedBlock = {
      id: 1, firstRowSeq: 0, rowCount: 10, minTime: 0n, maxTime: 9n, raw: null, zoneMap: mergeZoneMaps(rowGroups.map((g) => g.zoneMap)),
      rowGroups, parquet: null, file: null, sizeBytes: 0, checksum: 0, layout: null,
    };
    expect(pruneBlock(block, TIME, [tp('>=', 4n), tp('<', 7n)])).toEqual({ rowGroups: [1, 2], knownRows: 0 });
    expect(pruneBlock(block, TIME, [tp('>=', 3n), tp('<', 7n)], true)).toEqual({ rowGroups: [2], knownRows: 3 });
    expect(pruneBlock(block, TIME, [tp('>=', 3n), tp('<', 9n)], true)).toEqual({ rowGroups: [], knownRows: 6 });
    expect(pruneBlock(block, TIME, [tp('==', 9n)])).toEqual({ rowGroups: [3], knownRows: 0 });
    expect(pruneBlock(block, TIME, [tp('!=', 9n)], true)).toEqual({ rowGroups: [], knownRows: 9 });
  });
});
