// Every `ts` block of the README runs here, in its own empty directory, as a user would run
// it; each `console.log(...) // expected` comment must match what the block prints.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const api = pathToFileURL(fileURLToPath(new URL('../node_modules/backtracedb/dist/index.js', import.meta.url))).href;
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

function expectedOutputs(code: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    const m = /console\.log\(.*\);\s*\/\/\s*(.+)$/.exec(line);
    if (m !== null) out.push(m[1].trim());
  }
  return out;
}

describe('README examples', () => {
  it('has examples to run', () => expect(blocks.length).toBeGreaterThanOrEqual(7));
  blocks.forEach((code, i) => {
    const title = code.split('\n').find((l) => l.trim() !== '' && !l.startsWith('import'))?.slice(0, 60) ?? `block ${i}`;
    it(`example ${i + 1}: ${title}`, () => {
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
        .replaceAll("from 'backtracedb'", `from ${JSON.stringify(api)}`);
      const dir = mkdtempSync(join(tmpdir(), 'btdb-readme-'));
      try {
        writeFileSync(join(dir, 'example.mjs'), js);
        const r = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
        const context = `exit ${r.status}, signal ${r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
        expect(r.stderr, context).toBe('');
        expect(r.status, context).toBe(0);
        const printed = r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n');
        const want = expectedOutputs(code);
        expect(printed.length).toBe(want.length);
        want.forEach((w, k) => expect(w.startsWith(printed[k].trim()), `line ${k + 1}: printed ${printed[k]}, README says ${w}`).toBe(true));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
