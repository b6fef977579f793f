// copyBytes (util/copy-bytes.ts): the same bytes as TypedArray.set for every combination of
// shared and unshared buffers, every relative alignment, and sizes across the scratch pieces.
import { describe, expect, it } from 'vitest';
import { copyBytes } from '../src/util/copy-bytes.js';

function buffer(shared: boolean, n: number): Uint8Array {
  return new Uint8Array(shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
}

describe('copyBytes', () => {
  const sizes = [0, 1, 1023, 1024, 5000, 256 * 1024 + 13, 600_000];
  for (const srcShared of [false, true]) {
    for (const dstShared of [false, true]) {
      it(`copies ${srcShared ? 'shared' : 'unshared'} -> ${dstShared ? 'shared' : 'unshared'} at every alignment`, () => {
        const wrong: string[] = [];
        for (const n of sizes) {
          for (const srcOff of [0, 3, 8]) {
            for (const dstAt of [0, 1, 5, 8]) {
              const srcBuf = buffer(srcShared, n + 16);
              for (let i = 0; i < srcBuf.length; i++) srcBuf[i] = (i * 31 + 7) & 255;
              const src = srcBuf.subarray(srcOff, srcOff + n);
              const dst = buffer(dstShared, n + 32).subarray(2); // a view at an offset too
              dst.fill(0xee);
              copyBytes(dst, dstAt, src);
              const expected = new Uint8Array(dst.length).fill(0xee);
              expected.set(src, dstAt);
              const at = dst.findIndex((b, i) => b !== expected[i]);
              if (at >= 0) wrong.push(`n=${n} srcOff=${srcOff} at=${dstAt}: byte ${at} differs`);
            }
          }
        }
        expect(wrong).toEqual([]);
      });
    }
  }

  it('refuses a copy past the end of the target, as set does', () => {
    expect(() => copyBytes(buffer(true, 10), 5, new Uint8Array(2000))).toThrow(RangeError);
  });
});
