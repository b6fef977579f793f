// `btdb import`: stream a CSV file into a table in batches, with a progress bar. A bad line
// is reported with its line number and reason and skipped; good lines are kept.
import cliProgress from 'cli-progress';
import type { ResolvedSchema } from '@backtracedb/engine';
import type { Table } from '../table.js';
import { CsvStopped, type CsvSource } from './csv-source.js';
import { parseColumnValue } from './values.js';

export const IMPORT_BATCH_ROWS = 50_000;
/** Bad lines reported one by one; past this only counted. */
const MAX_REPORTED = 100;

export interface ImportSummary { imported: number; skipped: number; bytes: number; ms: number }

/** Thrown for a header that does not fit the table: a mistake in the input, found before any row is imported. */
export class HeaderError extends Error {}

/**
 * For each schema column, its field index in a record. Every header name must be a column of
 * the table and every column must be named once: otherwise nothing would land where meant.
 */
export function fieldIndexes(schema: ResolvedSchema, src: Pick<CsvSource, 'file' | 'header'>): number[] {
  const seen = new Map<string, number>();
  src.header.forEach((name, i) => {
    if (seen.has(name)) throw new HeaderError(`import: ${src.file}: the header names column "${name}" twice`);
    if (!schema.indexOf.has(name)) throw new HeaderError(`import: ${src.file}: the header names column "${name}", which table "${schema.name}" does not have (its columns: ${schema.columns.map((c) => c.name).join(', ')})`);
    seen.set(name, i);
  });
  return schema.columns.map((c) => {
    const i = seen.get(c.name);
    if (i === undefined) throw new HeaderError(`import: ${src.file}: the header lacks column "${c.name}" of table "${schema.name}"`);
    return i;
  });
}

export async function importCsv(table: Table, schema: ResolvedSchema, src: CsvSource, opts: { progress: boolean; report: (line: string) => void }): Promise<ImportSummary> {
  const fieldOf = fieldIndexes(schema, src);
  const size = src.sizeBytes;
  const t0 = performance.now();
  const bar = opts.progress ? new cliProgress.SingleBar({
    format: 'importing [{bar}] {percentage}% | {rows} rows | {rate} rows/s | {mb}/{total_mb} MB | ETA {eta_formatted}',
    stream: process.stderr, hideCursor: true,
  }, cliProgress.Presets.shades_classic) : null;
  bar?.start(size, 0, { rows: 0, rate: 0, mb: '0.0', total_mb: (size / 1e6).toFixed(1) });

  const names = schema.columns.map((c) => c.name);
  const emptyBatch = (): Record<string, unknown[]> => Object.fromEntries(names.map((n) => [n, []]));
  let batch = emptyBatch();
  let lines: number[] = [];
  let imported = 0;
  let skipped = 0;
  let lastTime: bigint | null = table.lastTimestamp;
  const bad = (line: number, why: string) => {
    skipped++;
    if (skipped <= MAX_REPORTED) opts.report(`line ${line}: ${why}`);
    else if (skipped === MAX_REPORTED + 1) opts.report('(more bad lines: only counted from here on)');
  };
  const flush = () => {
    if (lines.length === 0) return;
    try {
      imported += table.appendBatch(batch as never);
    } catch {
      // The lines were checked one by one, so this should not happen; if the table still
      // rejects the batch (unchanged), find the lines it rejects, so that the good ones land.
      lines.forEach((line, i) => {
        try { imported += table.appendBatch(Object.fromEntries(names.map((n) => [n, [batch[n][i]]])) as never); } catch (err) { bad(line, (err as Error).message); }
      });
    }
    batch = emptyBatch();
    lines = [];
  };
  let stopped: CsvStopped | null = null;
  try {
    for await (const { fields, line } of src.records) {
      let why: string | null = null;
      const values: unknown[] = [];
      if (fields.length !== src.header.length) {
        why = `${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${src.header.length}`;
      } else {
        for (let c = 0; c < names.length && why === null; c++) {
          try { values.push(parseColumnValue(schema, c, fields[fieldOf[c]])); } catch (err) { why = `column "${names[c]}": ${(err as Error).message}`; }
        }
      }
      if (why === null) {
        const t = values[schema.timeIndex] as bigint;
        if (lastTime !== null && t < lastTime) why = `column "${schema.timeColumn}": time goes backwards (${t} after ${lastTime})`;
        else lastTime = t;
      }
      if (why !== null) { bad(line, why); continue; }
      names.forEach((n, i) => batch[n].push(values[i]));
      lines.push(line);
      if (lines.length >= IMPORT_BATCH_ROWS) {
        flush();
        await table.sync();
        const secs = (performance.now() - t0) / 1000;
        bar?.update(src.bytesRead(), { rows: imported, rate: Math.round(imported / secs), mb: (src.bytesRead() / 1e6).toFixed(1) });
      }
    }
  } catch (err) {
    if (!(err instanceof CsvStopped)) { bar?.stop(); throw err; }
    stopped = err;
  }
  // Also when a malformed line stopped the file: the good lines before it are kept.
  flush();
  await table.sync();
  bar?.update(size, { rows: imported, rate: Math.round(imported / ((performance.now() - t0) / 1000)), mb: (size / 1e6).toFixed(1) });
  bar?.stop();
  if (stopped !== null) throw new Error(`${stopped.message} (${imported.toLocaleString('en-US')} rows before it were imported, ${skipped.toLocaleString('en-US')} bad lines skipped)`);
  return { imported, skipped, bytes: size, ms: performance.now() - t0 };
}
