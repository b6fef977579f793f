// A database opened, queried once and closed before its threads are up must not take the
// process down: Node 20 aborts the whole process when a worker is terminated while it is still
// instantiating its modules (seen in a benchmark as "v8::Module::IsGraphAsync" fatal errors).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('open, one query, close — 25 times in a row, with writes and read-only — exits cleanly', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-quick-close-'));
  try {
    const script = `
      const { open } = await import('backtracedb');
      const { trades, tradesSchema } = await import('backtracedb/sample-data');
      const dir = ${JSON.stringify(dir)};
      {
        const db = await open(dir);
        const t = await db.createTable(tradesSchema, { useDiskStorage: true, maxBlockSize: 10_000 });
        t.appendBatch(trades(0, 30_000));
        await db.close();
      }
      for (let i = 0; i < 25; i++) {
        const db = await open(dir, { readOnly: i % 2 === 0 });
        const t = await db.openTable(tradesSchema);
        if (i % 2 === 1) t.appendBatch(trades(30_000 + i * 10, 10));
        await t.reader().filter('symbol', '==', 'AAPL').count();
        await db.close();
      }
      console.log('done');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) });
    expect(r.stderr).not.toMatch(/FATAL ERROR/);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('done');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
