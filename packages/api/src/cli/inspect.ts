// Read-only inspection of a database directory, for `btdb info` and `btdb verify`: it takes no
// lock and changes nothing, so it is safe next to a running writer.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  decodeBatch, decodeManifest, emptyManifest, MANIFEST_FILE, nodeStorage, readWal,
  resolveSchema, TABLE_FILE, WAL_DIR, type Manifest, type ResolvedSchema,
} from '@backtracedb/engine';

export interface WalSummary { segments: number; sizeBytes: number; rows: number; firstRowSeq: number | null; damaged: string[]; minTime: bigint | null; maxTime: bigint | null }
export interface TableInfo {
  name: string;
  schema: ResolvedSchema;
  settings: Record<string, unknown>;
  manifest: Manifest;
  blockBytes: number;
  wal: WalSummary;
}

async function exists(path: string): Promise<boolean> {
  try { await stat(path); return true; } catch { return false; }
}

export async function listTables(db: string): Promise<string[]> {
  if (!(await exists(db))) throw new Error(`database ${db} does not exist`);
  const out: string[] = [];
  for (const name of (await readdir(db)).sort()) if (await exists(join(db, name, TABLE_FILE))) out.push(name);
  return out;
}

/** Read the WAL with the engine's own reader, changing nothing: rows of valid records, problems. */
export async function scanWal(dir: string, fromRowSeq: number, schema?: ResolvedSchema): Promise<WalSummary> {
  const types = schema?.columns.map((c) => c.type);
  const s: WalSummary = { segments: 0, sizeBytes: 0, rows: 0, firstRowSeq: null, damaged: [], minTime: null, maxTime: null };
  const read = await readWal(nodeStorage, dir, {
    fromRowSeq,
    onRecord: (rec) => {
      const from = Math.max(fromRowSeq, rec.firstRowSeq);
      s.rows += rec.firstRowSeq + rec.rowCount - from;
      s.firstRowSeq ??= from;
      if (schema === undefined || types === undefined) return;
      // Times of the rows only the log holds (non-decreasing, so first and last suffice).
      const times = decodeBatch(types, rec.rowCount, rec.payload).columns[schema.timeIndex] as BigInt64Array;
      s.minTime ??= times[from - rec.firstRowSeq];
      s.maxTime = times[times.length - 1];
    },
  });
  s.segments = read.segments;
  s.sizeBytes = read.sizeBytes;
  s.damaged = read.problems.map((p) => `${join(dir, p.segment)}: ${p.reason}${p.kind === 'record' ? ` at byte ${p.offset}` : ''}`);
  return s;
}

export async function tableInfo(db: string, name: string): Promise<TableInfo> {
  const dir = join(db, name);
  const meta = JSON.parse(await readFile(join(dir, TABLE_FILE), 'utf8')) as { schema: ResolvedSchema; settings: Record<string, unknown> };
  const schema = resolveSchema(meta.schema);
  const mpath = join(dir, MANIFEST_FILE);
  const manifest = (await exists(mpath)) ? decodeManifest(new Uint8Array(await readFile(mpath)), mpath) : emptyManifest(name);
  const blockBytes = manifest.blocks.reduce((n, b) => n + b.sizeBytes, 0);
  const wal = await scanWal(join(dir, WAL_DIR), manifest.durableRowCount, schema);
  return { name, schema, settings: meta.settings, manifest, blockBytes, wal };
}

/** Every problem found in one table: block files against the manifest, WAL records. */
export async function verifyTable(db: string, name: string): Promise<{ checked: number; problems: string[] }> {
  const dir = join(db, name);
  const problems: string[] = [];
  let info: TableInfo;
  try {
    info = await tableInfo(db, name);
  } catch (err) {
    return { checked: 0, problems: [`${dir}: ${(err as Error).message}`] };
  }
  let checked = 0;
  for (const b of info.manifest.blocks) {
    const path = join(dir, b.file);
    checked++;
    let bytes: Buffer;
    try { bytes = await readFile(path); } catch { problems.push(`${path}: missing (listed in the manifest)`); continue; }
    if (bytes.byteLength !== b.sizeBytes) problems.push(`${path}: ${bytes.byteLength} bytes, the manifest says ${b.sizeBytes}`);
    else if (crc32(bytes) !== b.checksum) problems.push(`${path}: checksum mismatch`);
  }
  checked += info.wal.segments;
  problems.push(...info.wal.damaged);
  if (info.wal.rows > 0 && info.wal.firstRowSeq !== info.manifest.durableRowCount) {
    problems.push(`${join(dir, WAL_DIR)}: the log starts at row ${info.wal.firstRowSeq}, the blocks end at row ${info.manifest.durableRowCount}`);
  }
  return { checked, problems };
}
