// btdb through a spawned process, and Arrow in/out through the API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { open, createPool } from 'backtracedb';

const BTDB = fileURLToPath(new URL('../node_modules/backtracedb/dist/cli/main.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'btdb-cli-'));
const pool = createPool(1);
afterAll(async () => { await pool.destroy(); rmSync(root, { recursive: true, force: true }); });

function btdb(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BTDB, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const CSV = [
  'ts,symbol,price,volume',
  '1,BTC,20001.5,10',
  '2,ETH,1500,3',
  '3,BTC,abc,4', // bad price
  '2,BTC,21000,7',
  '1,SOL,1,1', // time goes backwards
  '4,"A,B",22000.25,9007199254740993', // beyond 2^53
].join('\n');

describe('btdb', () => {
  const db = join(root, 'db');
  writeFileSync(join(root, 'trades.csv'), CSV);

  it('import: keeps good lines, reports bad ones with line numbers, exits 1', () => {
    const r = btdb('import', db, 'trades', join(root, 'trades.csv'), '--create', 'ts:int64,symbol:string,price:float64,volume:int64', '--time', 'ts');
    expect(r.err).toContain('line 4: column "price": "abc" is not a number');
    expect(r.err).toContain('line 6: column "ts": time goes backwards (1 after 2)');
    expect(r.out).toContain('imported 4 rows, skipped 2 bad lines');
    expect(r.code).toBe(1);
  });

  it('info: schema, rows, blocks, WAL', () => {
    const r = btdb('info', db);
    expect(r.code).toBe(0);
    expect(r.out).toContain('table trades');
    expect(r.out).toContain('ts:int64, symbol:string, price:float64, volume:int64');
    expect(r.out).toMatch(/rows:\s+4 /);
    expect(r.out).toMatch(/blocks:\s+1,/);
  });

  it('query: filters, select, limit and the three formats (int64 exact in json)', () => {
    const json = btdb('query', db, 'trades', '--format', 'json');
    expect(json.code).toBe(0);
    expect(json.out.trim().split('\n')).toEqual([
      '{"ts":1,"symbol":"BTC","price":20001.5,"volume":10}',
      '{"ts":2,"symbol":"ETH","price":1500,"volume":3}',
      '{"ts":2,"symbol":"BTC","price":21000,"volume":7}',
      '{"ts":4,"symbol":"A,B","price":22000.25,"volume":9007199254740993}',
    ]);
    const csv = btdb('query', db, 'trades', '--where', 'symbol != ETH', '--select', 'symbol,ts', '--format', 'csv', '--limit', '2');
    expect(csv.out).toBe('symbol,ts\nBTC,1\nBTC,2\n');
    const table = btdb('query', db, 'trades', '--where', 'price > 20000', '--where', 'symbol == "BTC"');
    expect(table.out).toContain('(2 rows)');
    expect(table.out.split('\n')[0]).toMatch(/^ts\s+symbol\s+price\s+volume$/);
  });

  it('query: errors in words and usage exit codes', () => {
    const bad = btdb('query', db, 'trades', '--where', 'nope > 1');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('table "trades" has no column "nope"');
    const missing = btdb('query', db, 'nothing');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('table "nothing": does not exist');
    expect(btdb('query', db, 'trades', '--format', 'xml').code).toBe(2);
    expect(btdb('frobnicate').code).toBe(2);
    expect(btdb('query', '--help').code).toBe(0);
  });

  it('export: parquet readable back, csv with quoting', async () => {
    const pq = join(root, 'big.parquet');
    const e1 = btdb('export', db, 'trades', pq, '--where', 'volume > 5');
    expect(e1.code).toBe(0);
    expect(e1.out).toContain('exported 3 rows');
    const csv = join(root, 'all.csv');
    expect(btdb('export', db, 'trades', csv).code).toBe(0);
    expect(readFileSync(csv, 'utf8')).toContain('4,"A,B",22000.25,9007199254740993');
    // Import the CSV export into another table: the same rows come back.
    expect(btdb('import', db, 'copy', csv, '--create', 'ts:int64,symbol:string,price:float64,volume:int64').code).toBe(0);
    expect(btdb('query', db, 'copy', '--format', 'json').out).toBe(btdb('query', db, 'trades', '--format', 'json').out);
  });

  it('verify: clean, then names a damaged block file and exits 1', () => {
    expect(btdb('verify', db).code).toBe(0);
    const dir = join(db, 'trades');
    const block = readdirSync(dir).find((f) => f.endsWith('.parquet')) as string;
    const bytes = readFileSync(join(dir, block));
    bytes[20] ^= 0xff;
    writeFileSync(join(dir, block), bytes);
    const r = btdb('verify', db);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`DAMAGED ${join(dir, block)}: checksum mismatch`);
  });
});

describe('Arrow in and out', () => {
  it('appendArrow takes what toArrow gives, and rejects wrong types and nulls unchanged', async () => {
    const dir = mkdtempSync(join(root, 'arrow-'));
    const db = await open(dir, { pool });
    const schema = { name: 't', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 's', type: 'string' }, { name: 'x', type: 'float64' }, { name: 'b', type: 'bool' }] } as const;
    const a = await db.createTable(schema, { maxBlockSize: 3 });
    a.appendBatch({ ts: [1n, 2n, 3n, 4n, 5n], s: ['a', 'b', 'a', 'ü', ''], x: [1, 2, 3, 4, 5], b: [true, false, true, false, true] });
    const table = await a.reader().toArrow();
    const b = await db.createTable({ ...schema, name: 'u' });
    expect(b.appendArrow(table)).toBe(5);
    expect(await b.reader().toArray()).toEqual(await a.reader().toArray());
    const ints = arrow.tableFromArrays({ ts: new Int32Array([9]), s: ['z'], x: new Float64Array([1]), b: [true] });
    expect(() => b.appendArrow(ints)).toThrow(/table "u", column "ts": expected an Arrow Int64 column/);
    const withNull = arrow.tableFromArrays({ ts: new BigInt64Array([9n]), s: [null], x: new Float64Array([1]), b: [true] });
    expect(() => b.appendArrow(withNull as arrow.Table)).toThrow(/column "s": 1 null values/);
    expect(b.rowCount).toBe(5);
    await db.close();
  });
});
