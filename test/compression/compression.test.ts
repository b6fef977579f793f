// Compressed block files end to end: for each codec, memory and disk storage, a table of several
// blocks with row groups smaller than blocks gives every query form the same answer as the
// uncompressed table, before and after reopen; a table whose compression changes mid-way holds
// blocks of mixed codecs that read fine; a damaged compressed block is an error naming its file.
// Size knob: BTDB_COMPRESSION_ROWS (default 6000 rows).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, type Database } from 'backtracedb';
import { readFooter } from '@backtracedb/workers';
import { seededRandom } from 'backtracedb/sample-data';

const ROWS = Number(process.env.BTDB_COMPRESSION_ROWS ?? 6000);
const BLOCK = Math.ceil(ROWS / 6);
const GROUP = Math.ceil(BLOCK / 4);
const SYMS = ['AAPL', 'MSFT', 'ü-日本', 'BTC', '', 'ETH'];

const schemaOf = (name: string) => ({
  name, timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'price', type: 'float64' }, { name: 'vol', type: 'int64' }, { name: 'ok', type: 'bool' }],
} as const);

type Batch = { ts: bigint[]; sym: string[]; price: number[]; vol: bigint[]; ok: boolean[] };

function batch(from: number, n: number): Batch {
  const next = seededRandom(from + 1);
  const b: Batch = { ts: [], sym: [], price: [], vol: [], ok: [] };
  for (let i = from; i < from + n; i++) {
    b.ts.push(1_700_000_000_000n + BigInt(i * 3));
    b.sym.push(SYMS[Math.floor(next() * SYMS.length)]);
    b.price.push(Math.round((100 + next() * 50) * 100) / 100);
    b.vol.push(BigInt(Math.floor(next() * 10_000)) - 100n);
    b.ok.push(next() < 0.3);
  }
  return b;
}

type Table = Awaited<ReturnType<Database['openTable']>>;
const mid = 1_700_000_000_000n + BigInt(Math.floor(ROWS * 1.3));

/** Every query form, as plain values to compare across tables. */
async function answers(t: Table): Promise<unknown[]> {
  const arrow = await t.reader().filter('price', '>', 120).select(['ts', 'sym', 'ok']).toArrow();
  return [
    await t.reader().count(),
    await t.reader().filter('sym', '==', 'BTC').count(),
    await t.reader().filter('ts', '>=', mid).filter('ok', '==', true).count(),
    await t.reader().toArray(),
    await t.reader().filter('sym', '==', 'ü-日本').select(['ts', 'price']).toArray(),
    await t.reader().filter('vol', '<', 500n).filter('ts', '<', mid).select(['vol', 'sym']).toArray(),
    arrow.toArray().map((r) => r.toJSON()),
    await t.reader().aggregate({ by: 'sym', values: { n: ['count'], v: ['sum', 'vol'], hi: ['max', 'price'], first: ['first', 'price'] } }).toArray(),
    await t.reader().filter('sym', '!=', 'AAPL').aggregate({ every: 997n, values: { avg: ['avg', 'price'], last: ['last', 'vol'] } }).toArray(),
  ];
}

const CODECS = ['none', 'snappy', 'zstd'] as const;

/** Codec of each block file of a table, in block order (from the files' own footers). */
function codecsOnDisk(dir: string, table: string): number[] {
  const files = readdirSync(join(dir, table)).filter((f) => f.endsWith('.parquet')).sort();
  return files.map((f) => {
    const codecs = new Set(readFooter(readFileSync(join(dir, table, f))).rowGroups.flatMap((rg) => [...rg.chunks.values()].map((c) => c.codec)));
    expect(codecs.size).toBe(1);
    return [...codecs][0];
  });
}

