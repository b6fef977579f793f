// The Parquet footer: which column chunks exist, where, and how they are encoded.
import { list, num, struct, text, ThriftReader, UnsupportedParquetError, type ThriftStruct } from './thrift.js';

export interface ChunkInfo {
  /** Physical type: 0 BOOLEAN, 2 INT64, 5 DOUBLE, 6 BYTE_ARRAY. */
  readonly physicalType: number;
  readonly codec: number;
  readonly numValues: number;
  /** Byte range of the chunk's pages: dictionary page first when there is one. */
  readonly start: number;
  readonly end: number;
}

export interface RowGroupInfo {
  readonly rowCount: number;
  /** Column chunks by column name. */
  readonly chunks: ReadonlyMap<string, ChunkInfo>;
}

export interface Footer {
  readonly rowCount: number;
  readonly rowGroups: readonly RowGroupInfo[];
  /** Column names whose values may be null (OPTIONAL): they carry definition levels. */
  readonly optional: ReadonlySet<string>;
}

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

export function readFooter(bytes: Uint8Array): Footer {
  const n = bytes.byteLength;
  if (n < 12) throw new Error(`not a Parquet file: ${n} bytes`);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i] || bytes[n - 4 + i] !== MAGIC[i]) throw new Error('not a Parquet file: bad magic');
  }
  const metaLength = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 4).getUint32(0, true);
  if (metaLength > n - 12) throw new Error(`Parquet footer length ${metaLength} exceeds the file`);
  const meta = new ThriftReader(bytes, n - 8 - metaLength, n - 8).struct();

  const optional = new Set<string>();
  for (const el of list(meta, 2).slice(1) as ThriftStruct[]) {
    if (el.get(5) !== undefined) throw new UnsupportedParquetError('nested schema');
    const repetition = el.get(3);
    if (repetition === 2) throw new UnsupportedParquetError('repeated column');
    if (repetition === 1) optional.add(text(el.get(4)));
  }
  const rowGroups = (list(meta, 4) as ThriftStruct[]).map((rg): RowGroupInfo => {
    const chunks = new Map<string, ChunkInfo>();
    for (const cc of list(rg, 1) as ThriftStruct[]) {
      const md = struct(cc, 3);
      const path = list(md, 3);
      if (path.length !== 1) throw new UnsupportedParquetError('nested column path');
      const dataOffset = num(md, 9);
      const dictOffset = md.has(11) ? num(md, 11) : dataOffset;
      const start = Math.min(dataOffset, dictOffset);
      const end = start + num(md, 7);
      if (end > n - 8 - metaLength || start < 4) throw new Error('Parquet column chunk lies outside the file');
      chunks.set(text(path[0]), { physicalType: num(md, 1), codec: num(md, 4), numValues: num(md, 5), start, end });
    }
    return { rowCount: num(rg, 3), chunks };
  });
  return { rowCount: num(meta, 3), rowGroups, optional };
}
