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
import { readOnlySuite } from './readonly.js';
import { nullsSuite } from './nulls.js';
import { lateRowsSuite } from './late-rows.js';
import { compressionSuite } from './compression.js';
import type { ResultRow } from './measure.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const ROWS = quick ? 200_000 : 2_000_000;
const RUNS = quick ? 1 : 3;

/** What limits a workload when its target is not met (from profiles: node --cpu-prof). */
const LIMITS: Array<[RegExp, string]> = [
  [/^append\(\) loop through openInWorker/, 'The remote loop measured 0.71-0.85 M rows/s over this session\'s runs (0.79 before), while the local loop it is divided by got 40-50% faster (encoder threads, the own Parquet writer), so the ratio crossed 3. Per row the remote side pays a comlink call, gathering into typed arrays and a structured clone across the thread.'],
  [/^append\(\) loop/, 'Per row: the generated checker and writer (~100 ns), the caller building the row object and reading BigInts (~150 ns). DuckDB\'s appender pays a native call per value but no JS-side validation.'],
  [/^appendBatch\(\) \(100k rows\) in a loop that never awaits, 100,000-row blocks/, 'Per 100k-row block the appending thread validates and copies the batch, captures it into WAL records and fsyncs them at sync(), and the persist chain writes a block file plus a manifest record with their fsyncs (about 5 fsyncs per block); with 1M-row blocks the same loop reaches 5x. Encoding is no longer the limit: no block was encoded on the appending thread.'],
  [/^appendBatch\(\) with 1% of rows late/, 'Every seal under a window sorts the active block when a late row is in it (timeOrder) and copies the rows it keeps into the next active block (a gather; a plain copy when no row is late); the WAL records of sealed rows are skipped at sync() only up to the last durable seal\'s first unsealed row. The plain case it is divided by got faster this session (its sealed blocks\' WAL records are no longer written at sync(): 3.99 -> 5.5-6.3 M rows/s), so the ratio fell while the late-row rate rose (1.83 -> 2.5 M rows/s). Profile: bench/profile/late-prof.mjs.'],
  [/^same rows in order, under the window/, 'Per seal the window\'s rows (about 5,000) are copied into the next active block and the sealed ones into a block of their own, and the encoder thread waits more often (waitForOne ~60 ms of a 550 ms run); the plain case it is divided by got faster this session (3.99 -> 5.5-6.3 M rows/s) while this one went from 2.97 to 3.1-3.9 M rows/s. Profile: bench/profile/late-prof.mjs.'],
  [/^appendBatch\(\)/, 'String columns cost a Map lookup per row (dictionary codes), the WAL copies every row once more and fsyncs ~30 bytes/row, and block encoding competes for the 2 cores. The numeric columns are copied at memcpy speed.'],
  [/^same, against a plain typed-array copy loop/, 'The copy loop does no validation, no WAL (no copy, no fsync) and no block encoding; see the row above.'],
  [/^first query after open/, 'Profile of a fresh process (node --cpu-prof, bench/profile/first-query.mjs): scan threads take 70-100 ms to load, so the first query\'s scans run on the calling thread; each thread loaded during it takes a core on this 2-core machine (one starts at open, the next when it is up: 120 ms with both at once, 70-90 now). The rest is reading 20 blocks into fresh memory and the kernels before V8 has optimized them. DuckDB starts with its native scan threads ready.'],
  [/^cold filtered count/, 'Per 100k-row block a worker spends ~0.5 ms on the CRC32 of the chunks it reads (integrity is checked on every read), ~0.6 ms unpacking dictionary indices straight into the selection, and ~0.15 ms on the price filters; the main thread reads the chunks and dispatches. DuckDB skips the checksum and decodes with SIMD.'],
  [/^warm repeat/, 'Kernel time over decoded columns on the calling thread (dictionary lookup-table pass, then the two price predicates on the selection). Against the build before this session on this machine and the same files, interleaved, 100 counts each: old 9.6-10.4 ms, new 9.4-10.1 ms, so not slower; the ratio to DuckDB moves around 1 between runs.'],
  [/^2 scan workers against 1/, 'The scan itself scales (the same scans in two bare worker threads run 2x faster than in one); what does not is the main thread, which reads the chunks and dispatches every block, and the file reads on the libuv threads, all on the same 2 cores.'],
  [/^the same rows materialized/, 'Row objects are built on the main thread, 4 properties per row.'],
  [/^peak RSS/, 'Down from 895 MiB (three parquet-wasm heaps) to ~560 MiB: no parquet-wasm anywhere in steady state, one encoder thread on 2 cores. The process heap and external memory of the appending thread stay under ~100 MiB; the rest grows outside it (RSS climbs from ~150 to ~480 MiB over the first 10M rows, then stays): shared buffers of sealed raw blocks are returned only when every thread that saw them has collected them, and the encoder thread\'s heap.'],
  [/^bounded memory/, 'The peak of the first half is now much lower (389-541 MiB over runs, against 810 before), so the same plateau reads as more growth: RSS climbs over the first ~10M rows and then flattens (a probe printing memoryUsage every 1M rows: 150 -> 480 MiB by 10M, heap and external under 100 MiB throughout). Shared column buffers are freed only when every thread that saw them has collected them.'],
  [/^count by symbol/, 'Per block the scan decodes the symbol column and counts dictionary codes per group in the pool; DuckDB answers from its own row-group statistics and SIMD hashing. The first run also starts the scan threads. Not yet profiled further.'],
  [/^read-only open \+ first/, 'Each live open costs ~2-2.5 ms more than the closed one; the queries match (bench/profile/read-only-live.mjs, 30 interleaved opens). The extra is reading the 2.8 MB of the 100k rows only the writer\'s WAL holds and checking their CRC32 (~0.4 ms read, ~0.55-0.9 ms CRC against an empty WAL), and copying them into the reader\'s in-memory block, whose fresh pages fault in at ~0.6 ms per MB on this VM (now while the segment is read). The closed table reads the same rows as one more Parquet block, and only the two columns the query needs. Suite runs gave 1.09-1.17 over the last session\'s final code; a run above 1.2 is the run-to-run spread of this shared machine.'],
  [/^cold filtered count over zstd/, 'zstd pages are inflated by the reference C library compiled to wasm (@bokuweb/zstd-wasm), ~250 MB/s on this machine against ~350 MB/s for our snappy and a plain copy for none; every cold read of the price column inflates ~0.5 MB per row group. DuckDB, with native zstd, also slows down on the same files (see the note). Warm queries are unaffected: the decoded-block cache holds inflated columns.'],
  [/^cold filtered count over snappy/, 'Snappy pages are inflated by our own decoder (snappy.ts, ~350 MB/s); the price column barely compresses (0.6), so most of it is literal copies.'],
  [/^ingest with zstd/, 'zstd compresses at ~110 MB/s per encoder thread (wasm), so with large blocks the single encoder thread of a 2-core machine becomes the limit.'],
  [/^reopen/, 'Replay checks each WAL record\'s CRC32 and copies its columns into the active block (string codes mapped once per dictionary entry), and seals and encodes blocks when they fill.'],
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
    ['readonly', () => readOnlySuite(ROWS, quick ? 2 : 15)],
    ['nulls', () => nullsSuite(ROWS, RUNS)],
    ['late-rows', () => lateRowsSuite(ROWS, RUNS)],
    ['compression', () => compressionSuite(ROWS, RUNS, quick ? 3 : 10)],
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
