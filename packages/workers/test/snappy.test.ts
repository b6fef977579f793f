// Snappy: hand-built streams for every element form the format has (literal lengths in the
// tag and in 1–4 extra bytes; copies with 1-, 2- and 4-byte offsets; overlapping copies),
// round trips of the compressor across fragment boundaries, and damaged streams refused.
import { describe, expect, it } from 'vitest';
import { compress, decompress, maxCompressedLength, uncompressedLength } from '../src/parquet/snappy.js';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  out.push(n);
  return out;
}

/** A literal element of `bytes`, with its length in the tag or in 1..4 extra bytes. */
function literal(bytes: number[], extra: 0 | 1 | 2 | 3 | 4): number[] {
  const n = bytes.length - 1;
  if (extra === 0) return [n << 2, ...bytes];
  const len = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].slice(0, extra);
  return [(59 + extra) << 2, ...len, ...bytes];
}

const copy1 = (offset: number, len: number): number[] => [1 | ((len - 4) << 2) | ((offset >>> 8) << 5), offset & 0xff];
const copy2 = (offset: number, len: number): number[] => [2 | ((len - 1) << 2), offset & 0xff, offset >>> 8];
const copy4 = (offset: number, len: number): number[] => [3 | ((len - 1) << 2), offset & 0xff, (offset >>> 8) & 0xff, (offset >>> 16) & 0xff, offset >>> 24];

function stream(length: number, ...elements: number[][]): Uint8Array {
  return Uint8Array.from([...varint(length), ...elements.flat()]);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

const bytesOf = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i) & 0xff);

describe('snappy decoder on hand-built streams', () => {
  it('literal lengths of every class: in the tag (1..60), 1, 2, 3 and 4 extra bytes', () => {
    for (const [n, extra] of [[1, 0], [60, 0], [1, 1], [61, 1], [256, 1], [257, 2], [65_536, 2], [65_537, 3], [70_000, 4]] as const) {
      const bytes = bytesOf(n, (i) => i * 7 + n);
      expect(Array.from(decompress(stream(n, literal(bytes, extra)))), `${n} bytes, ${extra} extra`).toEqual(bytes);
    }
  });

  it('copies with 1-byte offsets (lengths 4..11, offsets up to 2047)', () => {
    const head = bytesOf(2048, (i) => i * 13);
    for (const [offset, len] of [[1, 4], [2047, 11], [256, 7], [300, 4]] as const) {
      const want = [...head, ...bytesOf(len, (i) => head[head.length - offset + (i % offset)])];
      expect(Array.from(decompress(stream(want.length, literal(head, 2), copy1(offset, len)))), `offset ${offset} len ${len}`).toEqual(want);
    }
  });

  it('copies with 2-byte offsets (lengths 1..64, offsets up to 65535)', () => {
    const head = bytesOf(65_535, (i) => i * 31 + (i >>> 8));
    for (const [offset, len] of [[65_535, 64], [1, 1], [2048, 33], [40_000, 5]] as const) {
      const want = [...head, ...bytesOf(len, (i) => head[head.length - offset + (i % offset)])];
      expect(Array.from(decompress(stream(want.length, literal(head, 2), copy2(offset, len)))), `offset ${offset} len ${len}`).toEqual(want);
    }
  });

  it('copies with 4-byte offsets, beyond 65535', () => {
    const head = bytesOf(70_000, (i) => i * 17 + (i >>> 9));
    const want = [...head, ...head.slice(0, 64), ...head.slice(70_000 - 65_536, 70_000 - 65_536 + 3)];
    const got = decompress(stream(want.length, literal(head, 3), copy4(70_000, 64), copy4(65_536 + 64, 3)));
    expect(Array.from(got)).toEqual(want);
  });

  it('overlapping copies repeat the last bytes (offset 1 = a run, offset 3 = a period of 3)', () => {
    expect(Array.from(decompress(stream(65, literal([9], 0), copy2(1, 64))))).toEqual(new Array(65).fill(9));
    expect(Array.from(decompress(stream(13, literal([1, 2, 3], 0), copy1(3, 10))))).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1]);
    expect(Array.from(decompress(stream(6, literal([5, 6], 0), copy4(2, 4))))).toEqual([5, 6, 5, 6, 5, 6]);
    // Offsets 4..7 with long lengths: copied in words that overlap what they write.
    for (const offset of [4, 5, 6, 7]) {
      const head = bytesOf(offset, (i) => i * 29 + 1);
      const want = bytesOf(offset + 63, (i) => head[i % offset]);
      expect(Array.from(decompress(stream(want.length, literal(head, 0), copy2(offset, 63)))), `offset ${offset}`).toEqual(want);
    }
  });

  it('an empty stream is the empty input', () => {
    expect(decompress(Uint8Array.of(0)).byteLength).toBe(0);
    expect(Array.from(compress(new Uint8Array(0)))).toEqual([0]);
  });
});

