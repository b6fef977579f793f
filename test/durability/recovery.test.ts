// Reopening tables: the seed's recovery scenario, big reopen, damaged files, faults, errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, unlinkSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FaultyStorage } from '@backtracedb/engine';
import { open, createPool, type Database } from 'backtracedb';
import { tradesSchema } from 'backtracedb/sample-data';

const schema = tradesSchema;
const SYMS = ['BTC', 'ETH', 'AAPL', 'MSFT'];

function cols(from: number, n: number) {
  const ts = new BigInt64Array(n);
  const volume = new BigInt64Array(n);
  const price = new Float64Array(n);
  const symbol: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = from + i;
    ts[i] = BigInt(1_673_628_000 + k);
    symbol.push(SYMS[k % 4]);
    price[i] = 15_000 + ((k * 7919) % 12_000);
    volume[i] = BigInt(k % 13);
  }
  return { ts, symbol, price, volume };
}

const pool = createPool(2);
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'btdb-rec-'));
  dirs.push(d);
  return d;
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
afterAll(() => pool.destroy());

const seedQuery = (t: Awaited<ReturnType<Database['openTable']>>) => t.reader()
  .filter('symbol', '==', 'BTC').filter('volume', '>', 5n).filter('price', '>', 20000).filter('price', '<', 25000);

/** Cut the power under a live database: nothing more reaches the storage, unsynced data is gone. */
async function powerCut(db: Database, storage: FaultyStorage): Promise<void> {
  storage.crashAtOp(storage.opCount + 1);
  await db.close().catch(() => undefined);
  storage.crash();
}

