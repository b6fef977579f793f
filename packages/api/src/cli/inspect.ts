// Read-only inspection of a database directory, for `btdb info` and `btdb verify`: it takes no
// lock and changes nothing, so it is safe next to a running writer.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { DROPPED_FILE,
  auditTableDir, decodeRecordBatch, ReaderLease, decodeTableMeta, firstWalSegment, LEGACY_MANIFEST_FILE, loadManifest, nodeStorage, parseManifestFileName, readWal, replayStartOf, schemaToJson,
  TABLE_FILE, WAL_DIR, type LoadedManifest, type Manifest, type ReplayStart, type ResolvedSchema,
} from '@backtracedb/engine';
import { checkBlockSchema } from './block-schema.js';

export interface WalSummary {
  segments: number; sizeBytes: number; rows: number; firstRowSeq: number | null; damaged: string[]; minTime: bigint | null; maxTime: bigint | null;
  /** Whether a damaged record is in the newest segment (where a live writer may be writing it). */
  damagedTail: boolean;
  /** Problems seen only while a writer was changing the table (stableTableInfo): not confirmed. */
  unconfirmed?: number;
}
export interface TableInfo {
  name: string;
  schema: ResolvedSchema;
  settings: Record<string, unknown>;
  manifest: Manifest;
  /** The manifest as loaded: its file and any unreadable last record. */
  loaded: LoadedManifest;
  blockBytes: number;
  wal: WalSummary;
}

async function exists(path: string): Promise<boolean> {
  try { await stat(path); return true; } catch { return false; }
}

export async function listTables(db: string): Promise<string[]> {
  if (!(await exists(db))) throw new Error(`database ${db} does not exist`);
  const out: string[] = [];
  // A directory that has table files but lost table.json is listed too: verify names what is wrong.
  for (const name of (await readdir(db)).sort()) {
    const entries = await readdir(join(db, name)).catch(() => [] as string[]);
    if (entries.includes(DROPPED_FILE)) continue; // a drop a crash cut short: gone
    if (entries.includes(TABLE_FILE) || entries.some((e) => e === WAL_DIR || e === LEGACY_MANIFEST_FILE || parseManifestFileName(e) !== null)) out.push(name);
  }
  return out;
}

/** Read the WAL with the engine's own reader, changing nothing: rows of valid records, problems. */
export async function scanWal(dir: string, fromRowSeq: number, schema?: ResolvedSchema, sealed?: ReplayStart): Promise<WalSummary> {
  const s: WalSummary = { segments: 0, sizeBytes: 0, rows: 0, firstRowSeq: null, damaged: [], minTime: null, maxTime: null, damagedTail: false };
  const read = await readWal(nodeStorage, dir, {
    fromRowSeq,
    onRecord: (rec) => {
      const from = Math.max(fromRowSeq, rec.firstRowSeq);
      s.rows += rec.firstRowSeq + rec.rowCount - from;
      s.firstRowSeq ??= from;
      if (schema === undefined) return;
      // Times of the rows only the log holds (late rows may be older than earlier ones).
      const times = decodeRecordBatch(schema.columns, rec).columns[schema.timeIndex] as BigInt64Array;
      for (let i = from - rec.firstRowSeq; i < times.length; i++) {
        // Under an outOfOrderWindow, rows the last seal took are in blocks, not only in the log.
        if (sealed?.sealedTime != null && rec.firstRowSeq + i < sealed.sealedRowSeq && times[i] <= sealed.sealedTime) { s.rows--; continue; }
        if (s.minTime === null || times[i] < s.minTime) s.minTime = times[i];
        if (s.maxTime === null || times[i] > s.maxTime) s.maxTime = times[i];
      }
    },
  });
  s.segments = read.segments;
  s.sizeBytes = read.sizeBytes;
  s.damaged = read.problems.map((p) => `${join(dir, p.segment)}: ${p.reason}${p.kind === 'record' ? ` at byte ${p.offset}` : ''}`);
  s.damagedTail = read.problems.some((p) => p.kind === 'record' && p.segment === read.newestSegment);
  return s;
}

