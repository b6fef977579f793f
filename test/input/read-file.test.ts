// nodeStorage.readFile: one read of the whole file, into a given buffer when the file fits
// (WAL segments into reused buffers: wal/segment-buffers.ts), a fresh one otherwise, with a
// callback while the read runs; and the pool of segment buffers stays bounded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { borrowSegmentBuffers, MAX_POOLED_SEGMENT_BUFFERS, nodeStorage, SEGMENT_BUFFER_BYTES } from '@backtracedb/engine';

const root = mkdtempSync(join(tmpdir(), 'btdb-readfile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(name: string, n: number): { path: string; bytes: Uint8Array } {
  const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 13 + 5) & 255);
  const path = join(root, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('nodeStorage.readFile', () => {
  it('reads the whole file, empty and multi-megabyte alike', async () => {
    for (const n of [0, 1, 3_000_000]) {
      const { path, bytes } = file(`whole-${n}`, n);
      const got = await nodeStorage.readFile(path);
      expect(got.byteLength).toBe(n);
      expect(Buffer.compare(Buffer.from(got), Buffer.from(bytes))).toBe(0);
    }
  });

  it('reads into the given buffer when the file fits, and into a fresh one when it does not', async () => {
    const { path, bytes } = file('into', 5000);
    const into = new Uint8Array(8192).fill(0xaa);
    const got = await nodeStorage.readFile(path, into);
    expect(got.buffer).toBe(into.buffer);
    expect(got.byteLength).toBe(5000);
    expect(Buffer.compare(Buffer.from(got), Buffer.from(bytes))).toBe(0);
    expect(into[5000]).toBe(0xaa); // nothing past the file touched
    const small = new Uint8Array(100);
    const fresh = await nodeStorage.readFile(path, small);
    expect(fresh.buffer).not.toBe(small.buffer);
    expect(Buffer.compare(Buffer.from(fresh), Buffer.from(bytes))).toBe(0);
  });

  it('calls whileReading once with the size while the read runs, and a throw from it rejects only after the read', async () => {
    const { path, bytes } = file('while', 1_000_000);
    const sizes: number[] = [];
    const got = await nodeStorage.readFile(path, undefined, (n) => { sizes.push(n); });
    expect(sizes).toEqual([1_000_000]);
    expect(Buffer.compare(Buffer.from(got), Buffer.from(bytes))).toBe(0);
    await expect(nodeStorage.readFile(path, undefined, () => { throw new Error('from the callback'); })).rejects.toThrow('from the callback');
    expect(Buffer.compare(Buffer.from(await nodeStorage.readFile(path)), Buffer.from(bytes))).toBe(0); // still readable: nothing left half-open
  });

  it('rejects a missing file with ENOENT', async () => {
    await expect(nodeStorage.readFile(join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('segment buffers', () => {
  it('lends at most MAX_POOLED_SEGMENT_BUFFERS per loan and reuses them after giveBack', () => {
    const a = borrowSegmentBuffers();
    const taken = Array.from({ length: MAX_POOLED_SEGMENT_BUFFERS + 1 }, () => a.take());
    expect(taken.slice(0, MAX_POOLED_SEGMENT_BUFFERS).every((b) => b?.byteLength === SEGMENT_BUFFER_BYTES)).toBe(true);
    expect(taken[MAX_POOLED_SEGMENT_BUFFERS]).toBeUndefined(); // past the bound: the read allocates its own
    // While lent, another loan gets other buffers: no two readers share one.
    const b = borrowSegmentBuffers();
    const other = b.take();
    expect(taken.includes(other)).toBe(false);
    b.giveBack();
    a.giveBack();
    const c = borrowSegmentBuffers();
    const again = [c.take(), c.take()];
    expect(again.filter((x) => taken.includes(x) || x === other).length).toBe(2); // reused, not new
    c.giveBack();
  });
});
