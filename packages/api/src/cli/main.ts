#!/usr/bin/env node
// btdb: the command-line tool of backtracedb. Exit codes: 0 done, 1 failed or damage found,
// 2 wrong usage.
import { Command, CommanderError } from 'commander';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatIsoTime, resolveSchema, type ColumnType, type TableSchema, type TimeUnit } from '@backtracedb/engine';
import { open } from '../database.js';
import { writeCsvFile } from '../export.js';
import { listTables, stableTableInfo, VERIFY_ATTEMPTS, verifyTable } from './inspect.js';
import { runQuery, shapeQuery, type OutputFormat, type TimeSeriesFlags } from './query.js';
import { parseWhere } from './values.js';
import { compactCommand, deleteBeforeCommand, dropCommand, parseCutoff } from './life.js';

class UsageError extends Error {}

const collect = (v: string, prev: string[]): string[] => [...prev, v];
/** A mistake in the command's words, not a failure of the database: exit code 2. */
function usage<T>(fn: () => T): T {
  try { return fn(); } catch (err) { throw new UsageError((err as Error).message); }
}
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

/**
 * One-shot reads: read-only (no lock, nothing written, so they work next to a live writer),
 * no worker threads to start, scans on this thread (a process that lives for one query).
 */
const ONE_SHOT = { poolSize: 0, readOnly: true } as const;

/**
 * The directory of an existing database. Checked before open(), which would create a missing
 * one: a mistyped path must fail, not leave an empty database behind.
 */
async function existingDatabase(dbPath: string): Promise<string> {
  const db = resolve(dbPath);
  const st = await stat(db).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new Error(`database ${db} does not exist`);
    throw new Error(`database ${db}: ${err.message}`);
  });
  if (!st.isDirectory()) throw new Error(`database ${db} is not a directory`);
  return db;
}

function parseCreate(spec: string, time: string | undefined, table: string, timeUnit?: string): TableSchema {
  const columns = spec.split(',').map((part) => {
    const [name, type, extra, ...more] = part.split(':').map((s) => s.trim());
    if (name === undefined || type === undefined || name === '' || more.length > 0 || (extra !== undefined && extra !== 'nullable')) {
      throw new UsageError(`--create "${spec}": expected "name:type,…" with types int64, float64, string, bool (and ":nullable" for a column that may hold nulls)`);
    }
    return extra === 'nullable' ? { name, type: type as ColumnType, nullable: true } : { name, type: type as ColumnType };
  });
  const timeColumn = time ?? columns.find((c) => c.type === 'int64')?.name;
  if (timeColumn === undefined) throw new UsageError('--create needs --time <column> (an int64 column)');
  // An unknown unit is refused by resolveSchema, with the accepted ones named.
  return timeUnit === undefined ? { name: table, timeColumn, columns } : { name: table, timeColumn, timeUnit: timeUnit as TimeUnit, columns };
}

