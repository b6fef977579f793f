// Late rows beside deleteBefore / compact / retention, then kill -9: every acknowledged row is
// back after reopen, exactly once. Under an outOfOrderWindow the newest sealed block records
// which rows it left unsealed (only in the WAL and the active block); an operation that
// removed or rewrote that block once lost the record, and replay then skipped those rows.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { open } from 'backtracedb';

const schema = { name: 'q', timeColumn: 'ts', columns: [{ name: 'ts', type: 'int64' }, { name: 'v', type: 'float64' }] } as const;

/** Rows 0..94 and 97..131: times climb by 10, every 4th row is late by 25 (within the window of 30). */
const CHILD = `
import { open } from 'backtracedb';
const [dir, op] = process.argv.slice(1);
const schema = ${JSON.stringify(schema)};
const db = await open(dir, { poolSize: 1 });
const t = await db.createTable(schema, { outOfOrderWindow: 30n, maxBlockSize: 20, enableWal: true, useDiskStorage: true, ...(op === 'retention' ? { retention: 100n } : {}) });
const row = (i) => ({ ts: BigInt(i * 10 - (i % 4 === 3 ? 25 : 0)), v: i });
for (let i = 0; i < 95; i++) t.append(row(i));
await t.sync();
if (op === 'compact') await t.compact();
if (op === 'deleteBefore') await t.deleteBefore(200n);
for (let i = 97; i < 132; i++) t.append(row(i)); // past what deleteBefore sealed (it seals every row)
await t.sync();
if (op === 'retention') await t.compact(); // waits for the retention passes
process.stdout.write('ACKED ' + t.rowCount + '\\n');
setInterval(() => {}, 1000);
`;

function runChild(dir: string, op: string): Promise<{ kill: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dir, op], { stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('.', import.meta.url)) }); // resolves 'backtracedb' from test/
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ACKED')) resolve({ kill: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGKILL'); }) });
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
  });
}

describe('late rows and a table\'s life, then kill -9', () => {
  for (const op of ['compact', 'deleteBefore', 'retention']) {
    it(`every acknowledged row after ${op} and a kill`, { timeout: 60_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'btdb-late-life-'));
      try {
        const child = await runChild(dir, op);
        await child.kill();
        const db = await open(dir, { poolSize: 0 });
        try {
          const t = await db.openTable(schema);
          const rows = await t.reader().toArray();
          const want = Array.from({ length: 132 }, (_, i) => ({ ts: BigInt(i * 10 - (i % 4 === 3 ? 25 : 0)), v: i })).filter((r) => r.v < 95 || r.v >= 97)
            .filter((r) => op !== 'deleteBefore' || r.ts >= 200n || r.v >= 95)
            .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.v - b.v));
          if (op === 'retention') {
            // Retention removes whole old blocks: what is left is the newest rows, a suffix.
            expect(rows.length).toBeGreaterThan(0);
            expect(rows).toEqual(want.slice(want.length - rows.length));
            expect(rows.map((r) => r.v)).toContain(131);
          } else {
            expect(rows).toEqual(want);
          }
        } finally {
          await db.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
