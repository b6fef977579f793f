// Finishing a drop removes the table's data first and its DROPPED marker last: a process killed
// in the middle leaves the marker (the next open finishes the drop), never a WAL without
// table.json (which open refuses as damage). kill -9 found this: test/lifecycle/kill9-life.test.ts.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeStorage } from '../src/storage/node-storage.js';
import type { Storage } from '../src/storage/storage.js';
import { DROPPED_FILE, finishDrop, markDropped } from '../src/table/drop.js';

describe('finishDrop', () => {
  it('removes every other entry, durably, before the marker', async () => {
    const db = mkdtempSync(join(tmpdir(), 'btdb-drop-'));
    const dir = join(db, 'side');
    await nodeStorage.mkdirp(join(dir, 'wal'));
    for (const f of ['table.json', 'manifest-00000000000000000001.log', '00000000000000000000.parquet', 'wal/00000000000000000000.wal']) {
      const fh = await nodeStorage.openWrite(join(dir, f), { create: true });
      await fh.write(new Uint8Array([1, 2, 3]), 0);
      await fh.close();
    }
    await markDropped(nodeStorage, dir);
    const steps: string[] = [];
    const spy: Storage = {
      ...nodeStorage,
      remove: async (p) => { steps.push(`remove ${p.slice(db.length + 1)}`); await nodeStorage.remove(p); },
      syncDir: async (p) => { steps.push(`sync ${p.slice(db.length + 1) || '.'}`); await nodeStorage.syncDir(p); },
    };
    expect(await finishDrop(spy, db, 'side')).toBe(true);
    expect(readdirSync(db)).toEqual([]);
    const marker = steps.indexOf(`remove side/${DROPPED_FILE}`);
    expect(marker, steps.join('; ')).toBeGreaterThan(0);
    // Before the marker: every other entry removed, then the directory synced.
    expect(steps.slice(0, marker).filter((s) => s.startsWith('remove')).sort()).toEqual(
      ['remove side/00000000000000000000.parquet', 'remove side/manifest-00000000000000000001.log', 'remove side/table.json', 'remove side/wal'],
    );
    expect(steps[marker - 1]).toBe('sync side');
    expect(await finishDrop(spy, db, 'side')).toBe(false);
  });
});
