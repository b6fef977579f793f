// Export the rows a reader selects to a Parquet file (the engine's own block encoder, so any
// Parquet reader can open it) or a CSV file. Files appear atomically, through the engine's
// atomic-file helpers (temp file, fsync, rename, directory fsync); a failed export leaves no
// temp file behind.
import { rm } from 'node:fs/promises';
import {
  atomicTempPath, nodeStorage, writeFileAtomic, writeFileAtomicFrom, type ColumnDef, type ColumnView, type ResolvedSchema, type ScanResult, type Storage,
} from '@backtracedb/engine';
import { valueAt } from './rows.js';
import { formatIsoTime } from '@backtracedb/engine';
import { timestampUnitOf, type TimeSpec } from './arrow-out.js';

/** One set of column views from many scan results (strings re-coded into one dictionary). */
export function concatResults(results: readonly ScanResult[], defs: readonly ColumnDef[]): { rowCount: number; columns: ColumnView[] } {
  const rowCount = results.reduce((n, r) => n + r.rowCount, 0);
  const columns = defs.map((d, c): ColumnView => {
    switch (d.type) {
      case 'int64': { const out = new BigInt64Array(rowCount); let at = 0; for (const r of results) { out.set(r.columns[c].values as BigInt64Array, at); at += r.rowCount; } return { type: 'int64', values: out }; }
      case 'float64': { const out = new Float64Array(rowCount); let at = 0; for (const r of results) { out.set(r.columns[c].values as Float64Array, at); at += r.rowCount; } return { type: 'float64', values: out }; }
      case 'bool': { const out = new Uint8Array(rowCount); let at = 0; for (const r of results) { out.set(r.columns[c].values as Uint8Array, at); at += r.rowCount; } return { type: 'bool', values: out }; }
      case 'string': {
        const out = new Int32Array(rowCount);
        const dictionary: string[] = [];
        const codeOf = new Map<string, number>();
        let at = 0;
        for (const r of results) {
          const v = r.columns[c] as Extract<ColumnView, { type: 'string' }>;
          const remap = v.dictionary.map((s) => { let k = codeOf.get(s); if (k === undefined) { k = dictionary.length; dictionary.push(s); codeOf.set(s, k); } return k; });
          for (let i = 0; i < r.rowCount; i++) out[at + i] = remap[v.values[i]];
          at += r.rowCount;
        }
        return { type: 'string', values: out, dictionary };
      }
    }
  });
  return { rowCount, columns };
}

/** Run a write of `path`; when it fails, remove its temp file (then rethrow). */
async function cleaningUp<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    // node's rm, not Storage.remove: without `recursive` it refuses a directory, so a
    // directory that happens to have the temp name is never deleted.
    await rm(atomicTempPath(path), { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Every row of `results` to a Parquet file; no rows gives a file with the schema and 0 rows. */
/** Given the table's schema with a timeUnit, its time column (when selected) is written as a Parquet TIMESTAMP, as in block files. */
export async function writeParquetFile(path: string, tableOrName: string | Pick<ResolvedSchema, 'name' | 'timeColumn' | 'timeUnit'>, defs: readonly ColumnDef[], results: readonly ScanResult[], storage: Storage = nodeStorage): Promise<number> {
  const { rowCount, columns } = concatResults(results.filter((r) => r.rowCount > 0), defs);
  const table = typeof tableOrName === 'string' ? { name: tableOrName, timeColumn: defs[0].name, timeUnit: null } : tableOrName;
  const schema = {
    name: table.name, timeColumn: table.timeColumn, columns: defs.map((d) => ({ name: d.name, type: d.type })),
    ...(table.timeUnit === null ? {} : { timeUnit: table.timeUnit }),
  };
  // The encoder (parquet-wasm) loads on first export only.
  const { encodeParquet } = await import('@backtracedb/workers/encode');
  const bytes = encodeParquet(schema, columns, rowCount, 65_536);
  await cleaningUp(path, () => writeFileAtomic(storage, path, bytes));
  return rowCount;
}

function csvField(v: unknown): string {
  const s = typeof v === 'bigint' ? v.toString() : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}

/** A header line, then one line per row; with `time` of a table with a timeUnit, its time column as ISO-8601 text. */
export async function writeCsvFile(path: string, defs: readonly ColumnDef[], results: AsyncIterable<ScanResult>, storage: Storage = nodeStorage, time: TimeSpec = null): Promise<number> {
  let rows = 0;
  const units = defs.map((d) => timestampUnitOf(time, d.name, d.type));
  const text = (v: unknown, c: number): unknown => { const u = units[c]; return u !== null && typeof v === 'bigint' ? formatIsoTime(v, u) : v; };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(`${csvLine(defs.map((d) => d.name))}\n`);
    for await (const r of results) {
      const lines: string[] = [];
      for (let i = 0; i < r.rowCount; i++) lines.push(csvLine(r.columns.map((v, c) => text(valueAt(v, i), c))));
      if (lines.length > 0) yield Buffer.from(`${lines.join('\n')}\n`);
      rows += r.rowCount;
    }
  }
  await cleaningUp(path, () => writeFileAtomicFrom(storage, path, chunks()));
  return rows;
}
