// Issue 9 item 8: table.json and the manifest are checksummed, and the schema a block was
// written with is checked against table.json: edits by hand are errors, never wrong answers.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';
import { btdb, cleanDirs, makeTable, tempDir } from './helpers.js';

const pool = createPool(1);
afterAll(() => pool.destroy());
afterEach(cleanDirs);

const logOf = (tdir: string) => join(tdir, readdirSync(tdir).find((f) => /^manifest-\d+\.log$/.test(f)) as string);

/** Change a zone-map bound of the block starting at `firstRow` in place: same length, other digits. */
function editZoneMax(tdir: string, firstRow: number): void {
  const path = logOf(tdir);
  const text = readFileSync(path, 'latin1');
  const start = text.indexOf(`"firstRowSeq":${firstRow},`);
  const at = text.indexOf('"max":', text.indexOf('"type":"float64"', start)) + 6;
  const digit = text[at] === '9' ? '8' : '9';
  writeFileSync(path, Buffer.from(text.slice(0, at) + digit + text.slice(at + 1), 'latin1'));
}

describe('checksummed metadata', () => {
  it('a zone-map bound edited in a middle record: open fails naming the manifest, verify exits 1', async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 4);
    const tdir = join(dir, 'm');
    editZoneMax(tdir, 100);
    const db = await open(dir, { pool });
    await expect(db.openTable('m')).rejects.toThrow(new RegExp(`manifest ${logOf(tdir)} is damaged at byte \\d+: record 2 fails its checksum`));
    await db.close();
    const v = btdb('verify', dir);
    expect(v.code).toBe(1);
    expect(v.out).toContain('fails its checksum');
  });

  it('a zone-map bound edited in the last record: never a wrong count', async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 4);
    const tdir = join(dir, 'm');
    editZoneMax(tdir, 300);
    const v = btdb('verify', dir);
    expect(v.code).toBe(1);
    expect(v.out).toContain('the last record');
    expect(v.out).toContain('00000000000000000300.parquet: not listed in the manifest, and the WAL starts at row 400');
    // The WAL no longer holds the block's rows (the table was closed): dropping the record would lose them.
    const db = await open(dir, { pool });
    await expect(db.openTable('m')).rejects.toThrow(/00000000000000000300\.parquet is not listed in the manifest.*WAL starts at row 400/);
    await db.close();
  });

  it('table.json with float64 changed to int64: a checksum error naming the file', async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 2);
    const path = join(dir, 'm', 'table.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"float64"', '"int64"'));
    const db = await open(dir, { pool });
    await expect(db.openTable('m')).rejects.toThrow(`table "m": ${path} is damaged: checksum mismatch`);
    await db.close();
    expect(btdb('verify', dir).code).toBe(1);
  });

  it('table.json carries an id of its creation: kept as settings are stored, new when the table is made again, beside the checksum', async () => {
    const dir = tempDir();
    const schema = { name: 'm', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }] } as const;
    const idOf = () => (JSON.parse(readFileSync(join(dir, 'm', 'table.json'), 'utf8')) as { id?: string }).id;
    const db = await open(dir, { pool });
    const t = await db.createTable(schema);
    const first = idOf();
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    t.maxBlockSize = 1234;
    await t.sync();
    expect(idOf()).toBe(first);
    await db.close();
    const again = await open(dir, { pool });
    (await again.openTable('m')).maxBlockSize = 99;
    await again.close(); // stored again at close too
    expect(idOf()).toBe(first);
    const edited = readFileSync(join(dir, 'm', 'table.json'), 'utf8');
    const withoutId = edited.replace(/"id": "[0-9a-f]+",\n\s*/, ''); // as a build before ids wrote it
    expect(withoutId).not.toContain('"id"');
    writeFileSync(join(dir, 'm', 'table.json'), withoutId);
    const old = await open(dir, { pool });
    expect((await old.openTable('m')).maxBlockSize).toBe(99); // the checksum does not cover the id
    await old.dropTable('m');
    await old.createTable(schema);
    expect(idOf()).toMatch(/^[0-9a-f]{16}$/);
    expect(idOf()).not.toBe(first);
    await old.close();
  });

  it('table.json changed with its checksum recomputed: the manifest and the Parquet files disagree, and say so', async () => {
    const dir = tempDir();
    await makeTable(dir, pool, 2);
    const tdir = join(dir, 'm');
    const path = join(tdir, 'table.json');
    const o = JSON.parse(readFileSync(path, 'utf8').replace('"float64"', '"int64"')) as Record<string, unknown>;
    o.crc32 = crc32(JSON.stringify({ format: o.format, schema: o.schema, settings: o.settings }));
    writeFileSync(path, JSON.stringify(o));
    const db = await open(dir, { pool });
    await expect(db.openTable('m')).rejects.toThrow(/table\.json and the manifest .* disagree on the schema/);
    await db.close();
    const v = btdb('verify', dir);
    expect(v.code).toBe(1);
    expect(v.out).toContain('its schema differs from');
    expect(v.out).toContain('column "x" has Parquet physical type 5, table.json says int64');
  });
});
