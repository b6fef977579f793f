// `pnpm bench`: every suite in one process, DuckDB side by side, written to bench/RESULTS.md.
// --quick: a smoke run on 10× less data.
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ingestSuite } from './ingest.js';
import { durabilitySuite } from './durability.js';
import { querySuite } from './query.js';
import type { ResultRow } from './measure.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const ROWS = quick ? 200_000 : 2_000_000;
const RUNS = quick ? 1 : 3;

async function main(): Promise<void> {
  const rows: ResultRow[] = [];
  const started = Date.now();
  const suites: Array<[string, () => Promise<ResultRow[]>]> = [
    ['ingest', () => ingestSuite(ROWS, RUNS)],
    ['query', () => querySuite(ROWS, quick ? 3 : 10)],
    ['durability', () => durabilitySuite(quick)],
  ];
  for (const [name, suite] of suites) {
    if (only !== undefined && only !== name) continue;
    console.log(`suite ${name}…`);
    const got = await suite();
    for (const r of got) console.log(`  ${r.workload}: ${r.ours} vs ${r.reference} → ${Number.isNaN(r.ratio) ? '—' : r.ratio.toFixed(2)} (target ${r.target}) ${r.met ? 'met' : 'NOT met'}`);
    rows.push(...got);
  }
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const lines = [
    '# Benchmark results',
    '',
    `Command: \`pnpm bench${quick ? ' -- --quick' : ''}\` (${new Date().toISOString().slice(0, 10)}, ${((Date.now() - started) / 1000).toFixed(0)} s).`,
    `Machine: ${machine}.`,
    'Every ratio is measured in one run against the reference on the same rows; > 1 means BacktraceDB is faster unless the target says otherwise.',
    '',
    '| workload | BacktraceDB | reference | ratio | target | met | note |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.workload} | ${r.ours} | ${r.reference} | ${Number.isNaN(r.ratio) ? '—' : r.ratio.toFixed(2)} | ${r.target} | ${r.met ? 'yes' : '**no**'} | ${r.note} |`),
    '',
  ];
  const out = fileURLToPath(new URL(quick ? '../RESULTS.quick.md' : '../RESULTS.md', import.meta.url));
  writeFileSync(out, lines.join('\n'));
  console.log(`written to ${out}`);
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
