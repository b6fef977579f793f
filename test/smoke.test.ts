import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'backtracedb';

describe('smoke', () => {
  it('appends and queries across sealed blocks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btdb-'));
    try {
      const db = await open(dir, { poolSize: 1 });
      const t = await db.createTable({ name: 'trades', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'symbol', type: 'string' }] } as const, { maxBlockSize: 3 });
      for (let i = 0; i < 10; i++) t.append({ ts: BigInt(i), symbol: i % 2 ? 'A' : 'B' });
      await t.flush();
      expect(await t.reader().filter('symbol', '==', 'A').count()).toBe(5);
      expect((await t.reader().filter('ts', '>=', 8n).toArray()).map((r) => r.ts)).toEqual([8n, 9n]);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