for (const useDiskStorage of [false, true]) {
  describe(`${useDiskStorage ? 'disk' : 'memory'} storage`, () => {
    let dir: string;
    let db: Database;
    let expected: unknown[];
    /** Open tables of `db` by name (a table is opened once per open database). */
    let tables = new Map<string, Table>();
    const table = async (name: string): Promise<Table> => {
      let t = tables.get(name);
      if (t === undefined) { t = await db.openTable(name); tables.set(name, t); }
      return t;
    };
    const reopen = async (): Promise<void> => {
      await db.close();
      db = await open(dir, { poolSize: 2, cacheBytes: 0 });
      tables = new Map();
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'btdb-compress-'));
      db = await open(dir, { poolSize: 2, cacheBytes: 0 });
      for (const c of [...CODECS, 'mixed'] as const) {
        const t = await db.createTable(schemaOf(c), { useDiskStorage, maxBlockSize: BLOCK, rowGroupRows: GROUP, compression: c === 'mixed' ? 'none' : c });
        tables.set(c, t);
        for (let from = 0; from < ROWS; from += BLOCK) {
          // Mixed: two blocks of each codec; the setting applies to blocks sealed from then on.
          if (c === 'mixed') t.compression = (['none', 'snappy', 'zstd'] as const)[Math.min(2, Math.floor(from / BLOCK / 2))];
          t.appendBatch(batch(from, Math.min(BLOCK, ROWS - from)));
        }
        await t.sync();
      }
      expected = await answers(await table('none'));
    });
    afterAll(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the uncompressed table answers as its rows say', async () => {
      expect(expected[0]).toBe(ROWS);
      const rows = expected[3] as Array<{ sym: string }>;
      expect(rows.length).toBe(ROWS);
      expect(expected[1]).toBe(rows.filter((r) => r.sym === 'BTC').length);
    });

    for (const c of ['snappy', 'zstd', 'mixed'] as const) {
      it(`${c}: every query form equals the uncompressed table's, before and after reopen`, async () => {
        expect(await answers(await table(c))).toEqual(expected);
        await reopen();
        const t = await table(c);
        expect(t.compression).toBe(c === 'mixed' ? 'zstd' : c);
        expect(await answers(await table('none'))).toEqual(expected);
        expect(await answers(t)).toEqual(expected);
      });
    }

    it('block files carry their codec: none, snappy, zstd as chosen; mixed holds all three in order', async () => {
      await reopen(); // memory storage writes its blocks at close
      expect(codecsOnDisk(dir, 'none').every((c) => c === 0)).toBe(true);
      expect(codecsOnDisk(dir, 'snappy').every((c) => c === 1)).toBe(true);
      expect(codecsOnDisk(dir, 'zstd').every((c) => c === 6)).toBe(true);
      expect(codecsOnDisk(dir, 'mixed')).toEqual([0, 0, 1, 1, 6, 6]);
      const size = (t: string) => readdirSync(join(dir, t)).filter((f) => f.endsWith('.parquet')).reduce((n, f) => n + readFileSync(join(dir, t, f)).byteLength, 0);
      expect(size('snappy')).toBeLessThan(size('none'));
      expect(size('zstd')).toBeLessThan(size('snappy'));
    });
  });
}

