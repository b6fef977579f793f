// table.json: the table's schema and settings, stored beside its manifest so a table can be
// reopened by name and with the settings it was given.
import { join } from 'node:path';
import { resolveSchema, schemaToJson, type ResolvedSchema, type TableSchema } from '../schema/schema.js';
import { writeFileAtomic } from '../storage/atomic.js';
import type { Storage } from '../storage/storage.js';
import { TABLE_FILE } from './layout.js';
import { tableSettingsFrom } from './create-options.js';

export interface TableSettings {
  enableWal: boolean;
  useDiskStorage: boolean;
  maxBlockSize: number;
  rowGroupRows: number;
}

export interface TableMeta {
  schema: ResolvedSchema;
  settings: TableSettings;
}

export async function writeTableMeta(storage: Storage, dir: string, meta: TableMeta): Promise<void> {
  const json = { format: 1, schema: schemaToJson(meta.schema), settings: meta.settings };
  await writeFileAtomic(storage, join(dir, TABLE_FILE), new TextEncoder().encode(JSON.stringify(json, null, 2)));
}

export async function readTableMeta(storage: Storage, dir: string, table: string): Promise<TableMeta | null> {
  const path = join(dir, TABLE_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await storage.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let o: { format?: unknown; schema?: TableSchema; settings?: Partial<TableSettings> };
  try {
    o = JSON.parse(new TextDecoder().decode(bytes)) as typeof o;
  } catch (err) {
    throw new Error(`table "${table}": ${path} is damaged: ${(err as Error).message}`);
  }
  if (o.format !== 1 || o.schema === undefined || o.settings === undefined) throw new Error(`table "${table}": ${path} is damaged or of an unknown format`);
  const s = o.settings as Record<string, unknown>;
  // Checked, not coerced: a setting stored as "true" once read back as false (WAL off).
  const known = { enableWal: s.enableWal, useDiskStorage: s.useDiskStorage, maxBlockSize: s.maxBlockSize, rowGroupRows: s.rowGroupRows };
  return {
    schema: resolveSchema(o.schema),
    settings: tableSettingsFrom(`table "${table}": ${path} is damaged`, known, 'settings.'),
  };
}
