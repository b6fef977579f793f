// table.json: the table's schema and settings, stored beside its manifest so a table can be
// reopened by name and with the settings it was given. Formats 2 and 3 carry a CRC32 of their
// content (`crc32` over the compact JSON of format, schema and settings, in that order), so an
// edit by hand or a damaged sector is an error rather than a silently different schema.
// Format 3 added compression, retention and outOfOrderWindow to the settings (spans as decimal
// strings: JSON has no bigint) and nullable / timeUnit to the schema; formats 1 and 2 read
// with their defaults, so a table made before opens unchanged.
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { resolveSchema, schemaToJson, type ResolvedSchema, type TableSchema } from '../schema/schema.js';
import { writeFileAtomic } from '../storage/atomic.js';
import type { Storage } from '../storage/storage.js';
import { TABLE_FILE } from './layout.js';
import { tableSettingsFrom, type Compression } from './create-options.js';

export const TABLE_META_FORMAT = 3;

export interface TableSettings {
  enableWal: boolean;
  useDiskStorage: boolean;
  maxBlockSize: number;
  rowGroupRows: number;
  compression: Compression;
  /** Rows older than newest time − retention are removed; null keeps everything. */
  retention: bigint | null;
  /** How far (in time units) a row may be older than the newest row; 0: never. */
  outOfOrderWindow: bigint;
}

/** A span as stored in table.json: a decimal string. */
function spanFromJson(v: unknown): unknown {
  return typeof v === 'string' && /^-?[0-9]{1,20}$/.test(v) ? BigInt(v) : v;
}

export interface TableMeta {
  schema: ResolvedSchema;
  settings: TableSettings;
  /**
   * This creation of the table (random, made by createTable): a read-only reader tells by it a
   * table dropped and created again under the same name. null: a table made before ids were
   * stored. Beside the content crc32, not in it, so a build without ids reads the file as before.
   */
  id: string | null;
}

const TABLE_ID = /^[0-9a-f]{16}$/;

/** A fresh table id: 64 random bits, as hex. */
export function newTableId(): string {
  return randomBytes(8).toString('hex');
}

function contentCrc(format: unknown, schema: unknown, settings: unknown): number {
  return crc32(JSON.stringify({ format, schema, settings }));
}

export function encodeTableMeta(meta: TableMeta): Uint8Array {
  const schema = schemaToJson(meta.schema);
  const s = meta.settings;
  const settings = { ...s, retention: s.retention === null ? null : String(s.retention), outOfOrderWindow: String(s.outOfOrderWindow) };
  const json = { format: TABLE_META_FORMAT, ...(meta.id === null ? {} : { id: meta.id }), schema, settings, crc32: contentCrc(TABLE_META_FORMAT, schema, settings) };
  return new TextEncoder().encode(JSON.stringify(json, null, 2));
}

export async function writeTableMeta(storage: Storage, dir: string, meta: TableMeta): Promise<void> {
  await writeFileAtomic(storage, join(dir, TABLE_FILE), encodeTableMeta(meta));
}

/** Parse and check table.json (`path` names it in errors). */
export function decodeTableMeta(bytes: Uint8Array, path: string, table: string): TableMeta {
  let o: { format?: unknown; id?: unknown; schema?: TableSchema; settings?: Partial<TableSettings>; crc32?: unknown };
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as typeof o;
  } catch (err) {
    throw new Error(`table "${table}": ${path} is damaged: ${(err as Error).message}`);
  }
  if (o === null || typeof o !== 'object' || o.schema === undefined || o.settings === undefined) throw new Error(`table "${table}": ${path} is damaged: no schema or settings`);
  if (o.format === TABLE_META_FORMAT || o.format === 2) {
    if (o.crc32 !== contentCrc(o.format, o.schema, o.settings)) throw new Error(`table "${table}": ${path} is damaged: checksum mismatch (edited by hand?)`);
  } else if (o.format !== 1) {
    throw new Error(`table "${table}": ${path} has an unknown format ${String(o.format)}`);
  }
  const s = o.settings as Record<string, unknown>;
  let schema: ResolvedSchema;
  try {
    schema = resolveSchema(o.schema);
  } catch (err) {
    throw new Error(`table "${table}": ${path} is damaged: ${(err as Error).message}`);
  }
  return {
    schema,
    // Checked, not coerced: a setting stored as "true" once read back as false (WAL off).
    settings: tableSettingsFrom(`table "${table}": ${path} is damaged`, {
      enableWal: s.enableWal, useDiskStorage: s.useDiskStorage, maxBlockSize: s.maxBlockSize, rowGroupRows: s.rowGroupRows,
      // Tables from before the setting were written uncompressed and stay so (older builds read them).
      compression: s.compression ?? 'none', retention: spanFromJson(s.retention), outOfOrderWindow: spanFromJson(s.outOfOrderWindow),
    }, 'settings.'),
    id: typeof o.id === 'string' && TABLE_ID.test(o.id) ? o.id : null,
  };
}

/** table.json, or null when it does not exist. */
export async function readTableMeta(storage: Storage, dir: string, table: string): Promise<TableMeta | null> {
  const path = join(dir, TABLE_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await storage.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return decodeTableMeta(bytes, path, table);
}
