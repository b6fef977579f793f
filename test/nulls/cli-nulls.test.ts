// btdb and nulls: import reads an empty CSV field as null in a nullable column (and refuses it
// elsewhere, naming the line and column); query prints a null as an empty cell in table and
// CSV output and as null in JSON lines; export writes it as an empty field; info says nullable.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BTDB = fileURLToPath(new URL('../node_modules/backtracedb/dist/cli/main.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'btdb-cli-nulls-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function btdb(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BTDB, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const CSV = [
  'ts,symbol,bid,size',
  '1,BTC,20001.5,10',
  '2,,,3', // symbol and bid null
  '3,ETH,1500,', // size is not nullable: refused
  '4,BTC,,7',
].join('\n');

describe('btdb with nullable columns', () => {
  const db = join(root, 'db');
  writeFileSync(join(root, 'q.csv'), CSV);

  it('import: empty fields are nulls in nullable columns, refused in others', () => {
    const r = btdb('import', db, 'q', join(root, 'q.csv'), '--create', 'ts:int64,symbol:string:nullable,bid:float64:nullable,size:int64', '--time', 'ts');
    expect(r.err).toContain('line 4: column "size": empty field, and the column is not nullable');
    expect(r.out).toContain('imported 3 rows, skipped 1 bad line');
    expect(r.code).toBe(1);
  });

  it('info shows which columns are nullable', () => {
    const r = btdb('info', db);
    expect(r.out).toContain('ts:int64, symbol:string nullable, bid:float64 nullable, size:int64');
  });

  it('query prints nulls as empty cells (null in JSON); --where takes isNull / isNotNull', () => {
    expect(btdb('query', db, 'q', '--format', 'json').out.trim().split('\n')).toEqual([
      '{"ts":1,"symbol":"BTC","bid":20001.5,"size":10}',
      '{"ts":2,"symbol":null,"bid":null,"size":3}',
      '{"ts":4,"symbol":"BTC","bid":null,"size":7}',
    ]);
    expect(btdb('query', db, 'q', '--format', 'csv').out).toBe('ts,symbol,bid,size\n1,BTC,20001.5,10\n2,,,3\n4,BTC,,7\n');
    const table = btdb('query', db, 'q').out.split('\n');
    expect(table[3]).toMatch(/^2 +3$/);
    expect(btdb('query', db, 'q', '--where', 'bid isNull', '--format', 'csv').out).toBe('ts,symbol,bid,size\n2,,,3\n4,BTC,,7\n');
    expect(btdb('query', db, 'q', '--where', 'symbol isNotNull', '--where', 'bid isNull', '--format', 'csv').out).toBe('ts,symbol,bid,size\n4,BTC,,7\n');
    expect(btdb('query', db, 'q', '--agg', 'n=count:bid', '--agg', 'rows=count', '--by', 'symbol', '--format', 'json').out.trim().split('\n')).toEqual([
      '{"symbol":null,"n":0,"rows":1}',
      '{"symbol":"BTC","n":1,"rows":2}',
    ]);
  });

  it('export writes nulls as empty CSV fields, and a CSV export imports back the same', () => {
    expect(btdb('export', db, 'q', join(root, 'out.csv')).code).toBe(0);
    const text = readFileSync(join(root, 'out.csv'), 'utf8');
    expect(text).toBe('ts,symbol,bid,size\n1,BTC,20001.5,10\n2,,,3\n4,BTC,,7\n');
    expect(btdb('import', db, 'q2', join(root, 'out.csv'), '--create', 'ts:int64,symbol:string:nullable,bid:float64:nullable,size:int64').code).toBe(0);
    expect(btdb('query', db, 'q2', '--format', 'csv').out).toBe(text);
    expect(btdb('export', db, 'q', join(root, 'out.parquet')).code).toBe(0);
  });

  it('import: a nullable column the file lacks is all null; a required one is still refused', () => {
    writeFileSync(join(root, 'no-bid.csv'), 'ts,symbol,size\n10,SOL,1\n');
    expect(btdb('import', db, 'q', join(root, 'no-bid.csv')).code).toBe(0);
    expect(btdb('query', db, 'q', '--where', 'ts == 10', '--format', 'json').out.trim()).toBe('{"ts":10,"symbol":"SOL","bid":null,"size":1}');
    writeFileSync(join(root, 'no-size.csv'), 'ts,symbol,bid\n11,SOL,1\n');
    const r = btdb('import', db, 'q', join(root, 'no-size.csv'));
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('the header lacks column "size" of table "q"');
  });
});
