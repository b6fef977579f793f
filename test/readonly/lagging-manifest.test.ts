// A long-lived read-only reader that has applied WAL rows past blocks the writer has sealed but
// not yet written: when the block lands in the manifest and no new WAL record follows, the
// reader must keep those rows (it once rebuilt from the manifest and dropped them: a count
// below what was acknowledged, seen as "long-lived count 17: expected 7400 ≥ 7532").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { nodeStorage, type Storage } from '@backtracedb/engine';
import { open } from 'backtracedb';

const schema = { name: 'ticks', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'float64' }] } as const;

it('rows read from the WAL stay visible when the block before them lands in the manifest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btdb-lag-'));
  // The writer's block files wait at the gate: the manifest lags behind the WAL.
  let open_ = true;
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  const storage: Storage = {
    ...nodeStorage,
    rename: async (from, to) => { if (!open_ && to.endsWith('.parquet')) await gate; await nodeStorage.rename(from, to); },
  };
  const writer = await open(dir, { storage, poolSize: 0, walFlushDelayMs: 1 });
  const reader = await open(dir, { readOnly: true, poolSize: 0 });
  try {
    const w = await writer.createTable(schema, { enableWal: true, useDiskStorage: true, maxBlockSize: 10 });
    await w.sync();
    const r = await reader.openTable(schema);
    gate = new Promise<void>((res) => { release = res; });
    open_ = false;
    for (let i = 0; i < 15; i++) w.append({ ts: BigInt(i), v: i }); // a seal at row 10; the block waits
    const acked = w.sync(); // resolves once the block is written too
    await new Promise((res) => setTimeout(res, 100)); // the WAL group commit has run
    expect(await r.reader().count()).toBe(15); // blocks: none yet; WAL: 15 rows
    open_ = true;
    release();
    await acked;
    expect(w.blockCount).toBe(1);
    for (let k = 0; k < 5; k++) { // the block (10 rows) and the WAL rows after it, every time
      expect(await r.reader().count(), `count ${k}`).toBe(15);
      expect((await r.reader().toArray()).map((x) => x.ts), `rows ${k}`).toEqual(Array.from({ length: 15 }, (_, i) => BigInt(i)));
    }
    w.append({ ts: 99n, v: 0 });
    await w.sync();
    expect(await r.reader().count()).toBe(16);
  } finally {
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
