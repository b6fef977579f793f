// WAL replay: read segments in order, keep every record up to the first bad one, and move
// the bad tail (and any later segment) aside for inspection instead of deleting it.
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomic.js';
import type { Storage } from '../storage/storage.js';
import { checkSegmentHeader, decodeRecordAt, encodeSegmentHeader, parseSegmentName, SEGMENT_HEADER_BYTES, type WalRecord } from './record.js';

export interface ReplayResult {
  /** Records overlapping [fromRowSeq, ∞), in order and contiguous. */
  records: WalRecord[];
  /** One past the last row of the last good record (or fromRowSeq when none). */
  nextRowSeq: number;
  damaged: Array<{ path: string; reason: string }>;
}

async function setAside(storage: Storage, dir: string, name: string, bytes: Uint8Array, offset: number): Promise<string> {
  const path = join(dir, `${name}.bad-${offset}`);
  await writeFileAtomic(storage, path, bytes.subarray(offset));
  const fh = await storage.openWrite(join(dir, name), { create: false });
  try {
    await fh.truncate(offset);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return path;
}

/** The newest segment cut short inside its header: its creation was interrupted, so it holds no record. */
function isTornCreate(bytes: Uint8Array, newest: boolean): boolean {
  if (!newest || bytes.byteLength >= SEGMENT_HEADER_BYTES) return false;
  const header = encodeSegmentHeader();
  for (let i = 0; i < bytes.byteLength; i++) if (bytes[i] !== header[i]) return false;
  return true;
}

/** A place in the log: the byte just past a record, in its segment. */
export interface WalPosition {
  readonly segment: string;
  readonly offset: number;
}

/**
 * Read the log from `from` on, changing nothing: the rest of that segment (only the bytes past
 * `from.offset`), then every later segment, stopping at the first record that does not decode
 * (a live writer's torn tail). 'lost' when the segment is gone (retired): read from scratch.
 */
export async function readWalFrom(storage: Storage, dir: string, from: WalPosition, onRecord: (r: WalRecord, at: WalPosition) => void): Promise<'ok' | 'lost'> {
  const names = (await storage.list(dir)).filter((n) => parseSegmentName(n) !== null);
  if (!names.includes(from.segment)) return 'lost';
  for (const name of names.filter((n) => n >= from.segment)) {
    const path = join(dir, name);
    let bytes: Uint8Array;
    let base = 0;
    try {
      if (name === from.segment) {
        const size = await storage.sizeOf(path);
        if (size === null || size < from.offset) return 'lost'; // gone, or not the file read before
        base = from.offset;
        bytes = await storage.readRange(path, base, size - base);
      } else {
        bytes = await storage.readFile(path);
        if (checkSegmentHeader(bytes) !== null) return 'ok'; // still being created
        base = 0;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'lost';
      throw err;
    }
    let offset = name === from.segment ? 0 : SEGMENT_HEADER_BYTES;
    while (offset < bytes.byteLength) {
      const r = decodeRecordAt(bytes, offset);
      if (!r.ok) return 'ok'; // the end of what the writer has finished writing
      offset = r.nextOffset;
      onRecord(r.record, { segment: name, offset: base + offset });
    }
  }
  return 'ok';
}

/** Where a read of the log stopped trusting it, and why. */
export interface WalProblem {
  readonly segment: string;
  /** 'header': the segment's header is bad; 'record': a bad record at `offset` (the tail from
   *  there is untrusted); 'gap': the segment does not start where the log before it ended;
   *  'after': a later segment, whose rows would follow a gap. */
  readonly kind: 'header' | 'record' | 'gap' | 'after';
  readonly offset: number;
  readonly reason: string;
}

export interface WalRead {
  /** Records overlapping [fromRowSeq, ∞), in order and contiguous (unless onRecord took them). */
  records: WalRecord[];
  nextRowSeq: number;
  problems: WalProblem[];
  /** Bytes of the segments read. */
  sizeBytes: number;
  segments: number;
  /** The newest segment listed (where a live writer appends), or null when there is none. */
  newestSegment: string | null;
}

/**
 * Read the log without changing anything: every good record from `fromRowSeq` on, up to the
 * first problem. `onRecord` (optional) receives each good record as it is read, so a caller
 * can apply a large WAL without holding all of it; records are then not collected.
 */
export async function readWal(storage: Storage, dir: string, opts: {
  fromRowSeq: number;
  onRecord?: (r: WalRecord, at: WalPosition) => void;
  /** A reader next to a live writer: segments may vanish (retired) or start past the one before. */
  skipMissing?: boolean;
  /** A buffer to read the next segment into (records then point into it: segment-buffers.ts). */
  readInto?: () => Uint8Array | undefined;
  /** Called with each segment's size while its bytes are being read (Storage.readFile). */
  whileReading?: (sizeBytes: number) => void;
}): Promise<WalRead> {
  const names = (await storage.list(dir)).filter((n) => parseSegmentName(n) !== null);
  const out: WalRead = { records: [], nextRowSeq: opts.fromRowSeq, problems: [], sizeBytes: 0, segments: names.length, newestSegment: names.at(-1) ?? null };
  let expected: number | null = null;
  for (const [k, name] of names.entries()) {
    // Rows wholly below fromRowSeq (the next segment starts at or before it) are in blocks: not
    // read at all. A writer may drop such rows it had not written yet (WalWriter.retireThrough),
    // so the segment before may also end early; neither is a gap for the rows wanted.
    const nextSeq = k + 1 < names.length ? parseSegmentName(names[k + 1]) : null;
    if (nextSeq !== null && nextSeq <= opts.fromRowSeq) continue;
    if (out.problems.length > 0) {
      // Rows after a damaged record would leave a gap.
      out.problems.push({ segment: name, kind: 'after', offset: 0, reason: 'follows a damaged record' });
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = await storage.readFile(join(dir, name), opts.readInto?.(), opts.whileReading);
    } catch (err) {
      // A reader next to a live writer: the segment was retired since the listing (its rows
      // are in a block by now); the next segment starts a new run.
      if (opts.skipMissing !== true || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      expected = null;
      continue;
    }
    out.sizeBytes += bytes.byteLength;
    if (isTornCreate(bytes, name === names[names.length - 1])) continue; // holds no record
    const headerProblem = checkSegmentHeader(bytes);
    if (headerProblem !== null) { out.problems.push({ segment: name, kind: 'header', offset: 0, reason: headerProblem }); continue; }
    const segmentSeq = parseSegmentName(name) as number;
    if (expected !== null && segmentSeq !== expected && opts.skipMissing === true && segmentSeq > expected) {
      // A reader next to a live writer: the writer skips writing rows its durable blocks hold,
      // so a segment may start past where the one before it ended. Whether the rows between are
      // in the blocks the reader sees is for its replay to judge (WalReplay: a gap there).
      expected = segmentSeq;
    }
    if (expected !== null && segmentSeq !== expected) {
      // Only possible when the previous segment lost its tail; this one's rows cannot be applied.
      out.problems.push({ segment: name, kind: 'gap', offset: 0, reason: `starts at row ${segmentSeq}, the log before it ends at row ${expected}` });
      continue;
    }
    expected = segmentSeq;
    let offset = SEGMENT_HEADER_BYTES;
    while (offset < bytes.byteLength) {
      const r = decodeRecordAt(bytes, offset);
      const reason = !r.ok ? r.reason : r.record.firstRowSeq !== expected ? `record starts at row ${r.record.firstRowSeq}, expected ${expected}` : null;
      if (reason !== null || !r.ok) { out.problems.push({ segment: name, kind: 'record', offset, reason: reason ?? 'bad record' }); break; }
      const rec = r.record;
      expected = rec.firstRowSeq + rec.rowCount;
      offset = r.nextOffset;
      if (expected <= opts.fromRowSeq) continue;
      out.nextRowSeq = expected;
      if (opts.onRecord !== undefined) opts.onRecord(rec, { segment: name, offset });
      else out.records.push(rec);
    }
  }
  return out;
}

/**
 * Replay for the writer: read the log (readWal), then keep every untrusted part aside for
 * inspection — a bad tail in `<segment>.bad-<offset>`, a bad or unreachable segment renamed —
 * so the log ends at the last good record.
 */
export async function replayWal(storage: Storage, dir: string, opts: { fromRowSeq: number; onRecord?: (r: WalRecord) => void }): Promise<ReplayResult> {
  const read = await readWal(storage, dir, opts);
  const damaged: ReplayResult['damaged'] = [];
  for (const p of read.problems) {
    const path = join(dir, p.segment);
    if (p.kind === 'record') {
      const bytes = await storage.readFile(path);
      damaged.push({ path: await setAside(storage, dir, p.segment, bytes, p.offset), reason: p.reason });
    } else {
      const aside = `${path}${p.kind === 'header' ? '.bad-0' : '.orphan'}`;
      await storage.rename(path, aside);
      damaged.push({ path: aside, reason: p.reason });
    }
  }
  if (damaged.length > 0) await storage.syncDir(dir);
  return { records: read.records, nextRowSeq: read.nextRowSeq, damaged };
}
