// Small measuring helpers shared by the suites.
import { Bench } from 'tinybench';

export interface ResultRow {
  workload: string;
  ours: string;
  reference: string;
  /** ours ÷ reference, in the direction the target reads (higher = better unless stated). */
  ratio: number;
  target: string;
  met: boolean;
  note: string;
}

/** Mean time in ms of `fn` over a few tinybench iterations (after a warm-up). */
export async function timeMs(name: string, fn: () => Promise<unknown> | unknown, iterations: number, setup?: () => Promise<void> | void): Promise<number> {
  const bench = new Bench({ iterations, warmupIterations: 1, time: 0, warmupTime: 0, throws: true });
  bench.add(name, fn, setup === undefined ? {} : { beforeEach: setup });
  await bench.run();
  const task = bench.tasks[0];
  const r = task.result;
  if (r === undefined || !('latency' in r)) throw new Error(`benchmark ${name} produced no result`);
  return r.latency.mean;
}

/** Wall time of one run of `fn`, in ms (for one-shot workloads such as ingesting millions of rows). */
export async function onceMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Best of n one-shot runs (ingest workloads: the best run is the least disturbed one). */
export async function bestOfMs(n: number, fn: () => Promise<unknown> | unknown, before?: () => Promise<void> | void): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    if (before !== undefined) await before();
    best = Math.min(best, await onceMs(fn));
  }
  return best;
}

export const fmtRate = (rows: number, ms: number): string => {
  const perSec = (rows / ms) * 1000;
  return perSec >= 100_000 ? `${(perSec / 1e6).toFixed(2)} M rows/s` : `${(perSec / 1e3).toFixed(1)} k rows/s`;
};
export const fmtMs = (ms: number): string => `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;

/**
 * Run `fn` `times` times, untimed. Scan threads start one after another and each tiers up its
 * kernels on its first scans: a steady-state figure is taken after this (the first query after
 * open has its own row, in startup.ts).
 */
export async function warmUp(fn: () => Promise<unknown>, times = 10): Promise<void> {
  for (let i = 0; i < times; i++) await fn();
}
