// The WAL on its own: codec round trips, cuts at every byte, bit flips, group commit,
// and transient ENOSPC/EIO that must lose nothing.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  decodeBatch, encodeBatch, FaultyStorage, readWalFrom, replayWal, WalWriter, SEGMENT_HEADER_BYTES,
  type ColumnType, type NormalizedBatch,
} from '@backtracedb/engine';

const TYPES: ColumnType[] = ['int64', 'float64', 'string', 'bool'];
const DIR = '/t/wal';

function batch(first: number, n: number): NormalizedBatch {
  const ints = new BigInt64Array(n);
  const floats = new Float64Array(n);
  const strings: string[] = [];
  const bools = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = first + i;
    ints[i] = BigInt(k) * (k % 2 === 0 ? 1n : -1n) * 2n ** 55n;
    floats[i] = k % 5 === 0 ? NaN : k % 7 === 0 ? -0 : k * 1.5;
    strings.push(['', 'ü', '日本', '🙂', `s${k}`][k % 5]);
    bools[i] = k % 3 === 0 ? 1 : 0;
  }
  return { rowCount: n, columns: [ints, floats, strings, bools] };
}

function expectBatchEqual(a: NormalizedBatch, b: NormalizedBatch): void {
  expect(a.rowCount).toBe(b.rowCount);
  expect([...(a.columns[0] as BigInt64Array)]).toEqual([...(b.columns[0] as BigInt64Array)]);
  expect([...(a.columns[1] as Float64Array)].map((x) => Object.is(x, -0) ? '-0' : x)).toEqual([...(b.columns[1] as Float64Array)].map((x) => Object.is(x, -0) ? '-0' : x));
  expect(a.columns[2]).toEqual(b.columns[2]);
  expect([...(a.columns[3] as Uint8Array)]).toEqual([...(b.columns[3] as Uint8Array)]);
}

/** Writes `sizes.length` records (one row range each) and syncs; returns the storage. */
async function writeLog(sizes: number[], storage = new FaultyStorage()): Promise<FaultyStorage> {
  await storage.mkdirp(DIR);
  const w = await WalWriter.open(storage, DIR, { nextRowSeq: 0, commitDelayMs: 10_000 });
  let seq = 0;
  for (const n of sizes) {
    w.append(seq, n, encodeBatch(TYPES, batch(seq, n)));
    seq += n;
  }
  await w.close();
  return storage;
}

async function segmentBytes(storage: FaultyStorage): Promise<{ name: string; bytes: Uint8Array }> {
  const names = (await storage.list(DIR)).filter((n) => n.endsWith('.wal'));
  return { name: names[0], bytes: await storage.readFile(join(DIR, names[0])) };
}

describe('WAL batch codec', () => {
  it('round-trips every type, edge values included', () => {
    for (const n of [0, 1, 7, 100_000]) {
      const b = batch(3, n);
      expectBatchEqual(decodeBatch(TYPES, n, encodeBatch(TYPES, b)), b);
    }
  });
  it('rejects malformed payloads instead of reading past them', () => {
    const bytes = encodeBatch(TYPES, batch(0, 10));
    for (let cut = 0; cut < bytes.length; cut++) expect(() => decodeBatch(TYPES, 10, bytes.subarray(0, cut))).toThrow(/malformed/);
    expect(() => decodeBatch(TYPES, 11, bytes)).toThrow(/malformed/);
  });
});