describe('snappy refuses damaged streams', () => {
  const bad: Array<[string, Uint8Array]> = [
    ['copy offset 0', stream(8, literal([1, 2, 3, 4], 0), copy1(0, 4))],
    ['copy before the start', stream(8, literal([1, 2, 3, 4], 0), copy1(5, 4))],
    ['copy past the announced length', stream(6, literal([1, 2, 3, 4], 0), copy1(4, 4))],
    ['literal past the announced length', stream(2, literal([1, 2, 3], 0))],
    ['literal past the input', stream(5, [4 << 2, 1, 2])],
    ['literal length bytes missing', stream(100, [61 << 2, 1])],
    ['truncated 2-byte copy', stream(8, literal([1, 2, 3, 4], 0), [2 | (3 << 2), 1])],
    ['truncated 4-byte copy', stream(8, literal([1, 2, 3, 4], 0), [3 | (3 << 2), 1, 0])],
    ['fewer bytes than announced', stream(10, literal([1, 2, 3, 4], 0))],
    ['no length header', new Uint8Array(0)],
    ['unterminated length header', Uint8Array.of(0x80, 0x80)],
  ];
  for (const [what, bytes] of bad) it(what, () => { expect(() => decompress(bytes)).toThrow(/snappy/); });
});

describe('snappy round trips', () => {
  const r = rng(5);
  const cases: Array<[string, Uint8Array]> = [
    ['random (incompressible)', Uint8Array.from(bytesOf(200_000, () => r() * 256))],
    ['zeros (long runs)', new Uint8Array(300_000)],
    ['period 3', Uint8Array.from(bytesOf(100_003, (i) => i % 3))],
    ['increasing int64s', new Uint8Array(BigInt64Array.from({ length: 40_000 }, (_, i) => 1_700_000_000_000n + BigInt(i)).buffer)],
    ['prices as doubles', new Uint8Array(Float64Array.from({ length: 40_000 }, () => Math.round(r() * 100_000) / 100).buffer)],
    ['text', new TextEncoder().encode('the quick brown fox jumps over the lazy dog; '.repeat(3000))],
  ];
  for (let n = 0; n < 40; n++) cases.push([`short ${n}`, Uint8Array.from(bytesOf(n, () => r() * 4))]);
  for (const n of [65_535, 65_536, 65_537, 131_072 + 15]) cases.push([`fragment edge ${n}`, Uint8Array.from(bytesOf(n, (i) => (i >>> 4) ^ (i % 7)))]);
  for (const [what, src] of cases) {
    it(what, () => {
      const c = compress(src);
      expect(c.byteLength).toBeLessThanOrEqual(maxCompressedLength(src.byteLength));
      expect(uncompressedLength(c)).toBe(src.byteLength);
      expect(Buffer.compare(decompress(c), src)).toBe(0);
    });
  }

  it('compresses what repeats', () => {
    expect(compress(new Uint8Array(300_000)).byteLength).toBeLessThan(300_000 / 20);
    expect(compress(new TextEncoder().encode('abcdefgh'.repeat(10_000))).byteLength).toBeLessThan(80_000 / 10);
  });
});
