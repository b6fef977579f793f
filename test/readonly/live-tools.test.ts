// Issue 12: btdb and openInWorker on a live database (a writer holds it open), and a table of
// thousands of blocks read under a small file-descriptor limit (BTDB_FD_BLOCKS, default 5000).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createPool, open, openInWorker } from 'backtracedb';
import { trades, tradesSchema } from 'backtracedb/sample-data';

const pool = createPool(2);
afterAll(() => pool.destroy());
const BTDB = fileURLToPath(new URL('./cli/main.js', import.meta.resolve('backtracedb')));
const FD_BLOCKS = Number(process.env.BTDB_FD_BLOCKS ?? 5000);

it('btdb query and export, and openInWorker({ readOnly: true }), work while a writer holds the database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-live-tools-'));
  try {
    const db = await open(dir, { pool });
    const t = await db.createTable(tradesSchema, { enableWal: true, useDiskStorage: true, maxBlockSize: 1000 });
    t.appendBatch(trades(0, 2500));
    await t.sync();
    const out = execFileSync(process.execPath, [BTDB, 'query', dir, 'trades', '--format', 'json'], { encoding: 'utf8' });
    expect(out.trim().split('\n')).toHaveLength(2500);
    const csv = join(dir, '..', `${join(dir).split('/').pop()}.csv`);
    const exp = spawnSync(process.execPath, [BTDB, 'export', dir, 'trades', csv], { encoding: 'utf8' });
    expect(exp.status, exp.stderr).toBe(0);
    expect(exp.stdout).toMatch(/exported 2,500 rows/);
    rmSync(csv, { force: true });
    const remote = await openInWorker(dir, { readOnly: true });
    const rt = await remote.openTable(tradesSchema);
    expect(await rt.reader().count()).toBe(2500);
    t.appendBatch(trades(2500, 10));
    await t.sync();
    expect(await rt.reader().count()).toBe(2510);
    await expect(rt.append({ ts: 1n, symbol: 'x', price: 1, volume: 1n })).rejects.toThrow(/read-only/);
    await remote.close();
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it(`a table of ${FD_BLOCKS} blocks is opened and queried under ulimit -n 256, read-only and as the writer`, { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-fds-many-'));
  try {
    const db = await open(dir, { pool });
    const t = await db.createTable(tradesSchema, { useDiskStorage: true, maxBlockSize: 2, rowGroupRows: 2 });
    t.appendBatch(trades(0, FD_BLOCKS * 2));
    await t.flush();
    expect(t.blockCount).toBe(FD_BLOCKS);
    await db.close();
    const script = `
      const { open } = await import('backtracedb');
      for (const readOnly of [true, false]) {
        const db = await open(${JSON.stringify(dir)}, { readOnly, poolSize: 1 });
        const t = await db.openTable('trades');
        const n = await t.reader().count();
        const m = await t.reader().filter('symbol', '==', 'AAPL').count();
        const rows = (await t.reader().select(['ts']).toArray()).length;
        await db.close();
        console.log(readOnly, n, rows, m > 0);
      }`;
    const r = spawnSync('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" --input-type=module -e "$0"`, script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([`true ${FD_BLOCKS * 2} ${FD_BLOCKS * 2} true`, `false ${FD_BLOCKS * 2} ${FD_BLOCKS * 2} true`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
