// Format-1 tables (one manifest.json rewritten per block, table.json without a checksum) still
// open, and are migrated to the manifest log on their first block write.
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { blockToJson, loadManifest, nodeStorage } from '@backtracedb/engine';
import { open, createPool } from 'backtracedb';
import { btdb, cleanDirs, makeTable, rows, tempDir } from './helpers.js';

const pool = createPool(1);
afterAll(() => pool.destroy());
afterEach(cleanDirs);

describe('format 1', () => {
  it('a format-1 table (manifest.json) opens, and is migrated on its first block write', async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 3);
    const tdir = join(dir, 'm');
    // Rewrite the table as format 1 had it: manifest.json with every block, table.json without a checksum.
    const loaded = await loadManifest(nodeStorage, tdir);
    const blocks = (loaded?.manifest.blocks ?? []).map((b) => { const j = blockToJson(b); delete j.schemaCrc; return j; });
    writeFileSync(join(tdir, 'manifest.json'), JSON.stringify({ format: 1, table: 'm', durableRowCount: 300, lastTime: '299', blocks }));
    unlinkSync(join(tdir, loaded?.file as string));
    const meta = JSON.parse(readFileSync(join(tdir, 'table.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(tdir, 'table.json'), JSON.stringify({ format: 1, schema: meta.schema, settings: meta.settings }));
    expect(btdb('verify', dir).code).toBe(0);

    let db = await open(dir, { pool });
    let t = await db.openTable('m');
    expect(t.rowCount).toBe(300);
    expect(readdirSync(tdir)).toContain('manifest.json');
    t.appendBatch(rows(300, 100));
    await db.close();
    const files = readdirSync(tdir);
    expect(files).not.toContain('manifest.json');
    expect(files.filter((f) => /^manifest-\d+\.log$/.test(f))).toHaveLength(1);
    db = await open(dir, { pool });
    t = await db.openTable('m');
    expect(t.rowCount).toBe(400);
    expect(await t.reader().filter('x', '>=', 250).count()).toBe(150);
    await db.close();
    expect(btdb('verify', dir).code).toBe(0);
  });
});
