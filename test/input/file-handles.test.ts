// The read-handle cache of node storage: a bounded LRU whose evicted handles close at once
// (a scan over thousands of block files must not hold thousands of descriptors), but never
// while a read is still using them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeStorage } from '@backtracedb/engine';

const root = mkdtempSync(join(tmpdir(), 'btdb-fds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FILES = Number(process.env.BTDB_FD_FILES ?? 600);
const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('node storage read handles', () => {
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const p = join(root, `f${i}.bin`);
    writeFileSync(p, Buffer.from([i & 0xff, (i >> 8) & 0xff, 7, 7]));
    paths.push(p);
  }

  it(`reading ${FILES} files one after another keeps at most the cache bound open`, async () => {
    const base = openFds();
    let peak = 0;
    for (let i = 0; i < FILES; i++) {
      const b = await nodeStorage.readRange(paths[i], 0, 2);
      expect([b[0], b[1]]).toEqual([i & 0xff, (i >> 8) & 0xff]);
      peak = Math.max(peak, openFds() - base);
    }
    expect(peak).toBeLessThanOrEqual(130);
  });

  it('many concurrent reads over more files than the bound all succeed, then the handles close', async () => {
    const base = openFds();
    const reads = paths.map((p, i) => nodeStorage.readRange(p, 1, 3).then((b) => { expect(b[0]).toBe((i >> 8) & 0xff); }));
    await Promise.all(reads);
    expect(openFds() - base).toBeLessThanOrEqual(130);
  });

  it('under ulimit -n 200, reading all files at once ends without EMFILE', () => {
    const script = `
      import { nodeStorage } from '@backtracedb/engine';
      const paths = JSON.parse(process.argv[1]);
      const got = await Promise.all(paths.map((p) => nodeStorage.readRange(p, 0, 1)));
      console.log(got.length);`;
    const r = spawnSync('bash', ['-c', 'ulimit -n 200 && exec node --input-type=module -e "$0" "$1"', script, JSON.stringify(paths)], {
      cwd: join(dirname(fileURLToPath(import.meta.url)), '..'), encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/EMFILE/);
    expect(r.stdout.trim()).toBe(String(FILES));
  });
});