describe('recovery', () => {
  it("the seed's scenario: create, append, enable disk storage, close, reopen", async () => {
    const dir = tempDir();
    let db = await open(dir, { pool });
    const t = await db.createTable(schema, { enableWal: true });
    t.appendBatch(cols(0, 12_000));
    t.maxBlockSize = 5000;
    t.useDiskStorage = true;
    t.appendBatch(cols(12_000, 11_000));
    const before = await seedQuery(t).toArray();
    expect(before.length).toBeGreaterThan(0);
    await db.close();
    expect(readdirSync(join(dir, 'trades')).filter((f) => f.endsWith('.parquet')).length).toBeGreaterThanOrEqual(3);

    db = await open(dir, { pool });
    const t2 = await db.openTable(schema);
    expect(t2.rowCount).toBe(23_000);
    expect(t2.useDiskStorage).toBe(true);
    expect(t2.maxBlockSize).toBe(5000);
    expect(await seedQuery(t2).toArray()).toEqual(before);
    expect(await t2.reader().count()).toBe(23_000);
    await db.close();
  });

  it('memory storage without a WAL: close() persists every block, so the table reopens complete', async () => {
    const dir = tempDir();
    let db = await open(dir, { pool });
    const t = await db.createTable(schema, { maxBlockSize: 1000 });
    t.appendBatch(cols(0, 3500));
    await db.close();
    db = await open(dir, { pool });
    const t2 = await db.openTable('trades');
    expect(t2.rowCount).toBe(3500);
    expect((await t2.reader().filter('ts', '>=', 1_673_628_000n + 3499n).toArray()).map((r) => r.ts)).toEqual([1_673_628_000n + 3499n]);
    await db.close();
  });

  it('a table with hundreds of blocks and a million-row WAL reopens exactly', async () => {
    const storage = new FaultyStorage();
    let db = await open('/big', { pool, storage });
    const t = await db.createTable(schema, { enableWal: true, useDiskStorage: true, maxBlockSize: 500 });
    for (let at = 0; at < 150_000; at += 10_000) { t.appendBatch(cols(at, 10_000)); await t.flush(); }
    expect(t.blockCount).toBe(300);
    t.maxBlockSize = 2_000_000; // the next million rows stay in the active block: only the WAL has them
    for (let at = 150_000; at < 1_150_000; at += 100_000) t.appendBatch(cols(at, 100_000));
    await t.sync();
    const expected = await seedQuery(t).count();
    await powerCut(db, storage);

    db = await open('/big', { pool, storage });
    const t2 = await db.openTable(schema);
    expect(db.lastRecovery?.replayedRows).toBe(1_000_000);
    expect(t2.rowCount).toBe(1_150_000);
    expect(await seedQuery(t2).count()).toBe(expected);
    expect(await t2.reader().count()).toBe(1_150_000);
    const last = await t2.reader().filter('ts', '>', 1_673_628_000n + 1_149_997n).toArray();
    expect(last).toEqual([1_149_998, 1_149_999].map((k) => ({ ts: BigInt(1_673_628_000 + k), symbol: SYMS[k % 4], price: 15_000 + ((k * 7919) % 12_000), volume: BigInt(k % 13) })));
    await db.close();
  });

  it('a missing block file is reported with its path on open', async () => {
    const dir = tempDir();
    let db = await open(dir, { pool });
    const t = await db.createTable(schema, { useDiskStorage: true, maxBlockSize: 1000 });
    t.appendBatch(cols(0, 3000));
    await db.close();
    const victim = join(dir, 'trades', '00000000000000001000.parquet');
    unlinkSync(victim);
    db = await open(dir, { pool });
    await expect(db.openTable(schema)).rejects.toThrow(victim);
    await db.close();
  });

  it('a damaged block file is reported with its path on read, never as wrong rows', async () => {
    const dir = tempDir();
    let db = await open(dir, { pool });
    const t = await db.createTable(schema, { useDiskStorage: true, maxBlockSize: 1000 });
    t.appendBatch(cols(0, 3000));
    await db.close();
    const victim = join(dir, 'trades', '00000000000000001000.parquet');
    const bytes = readFileSync(victim);
    bytes[Math.floor(bytes.length / 2)] ^= 0x5a; // same size, different content
    writeFileSync(victim, bytes);
    db = await open(dir, { pool });
    const t2 = await db.openTable(schema);
    await expect(t2.reader().toArray()).rejects.toThrow(victim);
    await expect(t2.reader().filter('symbol', '==', 'BTC').count()).rejects.toThrow(/damaged/);
    // A bare count is answered from the manifest's row counts and needs no block file.
    expect(await t2.reader().count()).toBe(3000);
    // Blocks that do not need the damaged one still answer.
    expect(await t2.reader().filter('ts', '<', 1_673_628_000n + 1000n).count()).toBe(1000);
    await db.close();
  });

  for (const code of ['ENOSPC', 'EIO'] as const) {
    it(`${code} while writing a block: flush rejects clearly, nothing acknowledged is lost, it works once the fault is gone`, async () => {
      const storage = new FaultyStorage();
      let db = await open('/f', { pool, storage });
      const t = await db.createTable(schema, { enableWal: true, useDiskStorage: true, maxBlockSize: 100_000 });
      t.appendBatch(cols(0, 500));
      await t.sync();
      storage.failNext('write', code, '.parquet');
      await expect(t.flush()).rejects.toThrow(new RegExp(`table "trades".*${code}`));
      expect(await t.reader().count()).toBe(500);
      t.appendBatch(cols(500, 100));
      await t.sync();
      await t.flush();
      await powerCut(db, storage);
      db = await open('/f', { pool, storage });
      const t2 = await db.openTable(schema);
      expect(t2.rowCount).toBe(600);
      expect(await t2.reader().count()).toBe(600);
      await db.close();
    });

    it(`${code} while writing the WAL: sync rejects clearly and a later sync keeps everything`, async () => {
      const storage = new FaultyStorage();
      let db = await open('/w', { pool, storage });
      const t = await db.createTable(schema, { enableWal: true });
      t.appendBatch(cols(0, 10));
      storage.failNext('sync', code, '.wal');
      await expect(t.sync()).rejects.toThrow(code);
      t.appendBatch(cols(10, 5));
      await t.sync();
      await powerCut(db, storage);
      db = await open('/w', { pool, storage });
      expect((await db.openTable(schema)).rowCount).toBe(15);
      await db.close();
    });
  }

  it('clear errors: a missing table, an existing one, a different schema', async () => {
    const dir = tempDir();
    let db = await open(dir, { pool });
    await expect(db.openTable(schema)).rejects.toThrow(/table "trades": does not exist/);
    await expect(db.openTable('nope')).rejects.toThrow(/table "nope": does not exist/);
    await db.createTable(schema);
    await db.close();
    db = await open(dir, { pool });
    await expect(db.createTable(schema)).rejects.toThrow(/table "trades": already exists/);
    const other = { ...schema, columns: [...schema.columns, { name: 'extra', type: 'bool' }] } as const;
    await expect(db.openTable(other)).rejects.toThrow(/table "trades": the schema differs/);
    await db.close();
  });

  it('one writer: a second process gets an error naming the directory and the holder', async () => {
    const dir = tempDir();
    const db = await open(dir, { pool });
    const api = fileURLToPath(new URL('../node_modules/backtracedb/dist/index.js', import.meta.url));
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `import { open } from ${JSON.stringify(api)}; try { await open(${JSON.stringify(dir)}); console.log('opened'); } catch (e) { console.log(e.message); }`], { encoding: 'utf8' });
    expect(child.stdout).toContain(`database ${dir} is locked by process ${process.pid}`);
    await db.close();
    const again = spawnSync(process.execPath, ['--input-type=module', '-e', `import { open } from ${JSON.stringify(api)}; const db = await open(${JSON.stringify(dir)}); await db.close(); console.log('opened');`], { encoding: 'utf8' });
    expect(again.stdout.trim()).toBe('opened');
  });
});
