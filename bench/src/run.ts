// `pnpm bench`: every suite in one process, DuckDB side by side, written to bench/RESULTS.md.
// --quick: a smoke run on 10× less data.
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ingestSuite } from './ingest.js';
import { durabilitySuite } from './durability.js';
import { querySuite } from './query.js';
import { encodeSuite } from './encode.js';
import { tightLoopSuite } from './tight-loop.js';
import { startupSuite } from './startup.js';
import { timeseriesSuite } from './timeseries.js';
import type { ResultRow } from './measure.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const ROWS = quick ? 200_000 : 2_000_000;
const RUNS = quick ? 1 : 3;

/** What limits a workload when its target is not met (from profiles: node --cpu-prof). */
const LIMITS: Array<[RegExp, string]> = [
  [/^append\(\) loop/, 'Per row: the generated checker and writer (~100 ns), the caller building the row object and reading BigInts (~150 ns), and the two pool workers encoding sealed blocks on the same 2 cores. DuckDB\'s appender pays a native call per value but no JS-side validation.'],
  [/^appendBatch\(\)/, 'String columns cost a Map lookup per row (dictionary codes), the WAL copies every row once more and fsyncs ~30 bytes/row, and block encoding in the pool competes for the 2 cores. The numeric columns are copied at memcpy speed.'],
  [/^same, against a plain typed-array copy loop/, 'The copy loop does no validation, no WAL (no copy, no fsync) and no block encoding; see the row above.'],
  [/^cold filtered count/, 'Per 100k-row block a worker spends ~0.5 ms on the CRC32 of the chunks it reads (integrity is checked on every read), ~0.6 ms unpacking dictionary indices straight into the selection, and ~0.15 ms on the price filters; the main thread spends ~0.4 ms reading the chunks and dispatching (it is busy about half of the query). DuckDB skips the checksum and decodes with SIMD.'],
  [/^warm repeat/, 'Kernel time over decoded columns (dictionary lookup-table pass, then the two price predicates on the selection), on the main thread.'],
  [/^2 scan workers against 1/, 'The scan itself scales (the same scans in two bare worker threads run 2x faster than in one); what does not is the main thread, which reads the chunks and dispatches every block, and the file reads on the libuv threads, all on the same 2 cores.'],
  [/^the same rows materialized/, 'Row objects are built on the main thread, 4 properties per row.'],
  [/^bounded memory/, 'Most of the peak is fixed: three parquet-wasm instances (main thread for inline encodes, 2 workers) whose linear memory grows to what a 1M-row encode needs and never shrinks, and V8 heaps; shared column buffers are freed only when every thread has collected them.'],
  [/^reopen/, 'Replay decodes WAL records (strings back to JS strings), re-appends them, and seals and encodes blocks when they fill.'],
];

async function main(): Promise<void> {
  const rows: ResultRow[] = [];
  const started = Date.now();
  const suites: Array<[string, () => Promise<ResultRow[]>]> = [
    ['ingest', () => ingestSuite(ROWS, RUNS)],
    ['query', () => querySuite(ROWS, quick ? 3 : 10)],
    ['tight', () => tightLoopSuite(ROWS, RUNS, quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000])],
    ['startup', () => startupSuite(ROWS, quick ? 2 : 5)],
    ['encode', async () => [...await encodeSuite(100_000, RUNS * 3), ...await encodeSuite(quick ? 200_000 : 1_000_000, RUNS)]],
    ['durability', () => durabilitySuite(quick)],
    ['timeseries', () => timeseriesSuite(ROWS, quick ? 3 : 10)],
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
    '## What limits the targets not met',
    '',
    ...rows.filter((r) => !r.met).map((r) => `- **${r.workload}** (${r.ratio.toFixed(2)}, target ${r.target}): ${LIMITS.find(([re]) => re.test(r.workload))?.[1] ?? 'not yet profiled.'}`),
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
