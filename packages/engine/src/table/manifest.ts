// The manifest: which block files hold the table's durable rows. This file has its in-memory
// form and the JSON of one block; manifest-log.ts stores them as an append-only log of
// checksummed records (docs/manifest.md). Format 1 (one manifest.json rewritten whole for
// every block) is still read, and migrated on the first block write.
import { capZoneMap, zoneMapFromJson, zoneMapToJson, type ZoneMap } from '../block/zone-map.js';
import type { BlockLayout, LateSeal, RowGroupZone, SealedBlock } from '../block/sealed-block.js';
import type { TableSchema } from '../schema/schema.js';
import { parseAnyBlockFileName } from './layout.js';

export const MANIFEST_FORMAT = 2;
export const LEGACY_MANIFEST_FORMAT = 1;

export interface ManifestBlock {
  readonly file: string;
  readonly firstRowSeq: number;
  readonly rowCount: number;
  /**
   * Just past the last row sequence number the block covers: firstRowSeq + rowCount, unless
   * rows were removed from it (deleteBefore) or it merges blocks with gaps between (compact).
   */
  readonly endRowSeq: number;
  readonly minTime: bigint;
  readonly maxTime: bigint;
  readonly sizeBytes: number;
  /** CRC32 of the whole file. */
  readonly checksum: number;
  /** CRC32 of the table schema the block was written with (null in format 1). */
  readonly schemaCrc: number | null;
  readonly zoneMap: ZoneMap;
  readonly rowGroups: RowGroupZone[];
  readonly layout: BlockLayout | null;
  /** Sealed under an outOfOrderWindow: which WAL rows it took (absent in older manifests: none). */
  readonly late?: LateSeal | null;
}

export interface Manifest {
  readonly format: number;
  readonly table: string;
  /** The schema recorded in the manifest (null in format 1). */
  readonly schema: TableSchema | null;
  /** Rows held by the listed blocks: the WAL is replayed from here. */
  readonly durableRowCount: number;
  readonly lastTime: bigint | null;
  readonly blocks: readonly ManifestBlock[];
  /** Block files the manifest no longer lists and that may still be on disk: removable. */
  readonly removed: readonly string[];
}

/**
 * What a snapshot records besides its blocks: once blocks can be removed, the last listed block
 * no longer tells where the WAL resumes or how new the newest row was.
 */
export interface ManifestEnd {
  readonly durableRowCount: number;
  readonly lastTime: bigint | null;
  readonly removed: readonly string[];
}

export const NO_END: ManifestEnd = { durableRowCount: 0, lastTime: null, removed: [] };

export function emptyManifest(table: string): Manifest {
  return { format: MANIFEST_FORMAT, table, schema: null, durableRowCount: 0, lastTime: null, blocks: [], removed: [] };
}

function maxTime(a: bigint | null, b: bigint | null): bigint | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** The manifest of `blocks` with a recorded end: the later of the record and the last block. */
export function manifestWithEnd(table: string, schema: TableSchema | null, format: number, blocks: readonly ManifestBlock[], end: ManifestEnd): Manifest {
  const m = manifestOf(table, schema, format, blocks);
  return { ...m, durableRowCount: Math.max(m.durableRowCount, end.durableRowCount), lastTime: maxTime(m.lastTime, end.lastTime), removed: end.removed };
}

/** Row sequence numbers below the manifest's end that hold no row (removed by deleteBefore, retention). */
export function droppedRowsOf(m: Manifest): number {
  let present = 0;
  for (const b of m.blocks) present += b.rowCount;
  return m.durableRowCount - present;
}

export function manifestOf(table: string, schema: TableSchema | null, format: number, blocks: readonly ManifestBlock[]): Manifest {
  const last = blocks[blocks.length - 1];
  return {
    format, table, schema, blocks,
    durableRowCount: last === undefined ? 0 : last.endRowSeq,
    lastTime: last === undefined ? null : last.maxTime,
    removed: [],
  };
}

