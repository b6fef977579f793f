// Scratch directories for one benchmark run, removed at exit.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'btdb-bench-'));
let n = 0;
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

export function freshDir(label: string): string {
  const dir = join(root, `${label}-${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
