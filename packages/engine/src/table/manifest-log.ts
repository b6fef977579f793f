// The manifest as an append-only log (docs/manifest.md): a generation file
// manifest-<generation>.log holds a snapshot (a `begin` record, then one `add` record per block)
// followed by one `add` record per block written since. Each record is framed as
// [u32 LE payload length][u32 LE CRC32 of length bytes + payload][payload: UTF-8 JSON].
// Appending costs one record per block; a new generation (temp file, fsync, rename) is written
// once the log has grown past twice its snapshot, so the cost per block stays constant.
import { crc32 } from 'node:zlib';
import { schemaToJson, type ResolvedSchema, type TableSchema } from '../schema/schema.js';
import { blockFromJson, blockToJson, manifestOf, manifestWithEnd, MANIFEST_FORMAT, type Manifest, type ManifestBlock, type ManifestEnd } from './manifest.js';
import { parseAnyBlockFileName } from './layout.js';

export const MANIFEST_RECORD_HEADER_BYTES = 8;
/** A record larger than this is damage, not data (a block's record is a few KiB). */
export const MAX_MANIFEST_RECORD_BYTES = 64 * 1024 * 1024;

export function schemaCrcOf(schema: ResolvedSchema | TableSchema): number {
  const s = schema as ResolvedSchema;
  return crc32(JSON.stringify(schemaToJson(s)));
}

export function encodeManifestRecord(payload: Record<string, unknown>): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const out = new Uint8Array(MANIFEST_RECORD_HEADER_BYTES + body.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.byteLength, true);
  out.set(body, MANIFEST_RECORD_HEADER_BYTES);
  view.setUint32(4, crc32(body, crc32(out.subarray(0, 4))), true);
  return out;
}

export function beginRecord(table: string, schema: TableSchema, blockCount: number, end?: ManifestEnd): Record<string, unknown> {
  return { t: 'begin', format: MANIFEST_FORMAT, table, schema, blocks: blockCount, ...(end === undefined ? {} : endFields(end)) };
}

/**
 * The end a snapshot records (written by every snapshot since blocks can be removed; logs
 * without it still read, their end being their last block's).
 */
export function endFields(end: ManifestEnd): Record<string, unknown> {
  return { durableRowCount: end.durableRowCount, lastTime: end.lastTime === null ? null : end.lastTime.toString(), removed: end.removed };
}

/** The end recorded in a begin record, or null when it has none (written before removal existed). */
export function endFromBegin(rec: Record<string, unknown>, path: string): ManifestEnd | null {
  if (rec.durableRowCount === undefined) return null;
  const bad = (what: string) => new Error(`manifest ${path} is damaged: the begin record has ${what}`);
  if (!Number.isSafeInteger(rec.durableRowCount) || (rec.durableRowCount as number) < 0) throw bad('a bad durableRowCount');
  if (rec.lastTime !== null && !(typeof rec.lastTime === 'string' && /^-?\d+$/.test(rec.lastTime))) throw bad('a bad lastTime');
  const removed = rec.removed ?? [];
  if (!Array.isArray(removed) || !removed.every((f) => typeof f === 'string' && parseAnyBlockFileName(f) !== null)) throw bad('a bad list of removed files');
  return { durableRowCount: rec.durableRowCount as number, lastTime: rec.lastTime === null ? null : BigInt(rec.lastTime as string), removed: removed as string[] };
}

export function addRecord(b: ManifestBlock): Record<string, unknown> {
  return { t: 'add', block: blockToJson(b) };
}

/** The unreadable end of a log: an interrupted append (torn) or damage in its last record. */
export interface ManifestTail {
  readonly offset: number;
  readonly sizeBytes: number;
  /** True when the record is whole by its length but fails its checksum. */
  readonly complete: boolean;
}

/**
 * Where a reading of a generation file stands: enough to read on from `validBytes` once more
 * records were appended (a read-only reader next to a live writer reads only the new bytes).
 */
export interface ManifestLogCursor {
  readonly table: string;
  readonly schema: TableSchema | null;
  readonly schemaCrc: number;
  readonly snapshotBlocks: number;
  readonly snapshotBytes: number;
  readonly recordedEnd: ManifestEnd | null;
  readonly blocks: readonly ManifestBlock[];
  /** Records read so far. */
  readonly records: number;
  /** Bytes of the readable records: the next record starts here. */
  readonly validBytes: number;
}

export interface ParsedLog {
  readonly manifest: Manifest;
  /** Bytes of the readable records (where the next append goes once the tail is gone). */
  readonly validBytes: number;
  /** Bytes of the snapshot part (begin + its add records). */
  readonly snapshotBytes: number;
  readonly tail: ManifestTail | null;
  readonly cursor: ManifestLogCursor;
}

