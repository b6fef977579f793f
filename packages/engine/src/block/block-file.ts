// Reading a sealed block's file: the whole file (size checked; the checksum is verified by
// whoever decodes it) or only some column chunks of some row groups (adjacent chunks in one
// read; each chunk's CRC32 travels with it to be verified where it is decoded).
import type { Storage } from '../storage/storage.js';
import type { BlockLayout } from './sealed-block.js';
import type { Compression } from '../table/create-options.js';

/** Column chunks of chosen row groups: chunks[g][i] is column columns[i] of the g-th chosen group. */
export interface ColumnChunks {
  readonly rowCounts: number[];
  /** Schema column of each chunk position. */
  readonly columns: readonly number[];
  readonly chunks: Uint8Array[][];
  /** The CRC32 each chunk must have, as recorded when the block was written. */
  readonly crcs: number[][];
  /** How the chunks' pages are compressed (from the block's layout). */
  readonly compression: Compression;
}

/** Keeps the error's code: a reader next to a live writer retries when a file vanished (ENOENT). */
function unreadable(table: string, path: string, err: unknown): Error {
  return Object.assign(new Error(`table "${table}": block file ${path} cannot be read: ${(err as Error).message}`), { code: (err as NodeJS.ErrnoException).code });
}

/** The whole block file; its size must be `sizeBytes`. */
export async function readBlockFile(storage: Storage, table: string, path: string, sizeBytes: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.readFile(path);
  } catch (err) {
    throw unreadable(table, path, err);
  }
  if (bytes.byteLength !== sizeBytes) throw new Error(`table "${table}": block file ${path} is damaged: ${bytes.byteLength} bytes, the manifest says ${sizeBytes}`);
  return bytes;
}

/** The given columns of the given row groups, as laid out in `layout`. */
/** `alloc`: where to read each coalesced range (a reused buffer), or fresh memory without it. */
export async function readColumnChunks(storage: Storage, table: string, path: string, layout: BlockLayout, rowGroups: readonly number[], columns: readonly number[], alloc?: (lengthBytes: number) => Uint8Array): Promise<ColumnChunks> {
  const out = await Promise.all(rowGroups.map(async (g) => {
    const group = layout.rowGroups[g];
    if (group === undefined) throw new Error(`table "${table}": block file ${path}: no row group ${g}`);
    const ranges = columns.map((c) => group.chunks[c]);
    // Coalesce runs of adjacent chunks into single reads.
    const order = columns.map((_, i) => i).sort((a, b) => ranges[a][0] - ranges[b][0]);
    const parts: Uint8Array[] = new Array<Uint8Array>(columns.length);
    let i = 0;
    while (i < order.length) {
      let j = i;
      while (j + 1 < order.length && ranges[order[j + 1]][0] === ranges[order[j]][1]) j++;
      const start = ranges[order[i]][0];
      const end = ranges[order[j]][1];
      let bytes: Uint8Array;
      try {
        bytes = await storage.readRange(path, start, end - start, alloc?.(end - start));
      } catch (err) {
        throw unreadable(table, path, err);
      }
      for (let k = i; k <= j; k++) { const [s, e] = ranges[order[k]]; parts[order[k]] = bytes.subarray(s - start, e - start); }
      i = j + 1;
    }
    return { parts, crcs: ranges.map((r) => r[2]), rows: group.rowCount };
  }));
  return { rowCounts: out.map((o) => o.rows), columns, chunks: out.map((o) => o.parts), crcs: out.map((o) => o.crcs), compression: layout.compression ?? 'none' };
}
