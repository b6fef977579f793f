// `btdb import`: stream a CSV file into a table in batches, with a progress bar. A bad line
// is reported with its line number and reason and skipped; good lines are kept.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import cliProgress from 'cli-progress';
import type { ResolvedSchema } from '@backtracedb/engine';
import type { Table } from '../table.js';
import { parseValue } from './values.js';

export const IMPORT_BATCH_ROWS = 50_000;
/** Bad lines reported one by one; past this only counted. */
const MAX_REPORTED = 100;

export interface ImportSummary { imported: number; skipped: number; bytes: number; ms: number }

export async function importCsv(table: Table, schema: ResolvedSchema, file: string, opts: { progress: boolean; report: (line: string) => void }): Promise<ImportSummary> {
  const size = (await stat(file)).size;
  const t0 = performance.now();
  const stream = createReadStream(file);
  let bytes = 0;
  stream.on('data', (chunk: Buffer | string) => { bytes += chunk.length; });
  const parser = stream.pipe(parse({ columns: true, skip_empty_lines: true, relax_column_count: true, info: true }));
  const bar = opts.progress ? new cliProgress.SingleBar({
    format: 'importing [{bar}] {percentage}% | {rows} rows | {rate} rows/s | {mb}/{total_mb} MB | ETA {eta_formatted}',
    stream: process.stderr, hideCursor: true,
  }, cliProgress.Presets.shades_classic) : null;
  bar?.start(size, 0, { rows: 0, rate: 0, mb: '0.0', total_mb: (size / 1e6).toFixed(1) });

  const names = schema.columns.map((c) => c.name);
  let batch: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
  let inBatch = 0;
  let imported = 0;
  let skipped = 0;
  let lastTime: bigint | null = table.lastTimestamp;
  const flush = () => {
    if (inBatch === 0) return;
    imported += table.appendBatch(batch as never);
    batch = Object.fromEntries(names.map((n) => [n, []]));
    inBatch = 0;
  };
  const bad = (line: number, why: string) => {
    skipped++;
    if (skipped <= MAX_REPORTED) opts.report(`line ${line}: ${why}`);
    else if (skipped === MAX_REPORTED + 1) opts.report('(more bad lines: only counted from here on)');
  };
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const line = rec.info.lines;
    const values: unknown[] = [];
    let why: string | null = null;
    for (const c of schema.columns) {
      const text = rec.record[c.name];
      if (text === undefined) { why = `missing column "${c.name}"`; break; }
      try { values.push(parseValue(c.type, text)); } catch (err) { why = `column "${c.name}": ${(err as Error).message}`; break; }
    }
    if (why === null) {
      const t = values[schema.timeIndex] as bigint;
      if (lastTime !== null && t < lastTime) why = `column "${schema.timeColumn}": time goes backwards (${t} after ${lastTime})`;
      else lastTime = t;
    }
    if (why !== null) { bad(line, why); continue; }
    names.forEach((n, i) => batch[n].push(values[i]));
    if (++inBatch >= IMPORT_BATCH_ROWS) {
      flush();
      await table.sync();
      const secs = (performance.now() - t0) / 1000;
      bar?.update(bytes, { rows: imported, rate: Math.round(imported / secs), mb: (bytes / 1e6).toFixed(1) });
    }
  }
  flush();
  await table.sync();
  bar?.update(size, { rows: imported, rate: Math.round(imported / ((performance.now() - t0) / 1000)), mb: (size / 1e6).toFixed(1) });
  bar?.stop();
  return { imported, skipped, bytes: size, ms: performance.now() - t0 };
}
