// The read planner (query/read-plan.ts): every source × row-group pruning × partial and
// whole matches, and the rule that a source scanned whole never gets known rows.
import { describe, expect, it } from 'vitest';
import { computeZoneMap, mergeZoneMaps } from '../src/block/zone-map.js';
import { newActiveBlock } from '../src/block/active-block.js';
import type { BlockLayout, RowGroupZone, SealedBlock } from '../src/block/sealed-block.js';
import { compilePredicate } from '../src/query/predicate.js';
import { planBlockRead, type DecodedBlockLookup } from '../src/query/read-plan.js';
import type { ColumnView } from '../src/column/column-view.js';
import type { ScanRequest } from '../src/query/scan.js';
import { resolveSchema } from '../src/schema/schema.js';

const schema = resolveSchema({
  name: 'plan', timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'x', type: 'float64' }, { name: 's', type: 'string' }],
});

/** 8 rows in 4 row groups of 2: ts 0..7, x = [1,1, 5,6, 7,8, 1,9], s all 'a'. */
const TS = BigInt64Array.from([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
const X = Float64Array.from([1, 1, 5, 6, 7, 8, 1, 9]);
const views: ColumnView[] = [
  { type: 'int64', values: TS },
  { type: 'float64', values: X },
  { type: 'string', values: new Int32Array(8), dictionary: ['a'] },
];
const groups: RowGroupZone[] = [0, 2, 4, 6].map((first) => ({ firstRow: first, zoneMap: computeZoneMap(views, first, first + 2) }));
const layout: BlockLayout = { rowGroups: groups.map(() => ({ rowCount: 2, chunks: [[0, 1, 0], [1, 2, 0], [2, 3, 0]] })) };

type Form = 'shared' | 'cache' | 'parquet-bytes' | 'file-chunks' | 'file-whole';

function block(form: Form): SealedBlock {
  const encoded = { zoneMap: mergeZoneMaps(groups.map((g) => g.zoneMap)), rowGroups: groups };
  const base = { id: 0, firstRowSeq: 0, rowCount: 8, minTime: 0n, maxTime: 7n, raw: null, zoneMap: null, rowGroups: null, parquet: null, file: null, sizeBytes: 100, checksum: 42, layout: null };
  switch (form) {
    case 'shared': {
      const raw = newActiveBlock(schema, 0, 8);
      return { ...base, raw };
    }
    case 'cache': return { ...base, ...encoded, file: 'b.parquet', layout };
    case 'parquet-bytes': return { ...base, ...encoded, parquet: new Uint8Array(100), layout };
    case 'file-chunks': return { ...base, ...encoded, file: 'b.parquet', layout };
    case 'file-whole': return { ...base, ...encoded, file: 'b.parquet' };
  }
}

function lookup(form: Form, enabled = true): DecodedBlockLookup {
  return { enabled, get: () => (form === 'cache' ? { views, rowCount: 8 } : undefined), admit: () => enabled };
}

function req(filters: Array<[string, '==' | '!=' | '>' | '>=' | '<' | '<=', number | bigint | string]>, countOnly: boolean): ScanRequest {
  return { predicates: filters.map(([c, op, v]) => compilePredicate(schema, c, op, v)), projection: [0, 1, 2], countOnly, timeColumn: 0 };
}

const FORMS: Form[] = ['shared', 'cache', 'parquet-bytes', 'file-chunks', 'file-whole'];

describe('planBlockRead', () => {
  it('skips a block whose time range or zone map cannot match, for every source', () => {
    for (const form of FORMS) {
      expect(planBlockRead(block(form), req([['ts', '>', 7n]], false), lookup(form), 3).kind, form).toBe('skip');
      if (form !== 'shared') expect(planBlockRead(block(form), req([['x', '>', 9]], true), lookup(form), 3).kind, form).toBe('skip');
    }
  });

  it('counts a block from its zone map when every row matches (encoded forms only)', () => {
    for (const form of FORMS) {
      const plan = planBlockRead(block(form), req([['x', '>=', 1]], true), lookup(form), 3);
      if (form === 'shared') expect(plan.kind).toBe('scan');
      else expect(plan, form).toEqual({ kind: 'known', rows: 8 });
    }
  });

  it('the smallest case of issue 8: sources that decode row groups get known rows, sources scanned whole get none', () => {
    // ts >= 1 and x >= 1: group 0 (ts 0..1) partly, groups 1..3 wholly.
    const r = req([['ts', '>=', 1n], ['x', '>=', 1]], true);
    for (const form of FORMS) {
      const plan = planBlockRead(block(form), r, lookup(form), 3);
      if (plan.kind !== 'scan') throw new Error(`${form}: expected a scan, got ${plan.kind}`);
      expect(plan.source.kind, form).toBe(form === 'shared' || form === 'cache' ? 'views' : form);
      if (plan.source.kind === 'views') {
        expect(plan.rowGroups, form).toBeNull();
        expect(plan.knownRows, form).toBe(0);
        expect(plan.expectedRows, form).toBe(8);
      } else {
        expect(plan.rowGroups, form).toEqual([0]);
        expect(plan.knownRows, form).toBe(6);
        expect(plan.expectedRows, form).toBe(2);
        expect(plan.fillCache, form).toBe(false);
      }
    }
  });

  it('prunes row groups for rows without known rows, and fills the cache only from whole-block reads', () => {
    const partial = req([['x', '>', 6]], false); // groups 2 and 3 may match
    for (const form of ['parquet-bytes', 'file-chunks', 'file-whole'] as const) {
      const p = planBlockRead(block(form), partial, lookup(form), 3);
      if (p.kind !== 'scan') throw new Error('expected a scan');
      expect(p.rowGroups).toEqual([2, 3]);
      expect(p.knownRows).toBe(0);
      expect(p.fillCache).toBe(false);
      expect(p.columns).toEqual([0, 1, 2]);
      const whole = planBlockRead(block(form), req([['s', '==', 'a']], false), lookup(form), 3);
      if (whole.kind !== 'scan') throw new Error('expected a scan');
      expect(whole.rowGroups).toBeNull();
      expect(whole.fillCache).toBe(true);
      const off = planBlockRead(block(form), req([['s', '==', 'a']], false), lookup(form, false), 3);
      if (off.kind !== 'scan') throw new Error('expected a scan');
      expect(off.fillCache).toBe(false);
    }
  });

  it('asks only the needed columns when not filling the cache', () => {
    const r: ScanRequest = { ...req([['x', '>', 6]], true) };
    const p = planBlockRead(block('file-chunks'), r, lookup('file-chunks', false), 3);
    if (p.kind !== 'scan') throw new Error('expected a scan');
    expect(p.columns).toEqual([1]);
  });

  it('a count whose matching groups are all proven needs no read', () => {
    const p = planBlockRead(block('file-chunks'), req([['x', '>=', 5], ['ts', '>=', 2n], ['ts', '<', 6n]], true), lookup('file-chunks'), 3);
    expect(p).toEqual({ kind: 'known', rows: 4 });
  });
});
