// The manifest: the list of durable blocks of a table. It is replaced atomically (temp
// file, fsync, rename, fsync dir) and is the single truth about which block files count.
import { zoneMapFromJson, zoneMapToJson, type ZoneMap } from '../block/zone-map.js';
import type { BlockLayout, RowGroupZone, SealedBlock } from '../block/sealed-block.js';

export const MANIFEST_FORMAT = 1;

export interface ManifestBlock {
  readonly file: string;
  readonly firstRowSeq: number;
  readonly rowCount: number;
  readonly minTime: bigint;
  readonly maxTime: bigint;
  readonly sizeBytes: number;
  /** CRC32 of the whole file. */
  readonly checksum: number;
  readonly zoneMap: ZoneMap;
  readonly rowGroups: RowGroupZone[];
  readonly layout: BlockLayout | null;
}

export interface Manifest {
  readonly format: number;
  readonly table: string;
  /** Rows held by the listed blocks: the WAL is replayed from here. */
  readonly durableRowCount: number;
  readonly lastTime: bigint | null;
  readonly blocks: readonly ManifestBlock[];
}

export function emptyManifest(table: string): Manifest {
  return { format: MANIFEST_FORMAT, table, durableRowCount: 0, lastTime: null, blocks: [] };
}

export function manifestBlockOf(b: SealedBlock): ManifestBlock {
  if (b.file === null || b.zoneMap === null || b.rowGroups === null) throw new Error(`internal: block ${b.id} is not durable yet`);
  return {
    file: b.file, firstRowSeq: b.firstRowSeq, rowCount: b.rowCount, minTime: b.minTime, maxTime: b.maxTime,
    sizeBytes: b.sizeBytes, checksum: b.checksum, zoneMap: b.zoneMap, rowGroups: b.rowGroups, layout: b.layout,
  };
}

export function encodeManifest(m: Manifest): Uint8Array {
  const json = {
    format: m.format, table: m.table, durableRowCount: m.durableRowCount,
    lastTime: m.lastTime === null ? null : m.lastTime.toString(),
    blocks: m.blocks.map((b) => ({
      file: b.file, firstRowSeq: b.firstRowSeq, rowCount: b.rowCount,
      minTime: b.minTime.toString(), maxTime: b.maxTime.toString(),
      sizeBytes: b.sizeBytes, checksum: b.checksum,
      zoneMap: zoneMapToJson(b.zoneMap),
      rowGroups: b.rowGroups.map((g) => ({ firstRow: g.firstRow, zoneMap: zoneMapToJson(g.zoneMap) })),
      layout: b.layout,
    })),
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

function need(cond: boolean, path: string, what: string): asserts cond {
  if (!cond) throw new Error(`manifest ${path} is damaged: ${what}`);
}

/** Parse and check a manifest; blocks must be contiguous from row 0. */
export function decodeManifest(bytes: Uint8Array, path: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new Error(`manifest ${path} is damaged: ${(err as Error).message}`);
  }
  const o = raw as Record<string, unknown>;
  need(o !== null && typeof o === 'object', path, 'not an object');
  need(o.format === MANIFEST_FORMAT, path, `unknown format ${String(o.format)}`);
  need(typeof o.table === 'string', path, 'no table name');
  need(Array.isArray(o.blocks), path, 'no block list');
  let expected = 0;
  const blocks: ManifestBlock[] = (o.blocks as Array<Record<string, unknown>>).map((b, i) => {
    need(typeof b.file === 'string' && /^\d{20}\.parquet$/.test(b.file), path, `block ${i} has a bad file name`);
    need(b.firstRowSeq === expected, path, `block ${i} starts at row ${String(b.firstRowSeq)}, expected ${expected}`);
    need(Number.isSafeInteger(b.rowCount) && (b.rowCount as number) > 0, path, `block ${i} has a bad row count`);
    need(Number.isSafeInteger(b.sizeBytes) && Number.isSafeInteger(b.checksum), path, `block ${i} has a bad size or checksum`);
    expected += b.rowCount as number;
    return {
      file: b.file as string, firstRowSeq: b.firstRowSeq as number, rowCount: b.rowCount as number,
      minTime: BigInt(b.minTime as string), maxTime: BigInt(b.maxTime as string),
      sizeBytes: b.sizeBytes as number, checksum: b.checksum as number,
      zoneMap: zoneMapFromJson(b.zoneMap),
      rowGroups: (b.rowGroups as Array<{ firstRow: number; zoneMap: unknown }>).map((g) => ({ firstRow: g.firstRow, zoneMap: zoneMapFromJson(g.zoneMap) })),
      layout: checkLayout(b.layout, b.sizeBytes as number, path, i),
    };
  });
  need(o.durableRowCount === expected, path, `durableRowCount ${String(o.durableRowCount)} does not match the blocks (${expected})`);
  return {
    format: MANIFEST_FORMAT, table: o.table as string, durableRowCount: expected,
    lastTime: o.lastTime === null ? null : BigInt(o.lastTime as string), blocks,
  };
}

function checkLayout(raw: unknown, sizeBytes: number, path: string, i: number): BlockLayout | null {
  if (raw === undefined || raw === null) return null;
  const l = raw as BlockLayout;
  need(Array.isArray(l.rowGroups), path, `block ${i} has a bad layout`);
  for (const g of l.rowGroups) {
    need(Number.isSafeInteger(g.rowCount) && Array.isArray(g.chunks), path, `block ${i} has a bad layout`);
    for (const c of g.chunks) need(Array.isArray(c) && c.length === 3 && c[0] >= 0 && c[0] <= c[1] && c[1] <= sizeBytes, path, `block ${i} has a chunk outside its file`);
  }
  return l;
}

/** A sealed block that lives only in its file (as after a reopen). */
export function sealedFromManifest(b: ManifestBlock, id: number): SealedBlock {
  return {
    id, firstRowSeq: b.firstRowSeq, rowCount: b.rowCount, minTime: b.minTime, maxTime: b.maxTime,
    raw: null, zoneMap: b.zoneMap, rowGroups: b.rowGroups, parquet: null, file: b.file,
    sizeBytes: b.sizeBytes, checksum: b.checksum, layout: b.layout,
  };
}
