// Waiting with a bound: what shutdown code uses so a stuck thread cannot hang close().

/** Resolves once `p` settles (either way) or `ms` have passed, whichever comes first. */
export async function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]);
  clearTimeout(timer);
}

/** How long shutdown waits for a thread still loading its modules before terminating it anyway. */
export const THREAD_STARTUP_WAIT_MS = 10_000;