it('no threads (poolSize 0): zstd blocks are encoded and read on the calling thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-compress-inline-'));
  try {
    let db = await open(dir, { poolSize: 0 });
    const t = await db.createTable(schemaOf('z0'), { useDiskStorage: true, maxBlockSize: BLOCK, rowGroupRows: GROUP, compression: 'zstd' });
    const want = batch(0, 3 * BLOCK);
    t.appendBatch(want);
    await t.sync();
    expect(await t.reader().filter('sym', '==', 'BTC').count()).toBe(want.sym.filter((s) => s === 'BTC').length);
    await db.close();
    expect(codecsOnDisk(dir, 'z0')).toEqual([6, 6, 6]);
    db = await open(dir, { poolSize: 0, cacheBytes: 0 });
    const rows = await (await db.openTable('z0')).reader().select(['ts', 'price']).toArray();
    expect(rows).toEqual(want.ts.map((ts, i) => ({ ts, price: want.price[i] })));
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("timeUnit tables (timestamps converted for the file) read the same compressed or not", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-compress-unit-'));
  try {
    let db = await open(dir, { poolSize: 1 });
    const want = batch(0, 2 * BLOCK);
    for (const c of CODECS) {
      const t = await db.createTable({ ...schemaOf(`u_${c}`), timeUnit: 's' }, { useDiskStorage: true, maxBlockSize: BLOCK, rowGroupRows: GROUP, compression: c });
      t.appendBatch(want);
    }
    await db.close();
    db = await open(dir, { poolSize: 1, cacheBytes: 0 });
    const got = await Promise.all(CODECS.map(async (c) => (await db.openTable(`u_${c}`)).reader().filter('ts', '>=', 1_700_000_000_000n + BigInt(BLOCK)).select(['ts', 'sym']).toArray()));
    expect(got[0].length).toBeGreaterThan(0);
    expect(got[1]).toEqual(got[0]);
    expect(got[2]).toEqual(got[0]);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('damage and interop', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'btdb-compress-dmg-'));
    const db = await open(dir, { poolSize: 1 });
    for (const c of CODECS) {
      const t = await db.createTable(schemaOf(c), { useDiskStorage: true, maxBlockSize: BLOCK, rowGroupRows: GROUP, compression: c });
      for (let from = 0; from < ROWS; from += BLOCK) t.appendBatch(batch(from, Math.min(BLOCK, ROWS - from)));
    }
    await db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('DuckDB reads the snappy and zstd block files with the same rows as the uncompressed ones', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    const read = async (t: string, what: string) => {
      const files = readdirSync(join(dir, t)).filter((f) => f.endsWith('.parquet')).map((f) => `'${join(dir, t, f)}'`).join(', ');
      return (await conn.runAndReadAll(what.replace('FILES', `read_parquet([${files}])`).replace('META', `parquet_metadata([${files}])`))).getRows();
    };
    try {
      const want = await read('none', 'SELECT ts, sym, price, vol, ok FROM FILES ORDER BY ts');
      expect(want.length).toBe(ROWS);
      for (const c of ['snappy', 'zstd']) {
        expect(await read(c, 'SELECT ts, sym, price, vol, ok FROM FILES ORDER BY ts')).toEqual(want);
        expect(await read(c, 'SELECT DISTINCT compression FROM META')).toEqual([[c.toUpperCase()]]);
        // Both sizes as the spec defines them: the pages before compression, and as stored.
        const [[raw, stored]] = await read(c, 'SELECT sum(total_uncompressed_size), sum(total_compressed_size) FROM META');
        expect(Number(raw)).toBeGreaterThan(Number(stored));
      }
    } finally {
      conn.closeSync();
      duck.closeSync();
    }
  });

  for (const c of ['snappy', 'zstd'] as const) {
    it(`${c}: a damaged compressed page is an error naming the block file, never other rows`, async () => {
      const tdir = join(dir, c);
      const file = readdirSync(tdir).filter((f) => f.endsWith('.parquet')).sort()[1];
      const bytes = readFileSync(join(tdir, file));
      const chunk = readFooter(bytes).rowGroups[1].chunks.get('price')!;
      const damaged = Buffer.from(bytes);
      damaged[(chunk.start + chunk.end) >> 1] ^= 0x20;
      writeFileSync(join(tdir, file), damaged);
      const db = await open(dir, { poolSize: 1, cacheBytes: 0 });
      try {
        const t = await db.openTable(c);
        await expect(t.reader().filter('price', '>', 120).count()).rejects.toThrow(new RegExp(`block ${join(tdir, file)} is damaged`));
        await expect(t.reader().toArray()).rejects.toThrow(file);
      } finally {
        await db.close();
        writeFileSync(join(tdir, file), bytes);
      }
    });
  }
});