describe('WAL replay', () => {
  it('returns every synced record, in order', async () => {
    const storage = await writeLog([1, 5, 1000, 3]);
    const r = await replayWal(storage, DIR, { fromRowSeq: 0 });
    expect(r.damaged).toEqual([]);
    expect(r.records.map((x) => [x.firstRowSeq, x.rowCount])).toEqual([[0, 1], [1, 5], [6, 1000], [1006, 3]]);
    expect(r.nextRowSeq).toBe(1009);
    expectBatchEqual(decodeBatch(TYPES, 1000, r.records[2].payload), batch(6, 1000));
  });

  it('skips records wholly below fromRowSeq and keeps one that straddles it', async () => {
    const storage = await writeLog([4, 4, 4]);
    const r = await replayWal(storage, DIR, { fromRowSeq: 6 });
    expect(r.records.map((x) => x.firstRowSeq)).toEqual([4, 8]);
  });

  it('cut at every byte offset of the last records: the whole records before the cut come back, the tail is set aside', async () => {
    const sizes = [3, 2, 4, 1];
    const full = await segmentBytes(await writeLog(sizes));
    // Record boundaries: where each record ends in the segment.
    const whole = await replayWal(await writeLog(sizes), DIR, { fromRowSeq: 0 });
    const ends: number[] = [];
    let at = SEGMENT_HEADER_BYTES;
    for (const rec of whole.records) { at += 24 + rec.payload.byteLength; ends.push(at); }
    const from = ends[0]; // every offset of the last three records
    for (let cut = from; cut < full.bytes.length; cut++) {
      const storage = new FaultyStorage();
      await storage.mkdirp(DIR);
      const fh = await storage.openWrite(join(DIR, full.name), { create: true });
      await fh.write(full.bytes.subarray(0, cut), 0);
      const r = await replayWal(storage, DIR, { fromRowSeq: 0 });
      const expected = ends.filter((e) => e <= cut).length;
      expect(r.records.length).toBe(expected);
      if (ends.includes(cut)) {
        expect(r.damaged).toEqual([]);
      } else {
        expect(r.damaged.length).toBe(1);
        const aside = await storage.readFile(r.damaged[0].path);
        expect([...aside]).toEqual([...full.bytes.subarray(ends[expected - 1] ?? SEGMENT_HEADER_BYTES, cut)]);
        // The segment now ends at the last good record, so replaying again is clean.
        const again = await replayWal(storage, DIR, { fromRowSeq: 0 });
        expect(again.damaged).toEqual([]);
        expect(again.records.length).toBe(expected);
      }
    }
  });

  it('a flipped bit anywhere in the last records yields a valid prefix only', async () => {
    const sizes = [2, 3, 2];
    const full = await segmentBytes(await writeLog(sizes));
    const good = await replayWal(await writeLog(sizes), DIR, { fromRowSeq: 0 });
    const firstEnd = SEGMENT_HEADER_BYTES + 24 + good.records[0].payload.byteLength;
    for (let byte = firstEnd; byte < full.bytes.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bytes = full.bytes.slice();
        bytes[byte] ^= 1 << bit;
        const storage = new FaultyStorage();
        await storage.mkdirp(DIR);
        const fh = await storage.openWrite(join(DIR, full.name), { create: true });
        await fh.write(bytes, 0);
        const r = await replayWal(storage, DIR, { fromRowSeq: 0 });
        expect(r.records.length).toBeGreaterThanOrEqual(1);
        expect(r.records.length).toBeLessThan(3);
        expect(r.damaged.length).toBe(1);
        r.records.forEach((rec, i) => expect([...rec.payload]).toEqual([...good.records[i].payload]));
      }
    }
  });

  it('moves later segments aside when an earlier one is damaged', async () => {
    const storage = new FaultyStorage();
    await storage.mkdirp(DIR);
    const w = await WalWriter.open(storage, DIR, { nextRowSeq: 0, commitDelayMs: 10_000 });
    w.append(0, 2, encodeBatch(TYPES, batch(0, 2)));
    w.rotate(2);
    w.append(2, 2, encodeBatch(TYPES, batch(2, 2)));
    await w.close();
    const first = join(DIR, (await storage.list(DIR))[0]);
    const bytes = await storage.readFile(first);
    const fh = await storage.openWrite(first, { create: false });
    await fh.write(new Uint8Array([bytes[bytes.length - 1] ^ 0xff]), bytes.length - 1);
    const r = await replayWal(storage, DIR, { fromRowSeq: 0 });
    expect(r.records).toEqual([]);
    expect(r.damaged.map((d) => d.path.replace(/.*\//, ''))).toEqual([
      '00000000000000000000.wal.bad-16',
      '00000000000000000002.wal.orphan',
    ]);
  });
});

