// btdb compact / delete-before / drop, and what btdb info says about a table's life.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from 'backtracedb';
import { trades, tradesSchema } from 'backtracedb/sample-data';

const BTDB = fileURLToPath(new URL('../node_modules/backtracedb/dist/cli/main.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'btdb-life-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function btdb(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BTDB, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('btdb and a table\'s life', () => {
  it('delete-before, compact, info and drop say what they did', async () => {
    const dir = join(root, 'db');
    const db = await open(dir, { poolSize: 0 });
    const t = await db.createTable(tradesSchema, { useDiskStorage: true, maxBlockSize: 500, retention: 86_400_000n });
    const cols = trades(0, 2200);
    t.appendBatch(cols);
    t.maxBlockSize = 1000; // stored: compaction merges up to this
    await db.close();
    const cutoff = cols.ts[700];

    let r = btdb('info', dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rows: +2,200 /);
    expect(r.out).toMatch(/life: +retention 86400000, compression none/); // the default
    expect(r.out).toMatch(/blocks: +5,/);

    expect(btdb('delete-before', dir, 'trades', 'soon').code).toBe(2);
    r = btdb('delete-before', dir, 'trades', String(cutoff));
    expect(r.err).toBe('');
    expect(r.out).toBe(`table trades: removed 700 rows with time < ${cutoff}; 1,500 left\n`);

    r = btdb('compact', dir, 'trades');
    expect(r.out).toBe('table trades: compacted 4 blocks into 2\n');
    r = btdb('info', dir);
    expect(r.out).toMatch(/rows: +1,500 /);
    expect(r.out).toMatch(/blocks: +2,/);
    expect(btdb('verify', dir).code).toBe(0);

    r = btdb('drop', dir, 'trades');
    expect(r.out).toBe(`table trades: dropped from ${dir}\n`);
    r = btdb('drop', dir, 'trades');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/table "trades": does not exist/);
    expect(btdb('info', dir).out).toMatch(/0 tables/);
  });
});
