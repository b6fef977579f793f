// Start-up (issue 10): the first query after open() against a fresh DuckDB instance on the same
// files, and a one-shot `btdb query` process against a node process running the same DuckDB query.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from 'backtracedb';
import { tradesSchema, trades } from './data.js';
import { freshDir } from './dirs.js';
import { fmtMs, type ResultRow } from './measure.js';

const child = fileURLToPath(new URL('./startup-child.js', import.meta.url));

/** Best wall time (ms) of a fresh node process running `args`. */
function processMs(args: string[], runs: number): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (p.status !== 0) throw new Error(`${args.join(' ')} failed: ${p.stderr}`);
    best = Math.min(best, ms);
  }
  return best;
}

/** Best in-process time (ms) reported by the child for its first query. */
function firstQueryMs(mode: 'ours' | 'duck', dir: string, runs: number): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const p = spawnSync(process.execPath, [child, mode, dir], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`startup child failed: ${p.stderr}`);
    best = Math.min(best, Number(p.stdout.trim().split('\n').pop()));
  }
  return best;
}

export async function startupSuite(rows: number, runs: number): Promise<ResultRow[]> {
  const dir = freshDir('startup');
  {
    const db = await open(dir);
    const t = await db.createTable(tradesSchema, { useDiskStorage: true, maxBlockSize: rows / 20 });
    for (let at = 0; at < rows; at += 100_000) t.appendBatch(trades(at, Math.min(100_000, rows - at)));
    await db.close();
  }
  if (readdirSync(join(dir, 'trades')).filter((f) => f.endsWith('.parquet')).length !== 20) throw new Error('expected 20 block files');
  const ours = firstQueryMs('ours', dir, runs);
  const duck = firstQueryMs('duck', dir, runs);
  // The built CLI beside the package's entry point (dist/index.js → dist/cli/main.js).
  const btdb = fileURLToPath(new URL('./cli/main.js', import.meta.resolve('backtracedb')));
  const cli = processMs([btdb, 'query', dir, 'trades', '--where', 'symbol == AAPL', '--limit', '3'], runs);
  const duckCli = processMs([child, 'duck-cli', dir], runs);
  return [
    {
      workload: 'first query after open(): open + openTable + filtered count over 20 disk blocks (2M rows)', ours: fmtMs(ours),
      reference: `fresh DuckDB instance ${fmtMs(duck)}`, ratio: ours / duck, target: '≤ 2', met: ours / duck <= 2,
      note: 'time ratio; each in a fresh process after its modules are imported; default options (pool threads start in the background, scans run on the calling thread until one is up)',
    },
    {
      workload: "one-shot `btdb query <db> trades --where 'symbol == AAPL' --limit 3`", ours: fmtMs(cli),
      reference: `node + DuckDB, same query ${fmtMs(duckCli)}`, ratio: cli / duckCli, target: '≤ 1.5', met: cli / duckCli <= 1.5,
      note: 'time ratio; whole processes, start-up included',
    },
  ];
}
