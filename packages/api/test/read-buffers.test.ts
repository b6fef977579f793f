// Read buffers: reused best-fit, bounded, detached ones dropped.
import { describe, expect, it } from 'vitest';
import { ReadBuffers } from '../src/read/read-buffers.js';

describe('ReadBuffers', () => {
  it('hands back the smallest free buffer that fits, else a new one rounded up', () => {
    const pool = new ReadBuffers(10 * 1024 * 1024);
    const a = pool.take(100_000);
    expect(a.byteLength).toBe(131_072); // 64 KiB grains
    const b = pool.take(1_000_000);
    pool.give(a.buffer as ArrayBuffer);
    pool.give(b.buffer as ArrayBuffer);
    expect(pool.pooledBytes).toBe(a.byteLength + b.byteLength);
    expect(pool.take(90_000).buffer).toBe(a.buffer); // the small one, not the big one
    expect(pool.take(20_000).buffer).not.toBe(b.buffer); // the big one is too big for it: a new one
    expect(pool.take(900_000).buffer).toBe(b.buffer);
    expect(pool.pooledBytes).toBe(0);
  });

  it('keeps at most its bound, and drops detached buffers', () => {
    const pool = new ReadBuffers(200_000);
    const a = pool.take(100_000);
    const b = pool.take(100_000);
    pool.give(a.buffer as ArrayBuffer);
    pool.give(b.buffer as ArrayBuffer); // past the bound: dropped
    expect(pool.pooledBytes).toBe(131_072);
    const c = pool.take(10);
    structuredClone(c.buffer, { transfer: [c.buffer as ArrayBuffer] }); // detached, as after a transfer
    pool.give(c.buffer as ArrayBuffer);
    expect(pool.pooledBytes).toBe(131_072);
  });
});
