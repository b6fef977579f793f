// What the pool is asked to scan: one union member per source of a block's rows. Every member
// carries exactly what its strategy reads; nothing is "empty" or null to mean "not this one".
import type { ColumnChunks, ColumnView, ScanRequest, ScanResult, TableSchema } from '@backtracedb/engine';

interface ScanCommon {
  readonly kind: 'scan';
  readonly request: ScanRequest;
  /** Names the block in errors (its file path, or "memory block N of table T"). */
  readonly label: string;
}

/** Columns already decoded on shared memory (a cached block, a slice of the active block). */
export interface ViewsScanTask extends ScanCommon {
  readonly source: 'views';
  /** Indexed by schema column; only the needed ones must be present. */
  readonly views: ColumnView[];
  readonly rowCount: number;
}

/** Column chunks read from a block file; each chunk's CRC32 is verified before decoding. */
export interface ChunksScanTask extends ScanCommon {
  readonly source: 'chunks';
  readonly schema: TableSchema;
  readonly chunks: ColumnChunks;
  /** Every column is in `chunks`: also hand them back decoded, on shared memory, for the cache. */
  readonly fillCache: boolean;
}

/** A whole Parquet block: bytes kept in memory, or a file read whole (`checksum` to verify). */
export interface ParquetScanTask extends ScanCommon {
  readonly source: 'parquet';
  readonly schema: TableSchema;
  readonly parquet: Uint8Array;
  /** How the bytes are trusted: in memory since encoding, or read from a file with this CRC32. */
  readonly origin: { readonly kind: 'memory' } | { readonly kind: 'file'; readonly checksum: number };
  /** Row groups to decode, ascending; null = all. */
  readonly rowGroups: readonly number[] | null;
  /** Rows the chosen row groups must hold. */
  readonly expectedRows: number;
  readonly fillCache: boolean;
}

export type ScanTask = ViewsScanTask | ChunksScanTask | ParquetScanTask;

/** A scan's rows, plus every column decoded on shared memory when the cache asked for them. */
/**
 * `decoded`: the block's columns for the cache. `spent`: the buffers the chunks were read into,
 * handed back once scanned (nothing of the result refers to them) so the reader reuses them.
 */
export type ScanOutput = ScanResult & { decoded?: ColumnView[]; spent?: ArrayBuffer[] };

/** The distinct non-shared buffers under a task's chunks. */
export function chunkBuffers(chunks: readonly Uint8Array[][]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const row of chunks) for (const b of row) if (b.buffer instanceof ArrayBuffer) out.add(b.buffer);
  return [...out];
}

/** An error naming the block, for bytes the readers refuse. */
export function damaged(label: string, err: unknown): Error {
  return new Error(`block ${label} is damaged or unreadable: ${(err as Error).message}`);
}

/** Copy a decoded column onto shared memory, so cached blocks are scanned in place by any thread. */
export function toShared(v: ColumnView): ColumnView {
  const src = v.values;
  const bytes = new Uint8Array(new SharedArrayBuffer(src.byteLength));
  bytes.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  let valid: { valid?: Uint8Array } = {};
  if (v.valid) {
    const shared = new Uint8Array(new SharedArrayBuffer(v.valid.byteLength));
    shared.set(v.valid);
    valid = { valid: shared };
  }
  switch (v.type) {
    case 'int64': return { type: 'int64', values: new BigInt64Array(bytes.buffer), ...valid };
    case 'float64': return { type: 'float64', values: new Float64Array(bytes.buffer), ...valid };
    case 'bool': return { type: 'bool', values: new Uint8Array(bytes.buffer), ...valid };
    case 'string': return { type: 'string', values: new Int32Array(bytes.buffer), dictionary: v.dictionary, ...valid };
  }
}