describe('WAL read from a position (readers)', () => {
  it('a segment now shorter than the position (not the file read before) is lost, not read from past its end', async () => {
    const storage = await writeLog([10, 20, 30]);
    const [name] = await storage.list(DIR);
    const records: number[] = [];
    const before = await readWalFrom(storage, DIR, { segment: name, offset: SEGMENT_HEADER_BYTES }, (r) => { records.push(r.rowCount); });
    expect(before).toBe('ok');
    expect(records).toEqual([10, 20, 30]);
    const end = (await storage.sizeOf(join(DIR, name))) as number;
    // The table made again under the reader: a segment of the same name, shorter than where it had read to.
    await storage.remove(join(DIR, name));
    const fresh = await writeLog([5], storage);
    expect((await fresh.sizeOf(join(DIR, name))) as number).toBeLessThan(end);
    await expect(readWalFrom(fresh, DIR, { segment: name, offset: end }, () => undefined)).resolves.toBe('lost');
  });
});

describe('WAL writer', () => {
  it('group commit: a thousand appends, one sync, a handful of fsyncs', async () => {
    const storage = new FaultyStorage();
    await storage.mkdirp(DIR);
    const w = await WalWriter.open(storage, DIR, { nextRowSeq: 0, commitDelayMs: 10_000 });
    const before = storage.opCount;
    for (let i = 0; i < 1000; i++) w.append(i, 1, encodeBatch(TYPES, batch(i, 1)));
    await w.sync();
    expect(storage.opCount - before).toBeLessThanOrEqual(2); // one write, one fsync
    await w.close();
    expect((await replayWal(storage, DIR, { fromRowSeq: 0 })).records.length).toBe(1000);
  });

  it('without sync() the log still reaches the disk within the flush delay', async () => {
    const storage = new FaultyStorage();
    await storage.mkdirp(DIR);
    const w = await WalWriter.open(storage, DIR, { nextRowSeq: 0, commitDelayMs: 5 });
    w.append(0, 3, encodeBatch(TYPES, batch(0, 3)));
    await new Promise((r) => setTimeout(r, 100));
    storage.crash();
    expect((await replayWal(storage, DIR, { fromRowSeq: 0 })).nextRowSeq).toBe(3);
  });

  for (const op of ['write', 'sync'] as const) {
    for (const code of ['ENOSPC', 'EIO'] as const) {
      it(`${code} on ${op}: sync rejects naming it, a retry succeeds, nothing is lost or doubled`, async () => {
        const storage = new FaultyStorage();
        await storage.mkdirp(DIR);
        const w = await WalWriter.open(storage, DIR, { nextRowSeq: 0, commitDelayMs: 10_000 });
        w.append(0, 2, encodeBatch(TYPES, batch(0, 2)));
        await w.sync();
        w.append(2, 3, encodeBatch(TYPES, batch(2, 3)));
        storage.failNext(op, code);
        await expect(w.sync()).rejects.toThrow(code);
        w.append(5, 1, encodeBatch(TYPES, batch(5, 1)));
        await w.sync();
        storage.crash();
        const r = await replayWal(storage, DIR, { fromRowSeq: 0 });
        expect(r.damaged).toEqual([]);
        expect(r.records.map((x) => [x.firstRowSeq, x.rowCount])).toEqual([[0, 2], [2, 3], [5, 1]]);
      });
    }
  }

  it('retires only segments wholly below the durable row count, never the newest', async () => {
    const storage = new FaultyStorage();
    await storage.mkdirp(DIR);
    const w = await WalWriter.open(storage, DIR, { nextRowSeq: 0, commitDelayMs: 10_000 });
    for (let s = 0; s < 4; s++) {
      w.append(s * 10, 10, encodeBatch(TYPES, batch(s * 10, 10)));
      w.rotate(s * 10 + 10);
    }
    await w.sync();
    await w.retireThrough(25);
    expect(await storage.list(DIR)).toEqual(['00000000000000000020.wal', '00000000000000000030.wal', '00000000000000000040.wal']);
    await w.retireThrough(1000);
    expect(await storage.list(DIR)).toEqual(['00000000000000000040.wal']);
    await w.close();
  });
});
