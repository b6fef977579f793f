// Shared by the metadata tests: a small table on disk, and btdb run as a process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open, type BlockPool } from 'backtracedb';

export const schema = {
  name: 'm',
  timeColumn: 'ts',
  columns: [{ name: 'ts', type: 'int64' }, { name: 's', type: 'string' }, { name: 'x', type: 'float64' }],
} as const;

const BTDB = fileURLToPath(new URL('../node_modules/backtracedb/dist/cli/main.js', import.meta.url));

export function btdb(...args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [BTDB, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

const dirs: string[] = [];
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'btdb-meta-'));
  dirs.push(d);
  return d;
}
export function cleanDirs(): void { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); }

export function rows(from: number, n: number, str: (k: number) => string = (k) => `s${k % 5}`) {
  const ts = new BigInt64Array(n);
  const x = new Float64Array(n);
  const s: string[] = [];
  for (let i = 0; i < n; i++) { ts[i] = BigInt(from + i); x[i] = from + i; s.push(str(from + i)); }
  return { ts, s, x };
}

/** A closed table of `blocks` blocks of `blockRows` rows, on disk with a WAL. */
export async function makeTable(dir: string, pool: BlockPool, blocks: number, blockRows = 100, str?: (k: number) => string): Promise<void> {
  const db = await open(dir, { pool });
  const t = await db.createTable(schema, { enableWal: true, useDiskStorage: true, maxBlockSize: blockRows });
  for (let b = 0; b < blocks; b++) t.appendBatch(rows(b * blockRows, blockRows, str));
  await db.close();
}