export async function tableInfo(db: string, name: string): Promise<TableInfo> {
  const dir = join(db, name);
  const metaPath = join(dir, TABLE_FILE);
  const metaBytes = await readFile(metaPath).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `${metaPath} is missing` : err.message);
  });
  const meta = decodeTableMeta(new Uint8Array(metaBytes), metaPath, name);
  const loaded = await loadManifest(nodeStorage, dir);
  if (loaded === null) throw new Error(`the manifest is missing in ${dir} (table.json exists)`);
  const manifest = loaded.manifest;
  const blockBytes = manifest.blocks.reduce((n, b) => n + b.sizeBytes, 0);
  // Under an outOfOrderWindow the log is kept from the last seal's first unsealed row.
  const start = replayStartOf(manifest);
  const wal = await scanWal(join(dir, WAL_DIR), start.fromRowSeq, meta.schema, start);
  return { name, schema: meta.schema, settings: { ...meta.settings }, manifest, loaded, blockBytes, wal };
}

/** Attempts at the checks that compare files with each other, for one during which the table held still. */
export const VERIFY_ATTEMPTS = 8;

export interface VerifyResult {
  checked: number;
  problems: string[];
  /** Problems a writer running meanwhile may have caused, not confirmed in any attempt (not damage). */
  unconfirmed: number;
}

/**
 * Every problem found in one table: damaged metadata, block files against the manifest and
 * against table.json's schema, WAL records, and files nothing accounts for.
 *
 * Next to a live writer: a read lease keeps every block file the manifest lists while they
 * are read, and a problem that compares files with each other (the directory against the
 * manifest, the WAL against the blocks' end, a record at the WAL's tail) counts only when
 * found in an attempt during which the manifest and the WAL did not change. A writer sealing
 * blocks between the reads otherwise looked like a lost manifest record (30 of 30 runs next
 * to a writer sealing every few ms).
 */
export async function verifyTable(db: string, name: string): Promise<VerifyResult> {
  const dir = join(db, name);
  const lease = new ReaderLease(nodeStorage, dir);
  const pin = await lease.pin(0); // below every generation: no file is removed under the reads
  try {
    let last: Found | null = null;
    const verified = new Map<string, string | null>(); // block files read and checked (their problem): later attempts only look for them
    let checked = 0;
    const damage = new Set<string>(); // what no writer causes, from every attempt: an attempt cut short by a vanished file finds none
    for (let attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
      const before = await stateOf(dir);
      const found = await verifyOnce(db, name, verified);
      for (const p of found.problems) damage.add(p);
      checked = Math.max(checked, found.checked);
      if (found.volatile.length === 0 && found.tail.length === 0) return { checked: found.checked, problems: found.problems, unconfirmed: 0 };
      if (heldStill(before, await stateOf(dir), found.tail.length > 0)) return { checked: found.checked, problems: [...found.problems, ...found.volatile, ...found.tail], unconfirmed: 0 };
      last = found;
      await new Promise((r) => setTimeout(r, 10 * (attempt + 1)));
    }
    return { checked, problems: [...damage], unconfirmed: (last?.volatile.length ?? 0) + (last?.tail.length ?? 0) };
  } finally {
    pin.release();
    await lease.close();
  }
}

/**
 * tableInfo for `btdb info` next to a live writer: read again while a file vanished during the
 * read, or the WAL showed damage while the table changed (a seal between the manifest read
 * and the WAL read looks like a gap in the log). Damage seen while the table held still stays.
 */
export async function stableTableInfo(db: string, name: string): Promise<TableInfo> {
  const dir = join(db, name);
  for (let attempt = 1; ; attempt++) {
    const before = await stateOf(dir);
    let info: TableInfo;
    try {
      info = await tableInfo(db, name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= VERIFY_ATTEMPTS) throw err;
      continue;
    }
    if (info.wal.damaged.length === 0) return info;
    if (heldStill(before, await stateOf(dir), info.wal.damagedTail)) return info;
    if (attempt >= VERIFY_ATTEMPTS) return { ...info, wal: { ...info.wal, damaged: [], unconfirmed: info.wal.damaged.length } };
  }
}

/** What a writer changes: the table's files (manifest files with their sizes, WAL segments), and the newest segment's size. */
interface TableState { files: string; tailBytes: number | null }

async function stateOf(dir: string): Promise<TableState> {
  const sizeOf = async (path: string) => (await stat(path).catch(() => null))?.size ?? null;
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  const manifests = await Promise.all(names.filter((n) => n === LEGACY_MANIFEST_FILE || parseManifestFileName(n) !== null).map(async (n) => `${n}:${await sizeOf(join(dir, n))}`));
  const walDir = join(dir, WAL_DIR);
  const segments = (await readdir(walDir).catch(() => [] as string[])).filter((n) => n.endsWith('.wal')).sort();
  const newest = segments.at(-1);
  return { files: [...names, '|', ...manifests, '|', ...segments].join(' '), tailBytes: newest === undefined ? null : await sizeOf(join(walDir, newest)) };
}

