// The Parquet footer: which column chunks exist, where, and how they are encoded.
import { list, num, struct, text, ThriftReader, UnsupportedParquetError, type ThriftStruct } from './thrift.js';
import { ColumnChunk, ColumnMetaData as CMD, FileMetaData, Repetition, RowGroup, SchemaElement } from './fields.js';

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
  // The first schema element is the root; the flat columns follow.
  for (const el of list(meta, FileMetaData.schema).slice(1) as ThriftStruct[]) {
    if (el.get(SchemaElement.numChildren) !== undefined) throw new UnsupportedParquetError('nested schema');
    const repetition = el.get(SchemaElement.repetitionType);
    if (repetition === Repetition.REPEATED) throw new UnsupportedParquetError('repeated column');
    if (repetition === Repetition.OPTIONAL) optional.add(text(el.get(SchemaElement.name)));
  }
  const rowGroups = (list(meta, FileMetaData.rowGroups) as ThriftStruct[]).map((rg): RowGroupInfo => {
    const chunks = new Map<string, ChunkInfo>();
    for (const cc of list(rg, RowGroup.columns) as ThriftStruct[]) {
      const md = struct(cc, ColumnChunk.metaData);
      const path = list(md, CMD.pathInSchema);
      if (path.length !== 1) throw new UnsupportedParquetError('nested column path');
      const dataOffset = num(md, CMD.dataPageOffset);
      const dictOffset = md.has(CMD.dictionaryPageOffset) ? num(md, CMD.dictionaryPageOffset) : dataOffset;
      const start = Math.min(dataOffset, dictOffset);
      const end = start + num(md, CMD.totalCompressedSize);
      if (end > n - 8 - metaLength || start < 4) throw new Error('Parquet column chunk lies outside the file');
      chunks.set(text(path[0]), { physicalType: num(md, CMD.type), codec: num(md, CMD.codec), numValues: num(md, CMD.numValues), start, end });
    }
    return { rowCount: num(rg, RowGroup.numRows), chunks };
  });
  return { rowCount: num(meta, FileMetaData.numRows), rowGroups, optional };
}