export function manifestBlockOf(b: SealedBlock, schemaCrc: number): ManifestBlock {
  if (b.file === null || b.zoneMap === null || b.rowGroups === null) throw new Error(`internal: block ${b.id} is not durable yet`);
  return {
    file: b.file, firstRowSeq: b.firstRowSeq, rowCount: b.rowCount, endRowSeq: b.endRowSeq ?? b.firstRowSeq + b.rowCount,
    minTime: b.minTime, maxTime: b.maxTime, sizeBytes: b.sizeBytes, checksum: b.checksum, schemaCrc, zoneMap: b.zoneMap, rowGroups: b.rowGroups, layout: b.layout, late: b.late ?? null,
  };
}

export function blockToJson(b: ManifestBlock): Record<string, unknown> {
  return {
    file: b.file, firstRowSeq: b.firstRowSeq, rowCount: b.rowCount,
    ...(b.endRowSeq === b.firstRowSeq + b.rowCount ? {} : { endRowSeq: b.endRowSeq }),
    minTime: b.minTime.toString(), maxTime: b.maxTime.toString(),
    sizeBytes: b.sizeBytes, checksum: b.checksum, schemaCrc: b.schemaCrc,
    zoneMap: zoneMapToJson(b.zoneMap),
    rowGroups: b.rowGroups.map((g) => ({ firstRow: g.firstRow, zoneMap: zoneMapToJson(g.zoneMap) })),
    layout: b.layout,
    // Only under a window: other manifests stay as they were.
    ...(b.late == null ? {} : { late: lateToJson(b.late) }),
  };
}

function lateToJson(l: LateSeal): Record<string, unknown> {
  return { rowSeq: l.rowSeq, time: l.time.toString(), firstUnsealedSeq: l.firstUnsealedSeq, newest: l.newest.toString() };
}

function lateFromJson(raw: unknown, path: string, what: string): LateSeal | null {
  if (raw === undefined || raw === null) return null;
  const l = raw as Record<string, unknown>;
  const big = (v: unknown): v is string => typeof v === 'string' && /^-?\d+$/.test(v);
  need(typeof l === 'object' && Number.isSafeInteger(l.rowSeq) && Number.isSafeInteger(l.firstUnsealedSeq) && big(l.time) && big(l.newest), path, `${what} has a bad late-rows seal`);
  need((l.firstUnsealedSeq as number) <= (l.rowSeq as number), path, `${what} has a bad late-rows seal`);
  return { rowSeq: l.rowSeq as number, time: BigInt(l.time as string), firstUnsealedSeq: l.firstUnsealedSeq as number, newest: BigInt(l.newest as string) };
}

function need(cond: boolean, path: string, what: string): asserts cond {
  if (!cond) throw new Error(`manifest ${path} is damaged: ${what}`);
}

/**
 * One block from its JSON, checked; it must start at row `expected` (blocks are contiguous) or,
 * with `gaps` (manifests that record their end: rows may have been removed), at or after it.
 */