/** No file changed between the two states; the WAL's newest segment grows with every append, so its size counts only for a problem at its tail. */
function heldStill(before: TableState, after: TableState, tailProblem: boolean): boolean {
  return after.files === before.files && (!tailProblem || after.tailBytes === before.tailBytes);
}

/**
 * One pass of the checks. `problems` hold whatever a writer running meanwhile cannot cause;
 * `volatile` the comparisons between files it changes; `tail` damage at the WAL's newest end.
 */
interface Found { checked: number; problems: string[]; volatile: string[]; tail: string[] }

async function verifyOnce(db: string, name: string, verified: Map<string, string | null>): Promise<Found> {
  const dir = join(db, name);
  const problems: string[] = [];
  const volatile: string[] = [];
  const tail: string[] = [];
  let info: TableInfo;
  try {
    info = await tableInfo(db, name);
  } catch (err) {
    // A file that vanished while being read (a WAL segment retired, a manifest replaced) is a
    // writer at work: only confirmed once the table holds still.
    const gone = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { checked: 0, problems: gone ? [] : [`${dir}: ${(err as Error).message}`], volatile: gone ? [`${dir}: ${(err as Error).message}`] : [], tail: [] };
  }
  const { loaded } = info;
  const manifestPath = join(dir, loaded.file);
  let checked = 2;
  // An incomplete last record is an append a crash interrupted (the next open drops it); a
  // whole record that fails its checksum was changed after it was written.
  if (loaded.tail?.complete === true) problems.push(`${manifestPath}: the last record (byte ${loaded.tail.offset}) fails its checksum`);
  if (loaded.manifest.schema !== null && JSON.stringify(loaded.manifest.schema) !== JSON.stringify(schemaToJson(info.schema))) {
    problems.push(`${manifestPath}: its schema differs from ${join(dir, TABLE_FILE)}`);
  }
  for (const b of info.manifest.blocks) {
    const path = join(dir, b.file);
    checked++;
    const earlier = verified.get(b.file);
    if (earlier !== undefined) {
      // Read whole in an earlier attempt: a block file never changes, only whether it is there.
      if (!(await exists(path))) volatile.push(`${path}: missing (listed in the manifest)`);
      else if (earlier !== null) problems.push(earlier);
      continue;
    }
    let bytes: Buffer;
    try { bytes = await readFile(path); } catch { volatile.push(`${path}: missing (listed in the manifest)`); continue; }
    let problem: string | null = null;
    if (bytes.byteLength !== b.sizeBytes) problem = `${path}: ${bytes.byteLength} bytes, the manifest says ${b.sizeBytes}`;
    else if (crc32(bytes) !== b.checksum) problem = `${path}: checksum mismatch`;
    else {
      const bad = checkBlockSchema(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), info.schema, b.rowCount);
      if (bad !== null) problem = `${path}: ${bad}`;
    }
    verified.set(b.file, problem);
    if (problem !== null) problems.push(problem);
  }
  const audit = auditTableDir(await readdir(dir), loaded);
  for (const f of [...audit.unlistedBlocks, ...audit.unexpected]) volatile.push(`${join(dir, f)}: orphaned (not listed in the manifest, not a file the engine writes)`);
  // The block named by the manifest's end is an interrupted write while the WAL still holds its
  // rows (the next open removes it); once the WAL starts past it, the manifest lost a record.
  const firstWal = await firstWalSegment(nodeStorage, join(dir, WAL_DIR));
  if (audit.inFlight.length > 0 && firstWal !== null && firstWal > info.manifest.durableRowCount) {
    volatile.push(`${join(dir, audit.inFlight[0])}: not listed in the manifest, and the WAL starts at row ${firstWal}: the manifest may have lost records`);
  }
  checked += info.wal.segments;
  // A segment starting past the one before is the writer skipping rows its blocks hold when a
  // seal lands between the manifest read and the WAL read: a comparison, like the ones above.
  (info.wal.damagedTail ? tail : volatile).push(...info.wal.damaged);
  const walFrom = replayStartOf(info.manifest).fromRowSeq;
  if (info.wal.rows > 0 && info.wal.firstRowSeq !== walFrom) {
    volatile.push(`${join(dir, WAL_DIR)}: the log starts at row ${info.wal.firstRowSeq}, the blocks end at row ${walFrom}`);
  }
  return { checked, problems, volatile, tail };
}
