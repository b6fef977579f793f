// Buffers that block chunks are read into, reused. A fresh buffer for every read meant fresh
// pages for the kernel to fault in and zero: reading the ~18 MB a cold filtered count over 20
// blocks needs took ~14 ms of CPU that way, ~3.5 ms into buffers already touched (measured
// with fs.read on this machine). The buffers travel to the scan thread with the task and come
// back with its result (ScanOutput.spent).

/** Free buffers kept at most, in bytes: a few queries' worth of chunks. */
export const READ_BUFFERS_MAX_BYTES = 64 * 1024 * 1024;
/** Sizes are rounded up to this, so buffers fit more than one read size. */
const GRAIN_BYTES = 64 * 1024;

export class ReadBuffers {
  private free: ArrayBuffer[] = [];
  private freeBytes = 0;

  constructor(private readonly maxBytes = READ_BUFFERS_MAX_BYTES) {}

  /** A buffer of at least `lengthBytes`: the smallest free one that fits (at most twice the size), else a new one. */
  take(lengthBytes: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i].byteLength;
      if (size >= lengthBytes && size <= 2 * lengthBytes + GRAIN_BYTES && (best < 0 || size < this.free[best].byteLength)) best = i;
    }
    if (best < 0) return new Uint8Array(new ArrayBuffer(Math.ceil(lengthBytes / GRAIN_BYTES) * GRAIN_BYTES));
    const buf = this.free[best];
    this.free[best] = this.free[this.free.length - 1];
    this.free.pop();
    this.freeBytes -= buf.byteLength;
    return new Uint8Array(buf);
  }

  /** Take back a buffer whose bytes nothing reads any more; dropped past the bound (or if detached). */
  give(buf: ArrayBuffer): void {
    if (buf.byteLength === 0 || this.freeBytes + buf.byteLength > this.maxBytes) return;
    this.free.push(buf);
    this.freeBytes += buf.byteLength;
  }

  get pooledBytes(): number { return this.freeBytes; }
}
