// The decoded-block cache: LRU under a byte budget, and second-read admission.
import { describe, expect, it } from 'vitest';
import { BlockCache } from '../src/block-cache.js';

const view = (n: number) => [{ type: 'float64' as const, values: new Float64Array(n) }];

describe('BlockCache', () => {
  it('admits a block on its second whole read, not its first', () => {
    const c = new BlockCache(1 << 20);
    expect(c.admit('db/t/0:1')).toBe(false);
    expect(c.admit('db/t/0:1')).toBe(true);
    expect(c.admit('db/t/5:2')).toBe(false);
    c.dropPrefix('db/t/');
    expect(c.admit('db/t/0:1')).toBe(false);
    expect(new BlockCache(0).admit('x')).toBe(false);
  });

  it('evicts least recently used entries to stay under its budget', () => {
    const c = new BlockCache(3 * 800);
    c.put('a', view(100), 100);
    c.put('b', view(100), 100);
    c.put('c', view(100), 100);
    expect(c.get('a')).toBeDefined(); // a is now the most recent
    c.put('d', view(100), 100);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    expect(c.sizeBytes).toBeLessThanOrEqual(3 * 800);
    c.put('huge', view(10_000), 10_000); // larger than the whole budget: not kept
    expect(c.get('huge')).toBeUndefined();
  });
});
