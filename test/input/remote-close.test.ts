// openInWorker after close(): a second close is a no-op and every later call says the
// database is closed (not "Proxy has been released").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInWorker } from 'backtracedb';

const root = mkdtempSync(join(tmpdir(), 'btdb-rclose-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const schema = { name: 'trades', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'price', type: 'float64' }] } as const;

describe('openInWorker close', () => {
  it('is idempotent, and later calls name the closed database', async () => {
    const dir = join(root, 'a');
    const db = await openInWorker(dir, { poolSize: 1 });
    const t = await db.createTable(schema, { enableWal: true });
    await t.append({ ts: 1n, price: 1 });
    await db.close();
    await expect(db.close()).resolves.toBeUndefined();
    await expect(db.createTable({ ...schema, name: 'other' })).rejects.toThrow(/database .*: the database is closed/);
    await expect(db.openTable('trades')).rejects.toThrow(/the database is closed/);
    await expect(t.append({ ts: 2n, price: 2 })).rejects.toThrow(/table "trades": the database is closed/);
    await expect(t.sync()).rejects.toThrow(/table "trades": the database is closed/);
    await expect(t.reader().count()).rejects.toThrow(/table "trades": the database is closed/);
    await expect(t.rowCount).rejects.toThrow(/table "trades": the database is closed/);
  });
  it('refuses bad options before a worker or a directory exists', async () => {
    const dir = join(root, 'b');
    await expect(openInWorker(dir, { poolSize: '2' } as never)).rejects.toThrow(/open: poolSize must be an integer/);
  });
});
