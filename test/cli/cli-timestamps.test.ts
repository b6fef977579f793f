// btdb on tables with a timeUnit: ISO-8601 times printed (query in every format, --agg buckets,
// --latest, CSV export), taken in --where, --every/--origin and CSV import; `info` names the unit
// and nullable columns. Tables without a timeUnit print integers as before.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from 'backtracedb';

const BTDB = fileURLToPath(new URL('../node_modules/backtracedb/dist/cli/main.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'btdb-cli-ts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function btdb(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BTDB, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const T0 = 1_704_067_200_000n; // 2024-01-01T00:00:00.000Z in ms
const db = join(root, 'db');

beforeAll(async () => {
  const d = await open(db, { poolSize: 1 });
  const q = await d.createTable({
    name: 'quotes', timeColumn: 'ts', timeUnit: 'ms',
    columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'px', type: 'float64', nullable: true }],
  }, { enableWal: true, useDiskStorage: true, maxBlockSize: 3 });
  q.appendBatch({ ts: [-1n, T0, T0 + 30_000n, T0 + 61_500n, T0 + 125_000n], sym: ['A', 'B', 'A', 'B', 'A'], px: [1, 2, 3, 4, 5] });
  const s = await d.createTable({ name: 'secs', timeColumn: 'ts', timeUnit: 's', columns: [{ name: 'ts', type: 'int64' }] }, { enableWal: true, useDiskStorage: true });
  s.appendBatch({ ts: [-86_400n, 1_704_067_200n] });
  const p = await d.createTable({ name: 'plain', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }] }, { enableWal: true, useDiskStorage: true });
  p.appendBatch({ ts: [5n, 7n] });
  await d.close();
});

describe('btdb with timeUnit', () => {
  it('info shows the timeUnit, nullable columns and the time range as ISO', () => {
    const r = btdb('info', db);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ts:int64, sym:string, px:float64 nullable (time column ts, timeUnit ms)');
    expect(r.out).toContain('1969-12-31T23:59:59.999Z (-1) .. 2024-01-01T00:02:05.000Z');
    expect(r.out).toContain('ts:int64 (time column ts, timeUnit s)');
    expect(r.out).toContain('ts:int64 (time column ts)\n');
  });

  it('query prints ISO times at the unit precision, in every format; --where takes ISO times', () => {
    const table = btdb('query', db, 'quotes', '--where', 'ts >= 2024-01-01T00:00:30Z', '--where', 'ts < 2024-01-01T00:02:00Z');
    expect(table.code).toBe(0);
    expect(table.out).toBe(['ts                        sym  px', '------------------------  ---  --', '2024-01-01T00:00:30.000Z  A    3', '2024-01-01T00:01:01.500Z  B    4', '(2 rows)', ''].join('\n'));
    expect(btdb('query', db, 'quotes', '--where', `ts >= ${T0 + 30_000n}`, '--where', 'ts < 2024-01-01T00:02:00Z', '--format', 'csv').out)
      .toBe('ts,sym,px\n2024-01-01T00:00:30.000Z,A,3\n2024-01-01T00:01:01.500Z,B,4\n');
    expect(btdb('query', db, 'quotes', '--limit', '1', '--format', 'json').out).toBe('{"ts":"1969-12-31T23:59:59.999Z","sym":"A","px":1}\n');
    expect(btdb('query', db, 'secs', '--format', 'csv').out).toBe('ts\n1969-12-31T00:00:00Z\n2024-01-01T00:00:00Z\n');
    expect(btdb('query', db, 'plain', '--format', 'csv').out).toBe('ts\n5\n7\n');
  });

  it('--agg buckets with --every as a duration and --origin as ISO; --latest', () => {
    const r = btdb('query', db, 'quotes', '--where', 'ts >= 2024-01-01', '--agg', 'n=count', '--every', '1m', '--origin', '2024-01-01T00:00:00Z', '--format', 'csv');
    expect(r.err).toBe('');
    expect(r.out).toBe('ts,n\n2024-01-01T00:00:00.000Z,2\n2024-01-01T00:01:00.000Z,1\n2024-01-01T00:02:00.000Z,1\n');
    expect(btdb('query', db, 'quotes', '--agg', 'n=count', '--every', '60000', '--where', 'ts >= 0', '--format', 'csv').out).toBe(r.out);
    expect(btdb('query', db, 'quotes', '--latest', 'sym', '--format', 'csv').out).toBe('ts,sym,px\n2024-01-01T00:02:05.000Z,A,5\n2024-01-01T00:01:01.500Z,B,4\n');
  });

  it('refuses bad times with exit 2, naming the problem', () => {
    const bad = btdb('query', db, 'quotes', '--where', 'ts >= yesterday');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--where "ts >= yesterday": "yesterday" is neither an integer nor an ISO-8601 time');
    const every = btdb('query', db, 'quotes', '--agg', 'n=count', '--every', '1ns');
    expect(every.code).toBe(2);
    expect(every.err).toMatch(/table "quotes", column "ts": aggregate every: duration "1ns" is finer than the table's time unit 'ms'/);
    const plain = btdb('query', db, 'plain', '--where', 'ts >= 2024-01-01');
    expect(plain.code).toBe(2);
    expect(plain.err).toContain('"2024-01-01" is not an integer');
    expect(btdb('query', db, 'plain', '--agg', 'n=count', '--every', '1m').err).toContain('--every must be an integer in time-column units, not "1m"');
  });

  it('export CSV prints ISO times; import takes ISO times (and integers) into a table with --time-unit', () => {
    const out = join(root, 'q.csv');
    expect(btdb('export', db, 'quotes', out, '--where', 'ts > 2024-01-01T00:00:00Z').code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('ts,sym,px\n2024-01-01T00:00:30.000Z,A,3\n2024-01-01T00:01:01.500Z,B,4\n2024-01-01T00:02:05.000Z,A,5\n');
    writeFileSync(join(root, 'in.csv'), 'ts,v\n2024-01-01T00:00:00Z,1\n1704067200000001,2\n2024-01-01 00:00:00.5+00:00,3\nnoon,4\n2024-01-01T00:00:01.0000000001Z,5\n');
    const r = btdb('import', join(root, 'db2'), 'us', join(root, 'in.csv'), '--create', 'ts:int64,v:int64', '--time-unit', 'us');
    expect(r.err).toContain('line 5: column "ts": "noon" is neither an integer nor an ISO-8601 time');
    expect(r.err).toContain('line 6: column "ts": "2024-01-01T00:00:01.0000000001Z" is neither an integer nor an ISO-8601 time in \'us\' (');
    expect(r.out).toContain('imported 3 rows, skipped 2 bad lines');
    expect(btdb('query', join(root, 'db2'), 'us', '--format', 'csv').out)
      .toBe('ts,v\n2024-01-01T00:00:00.000000Z,1\n2024-01-01T00:00:00.000001Z,2\n2024-01-01T00:00:00.500000Z,3\n');
    expect(btdb('info', join(root, 'db2')).out).toContain('(time column ts, timeUnit us)');
    const unknown = btdb('import', join(root, 'db3'), 'x', join(root, 'in.csv'), '--create', 'ts:int64,v:int64', '--time-unit', 'min');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown timeUnit "min"');
  });
});
