// btdb against bad inputs: bad values and lines are skipped by line number without losing the
// good ones, inputs are checked before anything is created, mistyped paths create nothing,
// exports leave no temp file and write empty results too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeStorage, type ColumnDef, type ScanResult, type Storage } from '@backtracedb/engine';
import { readParquetColumns } from '@backtracedb/workers';
import { decodeParquet } from '@backtracedb/workers/arrow';
import { writeCsvFile, writeParquetFile } from '../../packages/api/dist/export.js';

const BTDB = fileURLToPath(new URL('../node_modules/backtracedb/dist/cli/main.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'btdb-inputs-'));
afterAll(() => { rmSync(root, { recursive: true, force: true }); });

function btdb(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BTDB, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const SPEC = 'ts:int64,symbol:string,price:float64,volume:int64';
const HEADER = 'ts,symbol,price,volume';
function file(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

describe('btdb import: bad lines', () => {
  it('an int64 overflow skips its line (named by its line in the file); the other 59,999 lines land', () => {
    const lines = [HEADER];
    for (let i = 0; i < 60_000; i++) lines.push(`${i},S${i % 7},${i}.5,${i === 30_000 ? '9223372036854775808' : i === 1 ? '-9223372036854775808' : i}`);
    const db = join(root, 'overflow');
    const r = btdb('import', db, 't', file('overflow.csv', lines.join('\n')), '--create', SPEC);
    expect(r.err).toContain('line 30002: column "volume": "9223372036854775808" is outside the int64 range');
    expect(r.out).toContain('imported 59,999 rows, skipped 1 bad line');
    expect(r.code).toBe(1);
    const q = btdb('query', db, 't', '--where', 'ts < 3', '--format', 'csv');
    expect(q.out).toBe('ts,symbol,price,volume\n0,S0,0.5,0\n1,S1,1.5,-9223372036854775808\n2,S2,2.5,2\n');
  });

  it('a UTF-8 byte-order mark before the header is not part of the first column name', () => {
    const r = btdb('import', join(root, 'bom'), 't', file('bom.csv', `\uFEFF${HEADER}\n1,BTC,1.5,2\n2,ETH,3,4\n`), '--create', SPEC);
    expect(r.err).toBe('');
    expect(r.out).toContain('imported 2 rows, skipped 0 bad lines');
    expect(r.code).toBe(0);
  });

  it('line numbers are lines of the file (CRLF, blank lines, quoted line breaks); more or fewer fields than the header are reported', () => {
    const text = [HEADER, '1,BTC,1,1', '', '2,"two\r\nlines",2,2', '3,BTC,x,3', '4,BTC,4,4,extra', '5,BTC,5', '6,BTC,6,6', ''].join('\r\n');
    const db = join(root, 'crlf');
    const r = btdb('import', db, 't', file('crlf.csv', text), '--create', SPEC);
    expect(r.err.trim().split('\n')).toEqual([
      'line 6: column "price": "x" is not a number',
      'line 7: 5 fields, the header has 4',
      'line 8: 3 fields, the header has 4',
    ]);
    expect(r.out).toContain('imported 3 rows, skipped 3 bad lines');
    expect(btdb('query', db, 't', '--format', 'json').out).toBe('{"ts":1,"symbol":"BTC","price":1,"volume":1}\n{"ts":2,"symbol":"two\\r\\nlines","price":2,"volume":2}\n{"ts":6,"symbol":"BTC","price":6,"volume":6}\n');
  });

  it('a malformed quote stops the file at its line; the good lines before it are kept', () => {
    const db = join(root, 'quote');
    const r = btdb('import', db, 't', file('quote.csv', `${HEADER}\n1,A,1,1\n2,B,x,2\n3,C,3,3\n4,"D"x,4,4\n5,E,5,5\n`), '--create', SPEC);
    expect(r.code).toBe(1);
    expect(r.err).toContain('line 3: column "price": "x" is not a number');
    expect(r.err).toMatch(/quote\.csv: line 5: Invalid Closing Quote.*; the import stopped there \(2 rows before it were imported, 1 bad lines skipped\)/);
    expect(btdb('query', db, 't', '--format', 'csv').out).toBe(`${HEADER}\n1,A,1,1\n3,C,3,3\n`);
  });
});

describe('btdb import: inputs checked before anything is created', () => {
  it('a header naming a column the table lacks is a usage error; nothing is created or imported', () => {
    const csv = file('extra-col.csv', `${HEADER},fee\n1,BTC,1,1,0.1\n`);
    const fresh = join(root, 'never');
    const r = btdb('import', fresh, 't', csv, '--create', SPEC);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the header names column "fee", which table "t" does not have (its columns: ts, symbol, price, volume)');
    expect(existsSync(fresh)).toBe(false);
    // An existing table: refused before any row.
    const db = join(root, 'existing');
    expect(btdb('import', db, 't', file('one.csv', `${HEADER}\n1,BTC,1,1\n`), '--create', SPEC).code).toBe(0);
    const again = btdb('import', db, 't', csv);
    expect(again.code).toBe(2);
    expect(again.err).toContain('"fee"');
    expect(btdb('query', db, 't', '--format', 'csv').out).toBe(`${HEADER}\n1,BTC,1,1\n`);
  });

  it('--create with a missing or unreadable file creates neither the database nor the table', () => {
    const db = join(root, 'not-created');
    const missing = btdb('import', db, 't', join(root, 'no-such.csv'), '--create', SPEC);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`cannot read ${join(root, 'no-such.csv')}: no such file`);
    mkdirSync(join(root, 'a-dir.csv'));
    const dir = btdb('import', db, 't', join(root, 'a-dir.csv'), '--create', SPEC);
    expect(dir.code).toBe(1);
    expect(dir.err).toContain('a-dir.csv: not a regular file');
    expect(existsSync(db)).toBe(false);
  });
});

describe('btdb on a database path that does not exist', () => {
  it('query, info, export, verify and import say so, exit 1 and create nothing', () => {
    const db = join(root, 'typo');
    for (const args of [['query', db, 't'], ['info', db], ['export', db, 't', join(root, 'typo.csv')], ['verify', db], ['import', db, 't', file('i.csv', `${HEADER}\n1,A,1,1\n`)]]) {
      const r = btdb(...args);
      expect(r.code, args[0]).toBe(1);
      expect(r.err, args[0]).toContain(`database ${db} does not exist`);
      expect(existsSync(db), args[0]).toBe(false);
    }
    expect(existsSync(join(root, 'typo.csv'))).toBe(false);
  });
});

describe('btdb export', () => {
  const db = join(root, 'exp');
  it('to a directory: refused, and no temp file is left', () => {
    expect(btdb('import', db, 't', file('exp.csv', `${HEADER}\n1,A,1,1\n2,B,2,2\n`), '--create', SPEC).code).toBe(0);
    for (const name of ['x.csv', 'x.parquet']) {
      mkdirSync(join(root, name));
      const r = btdb('export', db, 't', join(root, name));
      expect(existsSync(join(root, `${name}.tmp`))).toBe(false);
      expect(r.code).toBe(2);
      expect(r.err).toContain('is a directory');
      expect(readdirSync(join(root, name))).toEqual([]);
    }
  });

  it('no matching rows: a Parquet file with the schema and 0 rows, and a CSV file with the header', () => {
    const pq = join(root, 'none.parquet');
    const r = btdb('export', db, 't', pq, '--where', 'ts > 100');
    expect(r.err).toBe('');
    expect(r.out).toContain('exported 0 rows');
    expect(r.code).toBe(0);
    const bytes = new Uint8Array(readFileSync(pq));
    const names = ['ts', 'symbol', 'price', 'volume'];
    const types = ['int64', 'string', 'float64', 'int64'] as const;
    const wasm = decodeParquet(bytes, names, types, null);
    expect(wasm.rowCount).toBe(0);
    expect(wasm.views.map((v) => v.type)).toEqual(types);
    expect(readParquetColumns(bytes, names, types, null).rowCount).toBe(0);
    const csv = join(root, 'none.csv');
    expect(btdb('export', db, 't', csv, '--where', 'ts > 100').code).toBe(0);
    expect(readFileSync(csv, 'utf8')).toBe(`${HEADER}\n`);
  });
});

describe('export files through the atomic-file helper', () => {
  const defs: ColumnDef[] = [{ name: 'ts', type: 'int64' }, { name: 'x', type: 'float64' }];
  const result: ScanResult = { rowCount: 2, columns: [{ type: 'int64', values: new BigInt64Array([1n, 2n]) }, { type: 'float64', values: new Float64Array([0.5, 1.5]) }] };
  async function* results(): AsyncGenerator<ScanResult> { yield result; }
  function spy(failRename: boolean): { storage: Storage; calls: string[] } {
    const calls: string[] = [];
    const storage: Storage = {
      ...nodeStorage,
      rename: async (from, to) => { calls.push(`rename ${to}`); if (failRename) throw new Error('rename failed (injected)'); await nodeStorage.rename(from, to); },
      syncDir: async (dir) => { calls.push(`syncDir ${dir}`); await nodeStorage.syncDir(dir); },
    };
    return { storage, calls };
  }

  it('the directory is fsynced after the rename; a failed write leaves no temp file', async () => {
    const dir = mkdtempSync(join(root, 'atomic-'));
    for (const [name, write] of [
      ['a.parquet', (p: string, s: Storage) => writeParquetFile(p, 't', defs, [result], s)],
      ['a.csv', (p: string, s: Storage) => writeCsvFile(p, defs, results(), s)],
    ] as const) {
      const path = join(dir, name);
      const ok = spy(false);
      expect(await write(path, ok.storage)).toBe(2);
      expect(ok.calls).toEqual([`rename ${path}`, `syncDir ${dirname(path)}`]);
      const bad = spy(true);
      await expect(write(join(dir, `b-${name}`), bad.storage)).rejects.toThrow(/rename failed/);
    }
    expect(readdirSync(dir).sort()).toEqual(['a.csv', 'a.parquet']);
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe('ts,x\n1,0.5\n2,1.5\n');
  });
});
