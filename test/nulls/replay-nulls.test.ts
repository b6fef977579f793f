// Nulls survive a crash: rows with nulls in the active block are kept by the WAL alone (the
// writer is killed -9 before the block seals) and come back null after replay; a WAL written
// before nulls existed (record type 1, a fixture written by the previous code) still replays.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createPool } from 'backtracedb';
// @ts-expect-error plain JS fixture shared with the child process
import { nullCrashSchema, nullRowAt } from '../fixtures/null-rows.mjs';

const pool = createPool(1);
const root = mkdtempSync(join(tmpdir(), 'btdb-null-replay-'));
afterAll(async () => { await pool.destroy(); rmSync(root, { recursive: true, force: true }); });
const WRITER = fileURLToPath(new URL('../fixtures/null-writer.mjs', import.meta.url));
const BTDB = fileURLToPath(new URL('../node_modules/backtracedb/dist/cli/main.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/wal-v1/quotes', import.meta.url));

/** Run the writer until it acknowledges `rows`, then kill -9 it. */
function writeAndKill(dir: string, rows: number, maxBlockSize: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, String(rows), String(maxBlockSize)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let acked = -1;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ACK (\d+)/.exec(out);
      if (m !== null && acked === -1) { acked = Number(m[1]); child.kill('SIGKILL'); }
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`writer exited on its own: ${err}`))));
  });
}

describe('nulls after kill -9 and WAL replay', () => {
  for (const [rows, maxBlockSize] of [[230, 10_000], [230, 64]] as const) {
    it(`${rows} rows, blocks of ${maxBlockSize}: every null comes back null`, async () => {
      const dir = join(root, `kill-${maxBlockSize}`);
      expect(await writeAndKill(dir, rows, maxBlockSize)).toBe(rows);
      // btdb reads the log's type 2 records too (info sums them, verify checks the blocks).
      const info = spawnSync(process.execPath, [BTDB, 'info', dir], { encoding: 'utf8' });
      expect(info.stderr).toBe('');
      expect(info.stdout).toContain('ts:int64, sym:string nullable, bid:float64 nullable, size:int64 nullable, live:bool nullable');
      const verify = spawnSync(process.execPath, [BTDB, 'verify', dir], { encoding: 'utf8' });
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      const db = await open(dir, { pool });
      try {
        const t = await db.openTable(nullCrashSchema);
        expect(db.lastRecovery?.replayedRows ?? 0).toBeGreaterThan(0);
        const want = Array.from({ length: rows }, (_, k) => nullRowAt(k) as Record<string, unknown>);
        expect(await t.reader().toArray()).toEqual(want);
        expect(await t.reader().filter('bid', 'isNull').count()).toBe(want.filter((r) => r.bid === null).length);
        expect(await t.reader().filter('sym', '==', '').count()).toBe(want.filter((r) => r.sym === '').length);
        // And once more after the replayed rows are sealed into blocks.
        await t.flush();
        expect(await t.reader().toArray()).toEqual(want);
      } finally {
        await db.close();
      }
    });
  }

  it('a WAL written before nulls existed (record type 1) replays unchanged', async () => {
    const dir = join(root, 'v1');
    cpSync(FIXTURE, join(dir, 'quotes'), { recursive: true });
    const recordType = (file: string): number => readFileSync(join(dir, 'quotes', 'wal', file)).readUInt32LE(16 + 20);
    // The fixture's records are the old format: type 1, no validity.
    expect(recordType('00000000000000000000.wal')).toBe(1);
    const db = await open(dir, { pool });
    try {
      const t = await db.openTable('quotes');
      expect(db.lastRecovery?.replayedRows).toBe(32);
      const rows = await t.reader().toArray();
      expect(rows).toHaveLength(32);
      expect(rows[5]).toEqual({ ts: 5n, symbol: 'C', bid: 7.5, size: 50n, live: false, venue: 'v1' });
      expect(rows[31]).toEqual({ ts: 31n, symbol: 'B', bid: 46.5, size: 310n, live: false, venue: 'v3' });
      expect(await t.reader().filter('bid', 'isNull').count()).toBe(0);
      // New rows with nulls go into the same WAL (type 2 records) and read back.
      t.append({ ts: 40n, symbol: 'A', bid: null, live: true } as never);
      await t.sync();
      const segments = readdirSync(join(dir, 'quotes', 'wal')).filter((f) => f.endsWith('.wal')).sort();
      expect(recordType(segments[segments.length - 1])).toBe(2);
      expect(await t.reader().filter('ts', '==', 40n).toArray()).toEqual([{ ts: 40n, symbol: 'A', bid: null, size: null, live: true, venue: null }]);
    } finally {
      await db.close();
    }
  });
});
