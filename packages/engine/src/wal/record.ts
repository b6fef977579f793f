// WAL record format (docs/wal.md). Little-endian.
//   segment header (16 B): magic "BTDBWAL\0" (8) | version u32 | reserved u32
//   record header  (24 B): crc32 u32 | payloadLength u32 | firstRowSeq u64 | rowCount u32 | type u32
//   payload        (payloadLength B)
// crc32 covers every byte after the crc field: the rest of the header and the payload.
import { crc32 } from 'node:zlib';

export const SEGMENT_MAGIC = new Uint8Array([0x42, 0x54, 0x44, 0x42, 0x57, 0x41, 0x4c, 0x00]);
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 24;
/** A batch of rows without validity: every record before nulls existed, and tables without nullable columns. */
export const RECORD_TYPE_BATCH = 1;
/** A batch of rows followed by one validity byte per row of each nullable column (docs/wal.md). */
export const RECORD_TYPE_BATCH_NULLS = 2;
/** Hard limit on one record's payload (the format's; the decoder refuses larger ones). */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
/** Rows per record at most (docs/wal.md): the decoder refuses more, so the encoder does too. */
export const MAX_RECORD_ROWS = 65_536;
/**
 * The table packs rows into records of at most this many payload bytes, so replay and group
 * commit handle bounded pieces; a single row larger than this gets a record of its own.
 */
export const RECORD_TARGET_BYTES = 16 * 1024 * 1024;
/** One row's payload at most (a one-row record): larger rows are refused by append. */
export const MAX_ROW_BYTES = 64 * 1024 * 1024;

function checkRowCount(rowCount: number): void {
  if (!Number.isSafeInteger(rowCount) || rowCount < 1) throw new Error(`WAL: bad rowCount ${rowCount}`);
  if (rowCount > MAX_RECORD_ROWS) throw new Error(`WAL: a record of ${rowCount} rows exceeds the limit of ${MAX_RECORD_ROWS} rows`);
}

export interface WalRecord {
  firstRowSeq: number;
  rowCount: number;
  payload: Uint8Array;
  /** RECORD_TYPE_BATCH or RECORD_TYPE_BATCH_NULLS (absent: RECORD_TYPE_BATCH). */
  type?: number;
}

export function encodeSegmentHeader(): Uint8Array {
  const out = new Uint8Array(SEGMENT_HEADER_BYTES);
  out.set(SEGMENT_MAGIC, 0);
  new DataView(out.buffer).setUint32(8, SEGMENT_VERSION, true);
  return out;
}

export function checkSegmentHeader(bytes: Uint8Array): string | null {
  if (bytes.byteLength < SEGMENT_HEADER_BYTES) return `segment header is short (${bytes.byteLength} bytes)`;
  for (let i = 0; i < SEGMENT_MAGIC.length; i++) if (bytes[i] !== SEGMENT_MAGIC[i]) return 'bad segment magic';
  const version = new DataView(bytes.buffer, bytes.byteOffset, SEGMENT_HEADER_BYTES).getUint32(8, true);
  return version === SEGMENT_VERSION ? null : `unknown segment version ${version}`;
}

/**
 * Fill in the header of a record whose payload already sits at RECORD_HEADER_BYTES in `buf`
 * (no copy of the payload), and return `buf`.
 */
export function sealRecord(buf: Uint8Array, firstRowSeq: number, rowCount: number, type = RECORD_TYPE_BATCH): Uint8Array {
  const length = buf.byteLength - RECORD_HEADER_BYTES;
  if (!Number.isSafeInteger(firstRowSeq) || firstRowSeq < 0) throw new Error(`WAL: bad firstRowSeq ${firstRowSeq}`);
  checkRowCount(rowCount);
  if (length < 0 || length > MAX_PAYLOAD_BYTES) throw new Error(`WAL: record payload of ${length} bytes exceeds the ${MAX_PAYLOAD_BYTES}-byte limit`);
  const dv = new DataView(buf.buffer, buf.byteOffset, RECORD_HEADER_BYTES);
  dv.setUint32(4, length, true);
  dv.setBigUint64(8, BigInt(firstRowSeq), true);
  dv.setUint32(16, rowCount, true);
  dv.setUint32(20, type, true);
  dv.setUint32(0, crc32(buf.subarray(4)), true);
  return buf;
}

export function encodeRecord(firstRowSeq: number, rowCount: number, payload: Uint8Array, type = RECORD_TYPE_BATCH): Uint8Array {
  if (!Number.isSafeInteger(firstRowSeq) || firstRowSeq < 0) throw new Error(`WAL: bad firstRowSeq ${firstRowSeq}`);
  checkRowCount(rowCount);
  if (payload.byteLength > MAX_PAYLOAD_BYTES) throw new Error(`WAL: record payload of ${payload.byteLength} bytes exceeds the ${MAX_PAYLOAD_BYTES}-byte limit`);
  const out = new Uint8Array(RECORD_HEADER_BYTES + payload.byteLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, payload.byteLength, true);
  dv.setBigUint64(8, BigInt(firstRowSeq), true);
  dv.setUint32(16, rowCount, true);
  dv.setUint32(20, type, true);
  out.set(payload, RECORD_HEADER_BYTES);
  dv.setUint32(0, crc32(out.subarray(4)), true);
  return out;
}

export type DecodeResult =
  | { ok: true; record: WalRecord; nextOffset: number }
  | { ok: false; reason: string };

/** Decode the record at `offset`; never reads past the buffer. */
export function decodeRecordAt(bytes: Uint8Array, offset: number): DecodeResult {
  const left = bytes.byteLength - offset;
  if (left < RECORD_HEADER_BYTES) return { ok: false, reason: `short record header (${left} bytes)` };
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, RECORD_HEADER_BYTES);
  const length = dv.getUint32(4, true);
  if (length > MAX_PAYLOAD_BYTES) return { ok: false, reason: `record length ${length} exceeds the limit` };
  if (left < RECORD_HEADER_BYTES + length) return { ok: false, reason: `short record: ${left} of ${RECORD_HEADER_BYTES + length} bytes` };
  const end = offset + RECORD_HEADER_BYTES + length;
  if (crc32(bytes.subarray(offset + 4, end)) !== dv.getUint32(0, true)) return { ok: false, reason: 'checksum mismatch' };
  const seq = dv.getBigUint64(8, true);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'row sequence out of range' };
  const type = dv.getUint32(20, true);
  if (type !== RECORD_TYPE_BATCH && type !== RECORD_TYPE_BATCH_NULLS) return { ok: false, reason: `unknown record type ${type}` };
  const rowCount = dv.getUint32(16, true);
  if (rowCount === 0) return { ok: false, reason: 'record with no rows' };
  if (rowCount > MAX_RECORD_ROWS) return { ok: false, reason: `record of ${rowCount} rows exceeds the limit of ${MAX_RECORD_ROWS} rows` };
  const record: WalRecord = { firstRowSeq: Number(seq), rowCount, payload: bytes.subarray(offset + RECORD_HEADER_BYTES, end) };
  if (type !== RECORD_TYPE_BATCH) record.type = type;
  return { ok: true, record, nextOffset: end };
}

/** Segment files are named by the sequence number of their first row. */
export function segmentName(firstRowSeq: number): string {
  return `${String(firstRowSeq).padStart(20, '0')}.wal`;
}

export function parseSegmentName(name: string): number | null {
  const m = /^(\d{20})\.wal$/.exec(name);
  return m === null ? null : Number(m[1]);
}