async function info(dbPath: string): Promise<void> {
  const db = await existingDatabase(dbPath);
  const tables = await listTables(db);
  console.log(`database ${db}: ${tables.length} table${tables.length === 1 ? '' : 's'}`);
  for (const name of tables) {
    // One damaged table does not hide the others: name its problem and go on.
    const t = await stableTableInfo(db, name).catch((err: Error) => { console.log(`\ntable ${name}\n  DAMAGED: ${err.message} (run btdb verify)`); return null; });
    if (t === null) continue;
    const m = t.manifest;
    console.log(`\ntable ${name}`);
    const unit = t.schema.timeUnit;
    console.log(`  schema:   ${t.schema.columns.map((c) => `${c.name}:${c.type}${c.nullable === true ? ' nullable' : ''}`).join(', ')} (time column ${t.schema.timeColumn}${unit === null ? '' : `, timeUnit ${unit}`})`);
    console.log(`  settings: ${Object.entries(t.settings).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
    const inBlocks = m.blocks.reduce((n, b) => n + b.rowCount, 0);
    console.log(`  rows:     ${(inBlocks + t.wal.rows).toLocaleString('en-US')} (${inBlocks.toLocaleString('en-US')} in blocks, ${t.wal.rows.toLocaleString('en-US')} only in the WAL)`);
    console.log(`  life:     retention ${t.settings.retention === null ? 'none (rows kept)' : String(t.settings.retention)}, compression ${t.settings.compression}`);
    const first = m.blocks[0];
    const last = m.blocks[m.blocks.length - 1];
    const minTime = first?.minTime ?? t.wal.minTime;
    const maxTime = t.wal.maxTime ?? last?.maxTime ?? null;
    const shown = (v: bigint | null): string => (v === null || unit === null ? String(v) : `${formatIsoTime(v, unit)} (${v})`);
    console.log(`  time:     ${minTime === null || minTime === undefined ? '(empty)' : `${shown(minTime)} .. ${shown(maxTime)}`}`);
    console.log(`  blocks:   ${m.blocks.length}, ${mib(t.blockBytes)} on disk`);
    const unsettled = (t.wal.unconfirmed ?? 0) > 0 ? ' (a writer kept changing it while it was read: run btdb verify to check it)' : '';
    console.log(`  WAL:      ${t.wal.segments} segment${t.wal.segments === 1 ? '' : 's'}, ${mib(t.wal.sizeBytes)}${t.wal.damaged.length > 0 ? `, DAMAGED: ${t.wal.damaged.join('; ')}` : ''}${unsettled}`);
  }
}

async function verify(dbPath: string): Promise<number> {
  const db = await existingDatabase(dbPath);
  let bad = 0;
  let checked = 0;
  for (const name of await listTables(db)) {
    const r = await verifyTable(db, name);
    checked += r.checked;
    for (const p of r.problems) console.log(`DAMAGED ${p}`);
    if (r.unconfirmed > 0) console.log(`table ${name}: ${r.unconfirmed} file comparison${r.unconfirmed === 1 ? '' : 's'} not confirmed: a writer changed the table during each of ${VERIFY_ATTEMPTS} attempts (run verify again, or with the writer stopped)`);
    bad += r.problems.length;
  }
  console.log(bad === 0 ? `ok: ${checked} files checked, nothing damaged` : `${bad} problem${bad === 1 ? '' : 's'} in ${db}`);
  return bad === 0 ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('btdb')
    .description('BacktraceDB command-line tool: inspect, query, import, export and verify a database directory')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program.command('info').argument('<db>', 'database directory')
    .description('every table with its schema, row count, time range, blocks, bytes on disk and WAL size (read-only, no lock)')
    .action(async (db: string) => { await info(db); });

  program.command('compact').argument('<db>').argument('<table>')
    .description('merge adjacent sealed blocks into blocks of up to maxBlockSize rows (takes the writer lock)')
    .action(async (db: string, table: string) => { await compactCommand(await existingDatabase(db), table, (s) => process.stdout.write(s)); });

  program.command('drop').argument('<db>').argument('<table>')
    .description('drop a table and its files, durably (takes the writer lock)')
    .action(async (db: string, table: string) => { await dropCommand(await existingDatabase(db), table, (s) => process.stdout.write(s)); });

  program.command('delete-before').argument('<db>').argument('<table>').argument('<cutoff>', 'time-column value; rows with time < cutoff are removed')
    .description('remove every row older than the cutoff, durably (takes the writer lock)')
    .action(async (db: string, table: string, cutoff: string) => {
      const at = usage(() => parseCutoff(cutoff));
      await deleteBeforeCommand(await existingDatabase(db), table, at, (s) => process.stdout.write(s));
    });

  program.command('query').argument('<db>').argument('<table>')
    .description('print the rows that pass the filters')
    .option('--where <clause>', 'a filter "<column> <op> <value>", op one of == != > >= < <=, or "<column> isNull|isNotNull" (repeatable, AND)', collect, [])
    .option('--select <columns>', 'comma-separated columns to print')
    .option('--limit <n>', 'print at most n rows')
    .option('--format <format>', 'table, csv or json (one object per line, int64 exact)', 'table')
    .option('--order <direction>', 'asc (time order, the default) or desc (newest first)')
    .option('--agg <value>', 'aggregate: "name=fn:column" or "name=count", fn one of count sum min max avg first last (repeatable)', collect, [])
    .option('--every <n>', 'with --agg: time buckets of n time-column units (with a timeUnit also a duration: 90s, 1m, 4h, 1d)')
    .option('--origin <t>', 'with --every: buckets start at origin + k*every (default 0; with a timeUnit also an ISO-8601 time)')
    .option('--by <columns>', 'with --agg: comma-separated group keys (string, bool or int64 columns)')
    .option('--fill <mode>', 'with --every: none, null or previous (emit empty buckets)')
    .option('--latest <columns>', 'the newest row per value of these comma-separated columns')
    .action(async (dbPath: string, name: string, o: { where: string[]; select?: string; limit?: string; format: string } & TimeSeriesFlags) => {
      if (!['table', 'csv', 'json'].includes(o.format)) throw new UsageError(`--format must be table, csv or json, not "${o.format}"`);
      const limit = o.limit === undefined ? Infinity : Number(o.limit);
      if (!(limit >= 0) || (limit !== Infinity && !Number.isSafeInteger(limit))) throw new UsageError(`--limit must be a non-negative integer, not "${o.limit}"`);
      const db = await open(await existingDatabase(dbPath), ONE_SHOT);
      try {
        const t = await db.openTable(name);
        let r = t.reader();
        for (const w of o.where) { const [c, op, v] = usage(() => parseWhere(t.schema, w)); r = r.where(c, op, v); }
        if (o.select !== undefined) r = r.select(o.select.split(',').map((s) => s.trim()));
        if (limit !== Infinity && o.agg.length === 0 && o.latest === undefined) r.limit(limit); // read only the blocks needed
        const output = usage(() => shapeQuery(r as never, t.schema.timeColumn, o));
        await runQuery(output, o.format as OutputFormat, limit, (s) => process.stdout.write(s));
      } finally {
        await db.close();
      }
    });

  program.command('import').argument('<db>').argument('<table>').argument('<file>', 'CSV file with a header line naming the columns')
    .description('stream a CSV file into a table; bad lines are reported with their line numbers and skipped (exit 1 if any was)')
    .option('--create <columns>', 'create the table first: "ts:int64,symbol:string,price:float64:nullable,…"')
    .option('--time <column>', 'the time column of --create (default: the first int64 column)')
    .option('--time-unit <unit>', 'with --create: the time column\'s unit, s, ms, us or ns (then ISO-8601 times are accepted and printed)')
    .option('--no-progress', 'no progress bar')
    .action(async (dbPath: string, name: string, file: string, o: { create?: string; time?: string; timeUnit?: string; progress: boolean }) => {
      // Every input is checked before anything is created: the --create words, the file, its
      // header against the columns, and (without --create) that the database exists.
      const create = o.create === undefined ? null : usage(() => { const s = parseCreate(o.create as string, o.time, name, o.timeUnit); return { schema: s, resolved: resolveSchema(s) }; });
      // Loaded here only: the CSV parser and the progress bar cost start-up time elsewhere.
      // One after the other: concurrent first imports of modules that share a CommonJS
      // dependency crashed Node 20's loader (an assertion in CreateRequiredModuleFacade).
      const { openCsv } = await import('./csv-source.js');
      const { fieldIndexes, importCsv } = await import('./import-csv.js');
      const src = await openCsv(file);
      try {
        if (create !== null) usage(() => fieldIndexes(create.resolved, src));
        const db = await open(create !== null ? dbPath : await existingDatabase(dbPath));
        try {
          const t = create !== null
            ? await db.createTable(create.schema, { enableWal: true, useDiskStorage: true, maxBlockSize: 1_000_000 })
            : await db.openTable(name);
          usage(() => fieldIndexes(t.schema, src));
          const s = await importCsv(t, t.schema, src, { progress: o.progress && process.stderr.isTTY === true, report: (l) => process.stderr.write(`${l}\n`) });
          console.log(`imported ${s.imported.toLocaleString('en-US')} rows, skipped ${s.skipped.toLocaleString('en-US')} bad line${s.skipped === 1 ? '' : 's'} (${mib(s.bytes)} in ${(s.ms / 1000).toFixed(1)} s)`);
          if (s.skipped > 0) code = 1;
        } finally {
          await db.close();
        }
      } finally {
        src.close();
      }
    });

  program.command('export').argument('<db>').argument('<table>').argument('<out>', 'output file: .parquet or .csv')
    .description('write the rows that pass the filters to a Parquet or CSV file')
    .option('--where <clause>', 'a filter "<column> <op> <value>" (repeatable, AND)', collect, [])
    .action(async (dbPath: string, name: string, out: string, o: { where: string[] }) => {
      const format = out.endsWith('.parquet') ? 'parquet' : out.endsWith('.csv') ? 'csv' : null;
      if (format === null) throw new UsageError(`export: the output file must end in .parquet or .csv, not "${out}"`);
      if ((await stat(out).catch(() => null))?.isDirectory() === true) throw new UsageError(`export: "${out}" is a directory, not a file`);
      const db = await open(await existingDatabase(dbPath), ONE_SHOT);
      try {
        const t = await db.openTable(name);
        const filters = o.where.map((w) => usage(() => parseWhere(t.schema, w)));
        let n: number;
        if (format === 'parquet') {
          n = await t.exportParquet(out, { filters });
        } else {
          let r = t.reader();
          for (const [c, op, v] of filters) r = r.where(c, op, v);
          n = await writeCsvFile(out, r.columnDefs(), r.results(false), undefined, t.schema);
        }
        console.log(`exported ${n.toLocaleString('en-US')} rows to ${out}`);
      } finally {
        await db.close();
      }
    });

  program.command('verify').argument('<db>')
    .description('check every block file against the manifest checksum and every WAL record; exit 1 naming each damaged file (read-only)')
    .action(async (db: string) => { code = await verify(db); });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) { process.stderr.write(`btdb: ${err.message}\n`); return 2; }
    process.stderr.write(`btdb: ${(err as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`btdb: ${String(err)}\n`);
  process.exitCode = 1;
});
