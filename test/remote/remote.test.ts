// openInWorker against the same oracle as the local API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open, openInWorker } from 'backtracedb';

const root = mkdtempSync(join(tmpdir(), 'btdb-remote-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const schema = {
  name: 'trades',
  timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 'symbol', type: 'string' }, { name: 'price', type: 'float64' }, { name: 'buy', type: 'bool' }],
} as const;
const SYMS = ['BTC', 'ETH', 'ü', ''];
const row = (k: number) => ({ ts: BigInt(k) * 2n ** 40n, symbol: SYMS[k % 4], price: (k * 37) % 1000 - 100.5, buy: k % 3 === 0 });

describe('openInWorker', () => {
  it('answers like the local API, with appends batched across the boundary', async () => {
    const dir = join(root, 'a');
    const db = await openInWorker(dir, { poolSize: 1 });
    const t = await db.createTable(schema, { enableWal: true, maxBlockSize: 500 });
    const rows = Array.from({ length: 3000 }, (_, k) => row(k));
    const pending = rows.slice(0, 2000).map((r) => t.append(r));
    await Promise.all(pending);
    await t.appendBatch({ ts: rows.slice(2000).map((r) => r.ts), symbol: rows.slice(2000).map((r) => r.symbol), price: rows.slice(2000).map((r) => r.price), buy: rows.slice(2000).map((r) => r.buy) });
    await t.sync();
    expect(await t.rowCount).toBe(3000);
    const want = rows.filter((r) => r.symbol !== 'ETH' && r.price > 100 && r.ts >= 100n * 2n ** 40n);
    const q = () => t.reader().filter('symbol', '!=', 'ETH').filter('price', '>', 100).filter('ts', '>=', 100n * 2n ** 40n);
    expect(await q().toArray()).toEqual(want);
    expect(await q().count()).toBe(want.length);
    const got = [];
    for await (const r of q().select(['ts', 'buy'])) got.push(r);
    expect(got).toEqual(want.map((r) => ({ ts: r.ts, buy: r.buy })));
    expect((await q().toArrow()).numRows).toBe(want.length);
    // Random filter chains: the worker answers as the oracle does.
    let seed = 7;
    const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    for (let q2 = 0; q2 < 20; q2++) {
      const lo = BigInt(Math.floor(next() * 3000)) * 2n ** 40n;
      const px = Math.floor(next() * 900) - 100;
      const sym = SYMS[Math.floor(next() * 4)];
      const oracle = rows.filter((r) => r.ts >= lo && r.price < px && r.symbol === sym);
      const got2 = await t.reader().filter('ts', '>=', lo).filter('price', '<', px).filter('symbol', '==', sym).toArray();
      expect(got2).toEqual(oracle);
    }
    // Errors: a filter is checked at once, locally; a bad row rejects its own append only.
    expect(() => t.reader().filter('nope' as 'ts', '==', 1n)).toThrow(/table "trades", column "nope": unknown column/);
    await expect(t.append({ ts: 5n, symbol: 'x', price: 1, buy: true })).rejects.toThrow(/time goes backwards/);
    const ok = t.append(row(5000));
    void t.append({ ...row(5001), price: 'NaN' as unknown as number }); // not awaited: reported by sync()
    await ok;
    // sync() reports every append rejected since the last sync(), awaited or not.
    await expect(t.sync()).rejects.toThrow(/2 appended rows were rejected since the last sync\(\); the first: table "trades", column "ts": time goes backwards/);
    expect(await t.rowCount).toBe(3001);
    await db.close();

    // The same directory opens locally with every row.
    const local = await open(dir, { poolSize: 1 });
    const lt = await local.openTable(schema);
    expect(lt.rowCount).toBe(3001);
    expect(await lt.reader().filter('symbol', '!=', 'ETH').filter('price', '>', 100).filter('ts', '>=', 100n * 2n ** 40n).toArray()).toEqual(want);
    await local.close();
  });

  it('sets compression and retention like the local setters; they persist', async () => {
    const dir = join(root, 'settings');
    const db = await openInWorker(dir, { poolSize: 1 });
    const t = await db.createTable(schema, { enableWal: true, useDiskStorage: true, maxBlockSize: 100 });
    expect(await t.compression).toBe('none');
    expect(await t.retention).toBeNull();
    await t.setCompression('zstd');
    await t.setRetention(1000n * 2n ** 40n);
    await expect(t.setCompression('lz4' as 'zstd')).rejects.toThrow(/compression/);
    await t.appendBatch({ ts: Array.from({ length: 2000 }, (_, k) => BigInt(k) * 2n ** 40n), symbol: Array(2000).fill('BTC'), price: Array(2000).fill(1), buy: Array(2000).fill(true) });
    await t.flush();
    expect(await t.compression).toBe('zstd');
    await db.close();
    const local = await open(dir);
    const lt = await local.openTable(schema);
    expect(lt.compression).toBe('zstd');
    expect(lt.retention).toBe(1000n * 2n ** 40n);
    // Retention removed whole blocks older than newest − span as they sealed.
    expect(lt.rowCount).toBeLessThan(2000);
    expect(await lt.reader().filter('ts', '<', 999n * 2n ** 40n - 100n * 2n ** 40n).count()).toBe(0);
    await local.close();
  });
});
