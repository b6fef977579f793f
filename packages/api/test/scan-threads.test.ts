// Scan threads: started one after another on few cores, scans to the least busy ready thread,
// none taken while no thread is up.
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanTask } from '@backtracedb/workers';
import { BUSY_START_MS, IDLE_START_MS, ScanThreads } from '../src/scan-threads.js';

const views = (n: number): ScanTask => ({
  kind: 'scan', source: 'views', label: 'test', rowCount: n,
  views: [
    { type: 'int64', values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) },
    { type: 'float64', values: Float64Array.from({ length: n }, (_, i) => i) },
  ],
  request: { predicates: [{ column: 1, type: 'float64', op: '>=', value: n / 2 }], projection: [], countOnly: true, timeColumn: 0 },
});

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

let threads: ScanThreads | null = null;
afterEach(async () => { await threads?.destroy(); threads = null; });

describe('ScanThreads', () => {
  it('starts as many threads as leave the caller a core, then one more as each comes up', async () => {
    threads = new ScanThreads(3);
    threads.start();
    const atOnce = Math.max(1, Math.min(3, availableParallelism() - 1));
    expect(threads.state()).toHaveLength(atOnce);
    await until(() => threads!.state().length === 3 && threads!.state().every((t) => t.ready), 20_000);
  });

  it('a scan before any thread runs here and starts none while the caller keeps scanning; idle, they start', async () => {
    threads = new ScanThreads(2);
    const busyUntil = performance.now() + BUSY_START_MS / 2;
    while (performance.now() < busyUntil) {
      expect(threads.run(views(10), [])).toBeNull(); // none is up: the caller scans
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(threads.state()).toHaveLength(0); // a short query right after open: no thread loading under it
    await until(() => threads!.state().length > 0, 5_000); // idle: they start
  });

  it('a query beginning (startWhenIdle, as each reader calls it) counts as activity: none starts until it is idle', async () => {
    threads = new ScanThreads(1);
    const until3 = performance.now() + 3 * IDLE_START_MS;
    while (performance.now() < until3) { threads.startWhenIdle(); await new Promise((r) => setTimeout(r, 5)); }
    expect(threads.state()).toHaveLength(0); // readers kept beginning: no thread loaded under them
    await until(() => threads!.state().length > 0, 5_000); // idle: it starts
  });

  it('a query that keeps the caller scanning past BUSY_START_MS starts them anyway', async () => {
    threads = new ScanThreads(1);
    const until2 = performance.now() + BUSY_START_MS + 10;
    while (performance.now() < until2) { threads.run(views(10), []); await new Promise((r) => setImmediate(r)); }
    expect(threads.state()).toHaveLength(1);
  });

  it('gives concurrent scans to the ready thread with the fewest in flight, with right answers', async () => {
    threads = new ScanThreads(2);
    threads.start();
    await until(() => threads!.state().length === 2 && threads!.state().every((t) => t.ready), 20_000);
    const runs = Array.from({ length: 8 }, () => threads!.run(views(1000), []));
    const out = await Promise.all(runs);
    for (const r of out) expect(r?.rowCount).toBe(500);
    expect(threads.state().map((t) => t.scans)).toEqual([4, 4]);
  });

  it('takes no scan once destroyed', async () => {
    threads = new ScanThreads(1);
    threads.start();
    await threads.destroy();
    expect(threads.run(views(10), [])).toBeNull();
    threads = null;
  });
});
