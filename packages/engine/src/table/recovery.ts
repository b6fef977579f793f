// Creating and reopening tables. Reopen: table.json → manifest → check every block file
// → drop leftovers of interrupted writes → replay the WAL from the manifest's end.
import { join } from 'node:path';
import { sameSchema, resolveSchema, schemaToJson, isSafeName, type TableSchema } from '../schema/schema.js';
import { writeFileAtomic } from '../storage/atomic.js';
import type { Storage } from '../storage/storage.js';
import { replayWal } from '../wal/reader.js';
import { decodeBatch } from '../wal/batch-codec.js';
import { DurableTable, type TableContext } from './durable-table.js';
import { BLOCK_SUFFIX, MANIFEST_FILE, parseBlockFileName, tableDir, WAL_DIR } from './layout.js';
import { decodeManifest, emptyManifest, encodeManifest, sealedFromManifest, type Manifest } from './manifest.js';
import { TableCore } from './table-core.js';
import { readTableMeta, writeTableMeta, type TableSettings } from './table-meta.js';
import type { NormalizedBatch } from '../column/values.js';

export interface RecoveryReport {
  /** WAL rows replayed into the active block(s). */
  replayedRows: number;
  /** Damaged WAL parts moved aside for inspection. */
  damaged: Array<{ path: string; reason: string }>;
  /** Leftovers of interrupted block writes that were removed (their rows are in the WAL). */
  removedFiles: string[];
}

export async function createDurableTable(ctx: TableContext, schemaInput: TableSchema, settings: TableSettings): Promise<DurableTable> {
  const schema = resolveSchema(schemaInput);
  const dir = tableDir(ctx.dbDir, schema.name);
  if ((await readTableMeta(ctx.storage, dir, schema.name)) !== null) {
    throw new Error(`table "${schema.name}": already exists in ${ctx.dbDir} (use openTable)`);
  }
  const core = new TableCore(schema, ctx.encoder, { maxBlockSize: settings.maxBlockSize, maxPendingSeals: ctx.maxPendingSeals, rowGroupRows: settings.rowGroupRows });
  await ctx.storage.mkdirp(dir);
  // Leftovers of an earlier, never-completed create of the same name would be mistaken for data.
  for (const name of await ctx.storage.list(join(dir, WAL_DIR))) await ctx.storage.remove(join(dir, WAL_DIR, name));
  for (const name of await ctx.storage.list(dir)) if (name !== WAL_DIR) await ctx.storage.remove(join(dir, name));
  await writeFileAtomic(ctx.storage, join(dir, MANIFEST_FILE), encodeManifest(emptyManifest(schema.name)));
  // table.json last: a table exists once this file does.
  await writeTableMeta(ctx.storage, dir, { schema, settings });
  await ctx.storage.syncDir(ctx.dbDir);
  const table = new DurableTable(ctx, core, settings, []);
  await table.startWal();
  return table;
}

function schemaDiff(table: string, stored: TableSchema, given: TableSchema): string {
  return `table "${table}": the schema differs from the stored one (stored ${JSON.stringify(stored)}, given ${JSON.stringify(given)})`;
}

async function loadManifest(storage: Storage, dir: string, table: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  try {
    return decodeManifest(await storage.readFile(path), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyManifest(table);
    throw err;
  }
}

export async function openDurableTable(ctx: TableContext, nameOrSchema: string | TableSchema, overrides: Partial<TableSettings> = {}): Promise<{ table: DurableTable; report: RecoveryReport }> {
  const name = typeof nameOrSchema === 'string' ? nameOrSchema : resolveSchema(nameOrSchema).name;
  if (!isSafeName(name)) throw new Error(`table ${JSON.stringify(name)}: invalid table name`);
  const { storage } = ctx;
  const dir = tableDir(ctx.dbDir, name);
  const meta = await readTableMeta(storage, dir, name);
  if (meta === null) throw new Error(`table "${name}": does not exist in ${ctx.dbDir} (use createTable)`);
  if (typeof nameOrSchema !== 'string' && !sameSchema(meta.schema, resolveSchema(nameOrSchema))) {
    throw new Error(schemaDiff(name, schemaToJson(meta.schema), schemaToJson(resolveSchema(nameOrSchema))));
  }
  const settings: TableSettings = { ...meta.settings, ...overrides };
  const manifest = await loadManifest(storage, dir, name);
  const report: RecoveryReport = { replayedRows: 0, damaged: [], removedFiles: [] };

  // Every listed block must be there, whole; anything else that looks like a block is a
  // leftover of a write the manifest never recorded.
  const listed = new Set(manifest.blocks.map((b) => b.file));
  for (const b of manifest.blocks) {
    const path = join(dir, b.file);
    const size = await storage.sizeOf(path);
    if (size === null) throw new Error(`table "${name}": block file ${path} is missing (listed in the manifest)`);
    if (size !== b.sizeBytes) throw new Error(`table "${name}": block file ${path} is damaged: ${size} bytes, the manifest says ${b.sizeBytes}`);
  }
  for (const file of await storage.list(dir)) {
    const leftover = file.endsWith('.tmp') || (file.endsWith(BLOCK_SUFFIX) && parseBlockFileName(file) !== null && !listed.has(file));
    if (leftover) {
      await storage.remove(join(dir, file));
      report.removedFiles.push(join(dir, file));
    }
  }
  if (report.removedFiles.length > 0) await storage.syncDir(dir);

  const core = new TableCore(meta.schema, ctx.encoder, { maxBlockSize: settings.maxBlockSize, maxPendingSeals: ctx.maxPendingSeals, rowGroupRows: settings.rowGroupRows }, {
    firstRowSeq: manifest.durableRowCount, lastTime: manifest.lastTime, nextBlockId: manifest.blocks.length,
  });
  manifest.blocks.forEach((b, i) => core.sealed.push(sealedFromManifest(b, i)));
  const table = new DurableTable(ctx, core, settings, [...manifest.blocks]);

  // Replay: rows at or past the manifest's end, each exactly once (sequence numbers).
  const walDir = join(dir, WAL_DIR);
  const types = meta.schema.columns.map((c) => c.type);
  const replay = await replayWal(storage, walDir, { fromRowSeq: manifest.durableRowCount });
  report.damaged = replay.damaged;
  for (const rec of replay.records) {
    const end = rec.firstRowSeq + rec.rowCount;
    if (end <= core.rowCount) continue;
    if (rec.firstRowSeq > core.rowCount) throw new Error(`table "${name}": WAL in ${walDir} has a gap at row ${core.rowCount}`);
    const batch = decodeBatch(types, rec.rowCount, rec.payload);
    core.writeNormalized(sliceBatch(batch, core.rowCount - rec.firstRowSeq));
    report.replayedRows += end - Math.max(rec.firstRowSeq, manifest.durableRowCount);
  }
  await table.startWal();
  return { table, report };
}

function sliceBatch(b: NormalizedBatch, from: number): NormalizedBatch {
  if (from === 0) return b;
  return { rowCount: b.rowCount - from, columns: b.columns.map((c) => c.slice(from) as typeof c) };
}