function damaged(path: string, offset: number, what: string): Error {
  return new Error(`manifest ${path} is damaged at byte ${offset}: ${what}`);
}

/**
 * Read a generation file. A bad record with nothing after it is the tail (dropped: an append
 * interrupted by a crash never finished, so nothing relied on it); a bad record followed by
 * more bytes is damage and an error.
 */
export function parseManifestLog(bytes: Uint8Array, path: string): ParsedLog {
  return continueManifestLog(null, bytes, path);
}

/**
 * Read the records of `bytes`, which start at `from.validBytes` of the file (`from` null: at
 * its start, `bytes` being the whole file). Records read before are not read again.
 */
export function continueManifestLog(from: ManifestLogCursor | null, bytes: Uint8Array, path: string): ParsedLog {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const base = from?.validBytes ?? 0;
  let off = 0;
  let index = from?.records ?? 0;
  let table = from?.table ?? '';
  let schema: TableSchema | null = from?.schema ?? null;
  let schemaCrc = from?.schemaCrc ?? 0;
  let snapshotBlocks = from?.snapshotBlocks ?? -1;
  let snapshotBytes = from?.snapshotBytes ?? 0;
  let tail: ManifestTail | null = null;
  const blocks: ManifestBlock[] = from === null ? [] : from.blocks.slice();
  let expected = blocks[blocks.length - 1]?.endRowSeq ?? 0;
  let recordedEnd: ManifestEnd | null = from?.recordedEnd ?? null;
  while (off < bytes.byteLength) {
    const left = bytes.byteLength - off;
    const at = base + off;
    if (left < MANIFEST_RECORD_HEADER_BYTES) { tail = { offset: at, sizeBytes: left, complete: false }; break; }
    const len = view.getUint32(off, true);
    const end = off + MANIFEST_RECORD_HEADER_BYTES + len;
    if (len > MAX_MANIFEST_RECORD_BYTES || end > bytes.byteLength) {
      tail = { offset: at, sizeBytes: left, complete: false };
      break;
    }
    const body = bytes.subarray(off + MANIFEST_RECORD_HEADER_BYTES, end);
    if (crc32(body, crc32(bytes.subarray(off, off + 4))) !== view.getUint32(off + 4, true)) {
      if (end === bytes.byteLength) { tail = { offset: at, sizeBytes: left, complete: true }; break; }
      // Some file systems show the unwritten end of an interrupted append as zeros.
      if (bytes.subarray(off).every((b) => b === 0)) { tail = { offset: at, sizeBytes: left, complete: false }; break; }
      throw damaged(path, at, `record ${index} fails its checksum`);
    }
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(decoder.decode(body)) as Record<string, unknown>;
    } catch (err) {
      throw damaged(path, at, `record ${index}: ${(err as Error).message}`);
    }
    if (index === 0) {
      if (rec.t !== 'begin' || rec.format !== MANIFEST_FORMAT || typeof rec.table !== 'string' || !Number.isSafeInteger(rec.blocks) || rec.schema === null || typeof rec.schema !== 'object') {
        throw damaged(path, at, `the first record is not a format-${MANIFEST_FORMAT} begin record`);
      }
      table = rec.table;
      schema = rec.schema as TableSchema;
      schemaCrc = crc32(JSON.stringify(schema));
      snapshotBlocks = rec.blocks as number;
      recordedEnd = endFromBegin(rec, path);
    } else if (rec.t === 'add') {
      const b = blockFromJson(rec.block, expected, path, `record ${index} at byte ${at}`, recordedEnd !== null);
      // Blocks migrated from format 1 carry no schema record (verify checks their Parquet footers).
      if (b.schemaCrc !== null && b.schemaCrc !== schemaCrc) throw damaged(path, at, `block ${b.file} was written with another schema than the manifest's`);
      blocks.push(b);
      expected = b.endRowSeq;
    } else {
      throw damaged(path, at, `record ${index} has an unknown type ${JSON.stringify(rec.t)}`);
    }
    off = end;
    if (index === snapshotBlocks) snapshotBytes = base + off;
    index++;
  }
  // The snapshot is written whole before the file gets its name: a short one is damage.
  if (index === 0) throw damaged(path, 0, 'no begin record');
  if (index <= snapshotBlocks) throw damaged(path, base + off, `the snapshot lists ${snapshotBlocks} blocks, the file holds ${index - 1}`);
  const manifest = recordedEnd === null ? manifestOf(table, schema, MANIFEST_FORMAT, blocks) : manifestWithEnd(table, schema, MANIFEST_FORMAT, blocks, recordedEnd);
  const validBytes = base + off;
  const cursor = { table, schema, schemaCrc, snapshotBlocks, snapshotBytes, recordedEnd, blocks, records: index, validBytes };
  return { manifest, validBytes, snapshotBytes, tail, cursor };
}