export function blockFromJson(raw: unknown, expected: number, path: string, what: string, gaps = false): ManifestBlock {
  need(raw !== null && typeof raw === 'object', path, `${what} is not an object`);
  const b = raw as Record<string, unknown>;
  need(typeof b.file === 'string' && parseAnyBlockFileName(b.file) !== null, path, `${what} has a bad file name`);
  const first = b.firstRowSeq as number;
  need(gaps ? Number.isSafeInteger(first) && first >= expected : first === expected, path, `${what} (${b.file}) starts at row ${String(b.firstRowSeq)}, expected ${gaps ? 'at least ' : ''}${expected}`);
  need(Number.isSafeInteger(b.rowCount) && (b.rowCount as number) > 0, path, `${what} (${b.file}) has a bad row count`);
  const endRowSeq = b.endRowSeq === undefined ? first + (b.rowCount as number) : b.endRowSeq as number;
  need(Number.isSafeInteger(endRowSeq) && endRowSeq >= first + (b.rowCount as number), path, `${what} (${b.file}) has a bad end row`);
  need(Number.isSafeInteger(b.sizeBytes) && Number.isSafeInteger(b.checksum), path, `${what} (${b.file}) has a bad size or checksum`);
  need(b.schemaCrc === undefined || b.schemaCrc === null || Number.isSafeInteger(b.schemaCrc), path, `${what} (${b.file}) has a bad schema checksum`);
  need(typeof b.minTime === 'string' && typeof b.maxTime === 'string' && /^-?\d+$/.test(b.minTime) && /^-?\d+$/.test(b.maxTime), path, `${what} (${b.file}) has bad times`);
  need(Array.isArray(b.rowGroups), path, `${what} (${b.file}) has no row-group list`);
  return {
    file: b.file, firstRowSeq: first, rowCount: b.rowCount as number, endRowSeq,
    minTime: BigInt(b.minTime), maxTime: BigInt(b.maxTime),
    sizeBytes: b.sizeBytes as number, checksum: b.checksum as number,
    schemaCrc: typeof b.schemaCrc === 'number' ? b.schemaCrc : null,
    // Capped on the way in: format-1 manifests kept every distinct string.
    zoneMap: capZoneMap(zoneMapFromJson(b.zoneMap)),
    rowGroups: (b.rowGroups as Array<{ firstRow: number; zoneMap: unknown }>).map((g) => ({ firstRow: g.firstRow, zoneMap: capZoneMap(zoneMapFromJson(g.zoneMap)) })),
    layout: checkLayout(b.layout, b.sizeBytes as number, path, what),
    late: lateFromJson(b.late, path, what),
  };
}

/** Parse and check a format-1 manifest.json; blocks must be contiguous from row 0. */
export function decodeLegacyManifest(bytes: Uint8Array, path: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new Error(`manifest ${path} is damaged: ${(err as Error).message}`);
  }
  const o = raw as Record<string, unknown>;
  need(o !== null && typeof o === 'object', path, 'not an object');
  need(o.format === LEGACY_MANIFEST_FORMAT, path, `unknown format ${String(o.format)}`);
  need(typeof o.table === 'string', path, 'no table name');
  need(Array.isArray(o.blocks), path, 'no block list');
  let expected = 0;
  const blocks = (o.blocks as unknown[]).map((b, i) => {
    const block = blockFromJson(b, expected, path, `block ${i}`);
    expected += block.rowCount;
    return block;
  });
  need(o.durableRowCount === expected, path, `durableRowCount ${String(o.durableRowCount)} does not match the blocks (${expected})`);
  return manifestOf(o.table as string, null, LEGACY_MANIFEST_FORMAT, blocks);
}

function checkLayout(raw: unknown, sizeBytes: number, path: string, what: string): BlockLayout | null {
  if (raw === undefined || raw === null) return null;
  const l = raw as BlockLayout;
  need(Array.isArray(l.rowGroups), path, `${what} has a bad layout`);
  for (const g of l.rowGroups) {
    need(Number.isSafeInteger(g.rowCount) && Array.isArray(g.chunks), path, `${what} has a bad layout`);
    for (const c of g.chunks) need(Array.isArray(c) && c.length === 3 && c[0] >= 0 && c[0] <= c[1] && c[1] <= sizeBytes, path, `${what} has a chunk outside its file`);
  }
  need(l.compression === undefined || l.compression === 'snappy' || l.compression === 'zstd', path, `${what} has an unknown compression ${String(l.compression)}`);
  return l;
}

/** A sealed block that lives only in its file (as after a reopen). */
export function sealedFromManifest(b: ManifestBlock, id: number): SealedBlock {
  return {
    id, firstRowSeq: b.firstRowSeq, rowCount: b.rowCount, endRowSeq: b.endRowSeq, minTime: b.minTime, maxTime: b.maxTime,
    raw: null, zoneMap: b.zoneMap, rowGroups: b.rowGroups, parquet: null, file: b.file,
    sizeBytes: b.sizeBytes, checksum: b.checksum, layout: b.layout,
  };
}
