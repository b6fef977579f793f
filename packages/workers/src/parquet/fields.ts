// Thrift field ids of the Parquet metadata the fast reader uses, named once, as in
// parquet.thrift (apache/parquet-format). Only the fields read here (and the timestamp
// annotation the writer adds, parquet/timestamp.ts) are listed.

/** struct FileMetaData */
export const FileMetaData = { schema: 2, numRows: 3, rowGroups: 4 } as const;
/** struct SchemaElement */
export const SchemaElement = { type: 1, repetitionType: 3, name: 4, numChildren: 5, convertedType: 6, logicalType: 10 } as const;
/** enum ConvertedType (the legacy annotations the writer sets) */
export const ConvertedType = { UTF8: 0, TIMESTAMP_MILLIS: 9, TIMESTAMP_MICROS: 10 } as const;
/** union LogicalType (the members used) */
export const LogicalType = { STRING: 1, TIMESTAMP: 8 } as const;
/** struct TimestampType */
export const TimestampType = { isAdjustedToUTC: 1, unit: 2 } as const;
/** union TimeUnit (each member an empty struct) */
export const TimestampUnit = { MILLIS: 1, MICROS: 2, NANOS: 3 } as const;
/** enum FieldRepetitionType */
export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
/** struct RowGroup */
export const RowGroup = { columns: 1, numRows: 3 } as const;
/** struct ColumnChunk */
export const ColumnChunk = { metaData: 3 } as const;
/** struct ColumnMetaData */
export const ColumnMetaData = {
  type: 1, pathInSchema: 3, codec: 4, numValues: 5, totalCompressedSize: 7, dataPageOffset: 9, dictionaryPageOffset: 11,
} as const;
/** enum Type (physical types this reader accepts) */
export const PhysicalType = { BOOLEAN: 0, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
/** enum CompressionCodec */
export const Codec = { UNCOMPRESSED: 0, SNAPPY: 1, ZSTD: 6 } as const;
/** struct PageHeader */
export const PageHeader = { type: 1, uncompressedPageSize: 2, compressedPageSize: 3, dataPageHeader: 5, dictionaryPageHeader: 7 } as const;
/** enum PageType */
export const PageType = { DATA_PAGE: 0, INDEX_PAGE: 1, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;
/** struct DataPageHeader and struct DictionaryPageHeader share these two */
export const DataPageHeader = { numValues: 1, encoding: 2 } as const;
/** enum Encoding (those this reader decodes) */
export const Encoding = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE_DICTIONARY: 8 } as const;
