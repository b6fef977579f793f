// A block that takes no more appends. It is readable at every moment of its life:
// first from its shared column buffers, then from its Parquet bytes (memory) or file (disk).
import type { ActiveBlock } from './active-block.js';
import { withValid, type ColumnView } from '../column/column-view.js';
import type { ZoneMap } from './zone-map.js';
import type { TableSchema } from '../schema/schema.js';
import type { Compression } from '../table/create-options.js';

/** Zone map of one Parquet row group, with its row range inside the block. */
export interface RowGroupZone {
  readonly firstRow: number;
  readonly zoneMap: ZoneMap;
}

/**
 * Where each column chunk of each row group lies in the block file, with its CRC32, so a
 * scan reads (and verifies) only the bytes it needs. Null for files the fast reader can't read.
 */
export interface BlockLayout {
  readonly rowGroups: ReadonlyArray<{
    readonly rowCount: number;
    /** Per schema column: [start, end) byte offsets in the file and the CRC32 of those bytes. */
    readonly chunks: ReadonlyArray<readonly [number, number, number]>;
  }>;
  /** How the chunks' pages are compressed; absent for uncompressed (and every older block). */
  readonly compression?: Exclude<Compression, 'none'>;
}

export interface SealedBlock {
  /**
   * Block number within this process's life of the table (from 0 at open; not persisted): names a
   * memory block in messages. Block files are named by `firstRowSeq` instead.
   */
  readonly id: number;
  readonly firstRowSeq: number;
  readonly rowCount: number;
  /** Just past the last row sequence number covered, when not firstRowSeq + rowCount (rows removed, blocks merged). */
  readonly endRowSeq?: number;
  readonly minTime: bigint;
  readonly maxTime: bigint;
  /** Shared column buffers, until the encoded form exists; then dropped. */
  raw: ActiveBlock | null;
  /** Whole-block and per-row-group zone maps, once encoded. */
  zoneMap: ZoneMap | null;
  rowGroups: RowGroupZone[] | null;
  /** Memory storage: the Parquet bytes, on shared memory so scans read them without copying. */
  parquet: Uint8Array | null;
  /** Disk storage: the block file (relative to the table directory) once durable. */
  file: string | null;
  sizeBytes: number;
  checksum: number;
  layout: BlockLayout | null;
  /** Sealed under an outOfOrderWindow: which WAL rows it took (absent or null otherwise). */
  late?: LateSeal | null;
  /**
   * Blocks whose rows a late row took back (reopen-tail.ts): this block holds them all and
   * replaces them in one manifest generation when written; null once written (or none).
   */
  replaces?: SealedBlock[] | null;
}

/**
 * A seal under an outOfOrderWindow takes every row appended so far (sequence numbers below
 * `rowSeq`) whose time is at or below `time`, and no other; earlier seals took a subset of
 * these. Rows from `firstUnsealedSeq` on may still be unsealed: the WAL is kept from there.
 * `newest` is the newest time appended before `rowSeq` (replay restarts from it).
 */
export interface LateSeal {
  readonly rowSeq: number;
  readonly time: bigint;
  readonly firstUnsealedSeq: number;
  readonly newest: bigint;
}

/** What the pool is asked to encode: the block's shared buffers, never a copy. */
export interface EncodeTask {
  readonly kind: 'encode';
  readonly schema: TableSchema;
  readonly rowCount: number;
  readonly columns: ColumnView[];
  readonly rowGroupRows: number;
  /**
   * Return the Parquet bytes on shared memory (kept in memory and scanned by workers) or in a
   * plain transferred buffer (written to disk and dropped: plain buffers count towards V8's
   * GC pressure, shared ones are collected late).
   */
  readonly sharedOutput: boolean;
  /** How to compress the pages: the table's setting when the block sealed (absent: 'none'). */
  readonly compression?: Compression;
}

export interface EncodedBlock {
  /** Parquet bytes; on a SharedArrayBuffer when the encoder can. */
  readonly parquet: Uint8Array;
  readonly zoneMap: ZoneMap;
  readonly rowGroups: RowGroupZone[];
  /** CRC32 of the Parquet bytes. */
  readonly checksum: number;
  readonly layout: BlockLayout | null;
}

/** Views of rows [0, rowCount) of a block's shared buffers, fixed-length. */
export function viewsOf(block: ActiveBlock, rowCount: number): ColumnView[] {
  return block.columns.map((c): ColumnView => {
    const valid = withValid(c.validity === null ? null : c.validity.values.subarray(0, rowCount));
    switch (c.type) {
      case 'int64': return { type: 'int64', values: c.values.subarray(0, rowCount), ...valid };
      case 'float64': return { type: 'float64', values: c.values.subarray(0, rowCount), ...valid };
      case 'bool': return { type: 'bool', values: c.values.subarray(0, rowCount), ...valid };
      case 'string': return { type: 'string', values: c.values.subarray(0, rowCount), dictionary: c.dictionary.values, ...valid };
    }
  });
}

/** Same, but with dictionaries copied as of now: safe to send to a worker while appends go on. */
export function frozenViewsOf(block: ActiveBlock, rowCount: number): ColumnView[] {
  return viewsOf(block, rowCount).map((v) => (v.type === 'string' ? { ...v, dictionary: v.dictionary.slice() } : v));
}
