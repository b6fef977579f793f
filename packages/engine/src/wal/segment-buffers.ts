// Buffers WAL segments are read into, reused across reads in this process. A reader next to a
// live writer reads the writer's WAL tail at every open and catch-up; a fresh buffer each time
// meant megabytes of new pages to fault in, and external memory that brought V8's major GCs
// into the queries that followed (read-only live first query: major GCs in 14-17 of 25 runs,
// 1-2 with the buffer reused; bench/profile/read-only-live.mjs). A caller borrows buffers for
// one read of the log, holds them while it uses the records, and gives them all back at once.

/** Size of each pooled buffer: a segment larger than this is read into a fresh one. */
export const SEGMENT_BUFFER_BYTES = 16 * 1024 * 1024;
/** Pooled buffers kept at most (allocated on first use; untouched pages cost nothing). */
export const MAX_POOLED_SEGMENT_BUFFERS = 2;

const free: Uint8Array[] = [];

export interface SegmentBufferLoan {
  /** A buffer for the next segment read: pooled while any is left, else undefined (read fresh). */
  take(): Uint8Array | undefined;
  /** Give back every buffer taken; nothing read into them may be used afterwards. */
  giveBack(): void;
}

export function borrowSegmentBuffers(): SegmentBufferLoan {
  const taken: Uint8Array[] = [];
  let pooled = 0;
  return {
    take() {
      if (pooled >= MAX_POOLED_SEGMENT_BUFFERS) return undefined;
      const buf = free.pop() ?? new Uint8Array(SEGMENT_BUFFER_BYTES);
      pooled++;
      taken.push(buf);
      return buf;
    },
    giveBack() {
      for (const buf of taken.splice(0)) if (free.length < MAX_POOLED_SEGMENT_BUFFERS) free.push(buf);
    },
  };
}
