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

/**
 * `onRecord` (optional) receives each good record as it is read, so a caller can apply a
 * large WAL without holding all of it; records are then not collected in the result.
 */
export async function replayWal(storage: Storage, dir: string, opts: { fromRowSeq: number; onRecord?: (r: WalRecord) => void }): Promise<ReplayResult> {
  const names = (await storage.list(dir)).filter((n) => parseSegmentName(n) !== null);
  const records: WalRecord[] = [];
  const damaged: ReplayResult['damaged'] = [];
  let expected: number | null = null;
  let nextRowSeq = opts.fromRowSeq;
  let broken = false;
  for (const name of names) {
    const path = join(dir, name);
    if (broken) {
      // Rows after a damaged record would leave a gap: keep the whole segment aside.
      await storage.rename(path, `${path}.orphan`);
      damaged.push({ path: `${path}.orphan`, reason: 'follows a damaged record' });
      continue;
    }
    const bytes = await storage.readFile(path);
    if (isTornCreate(bytes, name === names[names.length - 1])) continue; // holds no record: nothing to keep
    const headerProblem = checkSegmentHeader(bytes);
    if (headerProblem !== null) {
      await storage.rename(path, `${path}.bad-0`);
      damaged.push({ path: `${path}.bad-0`, reason: headerProblem });
      broken = true;
      continue;
    }
    const segmentSeq = parseSegmentName(name) as number;
    if (expected !== null && segmentSeq !== expected) {
      // A segment starting elsewhere than where the previous one ended: only possible when
      // the previous one lost its tail; its own rows cannot be applied.
      await storage.rename(path, `${path}.orphan`);
      damaged.push({ path: `${path}.orphan`, reason: `starts at row ${segmentSeq}, the log before it ends at row ${expected}` });
      broken = true;
      continue;
    }
    expected = segmentSeq;
    let offset = SEGMENT_HEADER_BYTES;
    while (offset < bytes.byteLength) {
      const r = decodeRecordAt(bytes, offset);
      let reason = r.ok ? null : r.reason;
      if (r.ok && r.record.firstRowSeq !== expected) reason = `record starts at row ${r.record.firstRowSeq}, expected ${expected}`;
      if (reason !== null || !r.ok) {
        const aside = await setAside(storage, dir, name, bytes, offset);
        damaged.push({ path: aside, reason: reason ?? 'bad record' });
        broken = true;
        break;
      }
      const rec = r.record;
      expected = rec.firstRowSeq + rec.rowCount;
      offset = r.nextOffset;
      if (expected <= opts.fromRowSeq) continue;
      nextRowSeq = expected;
      if (opts.onRecord !== undefined) opts.onRecord(rec);
      else records.push(rec);
    }
  }
  if (damaged.length > 0) await storage.syncDir(dir);
  return { records, nextRowSeq, damaged };
}
