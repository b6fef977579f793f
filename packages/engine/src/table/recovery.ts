// Creating and reopening tables. Reopen: table.json → manifest → check every block file →
// account for every other file (remove only the engine's own leftovers) → replay the WAL from
// the manifest's end. A file nothing accounts for is named, never removed.
import { join } from 'node:path';
import { sameSchema, resolveSchema, schemaToJson, isSafeName, type TableSchema } from '../schema/schema.js';
import { tailReader } from './reopen-tail.js';
import type { Storage } from '../storage/storage.js';
import { replayWal } from '../wal/reader.js';
import { TableStore, type TableContext } from './table-store.js';
import { tableDir, WAL_DIR } from './layout.js';
import { schemaCrcOf } from './manifest-log.js';
import { ManifestWriter } from './manifest-writer.js';
import { droppedRowsOf, sealedFromManifest } from './manifest.js';
import { auditTableDir, loadManifest, type LoadedManifest } from './table-files.js';
import { dataFilesWithoutMeta, firstWalSegment, removeLeftovers } from './table-dir.js';
import { TableBlocks } from './table-blocks.js';
import { newTableId, readTableMeta, writeTableMeta, type TableSettings } from './table-meta.js';
import { finishDrop } from './drop.js';
import { leasedFiles } from './deferred-removal.js';
import { oldestTimeOf, replayStartOf, WalReplay } from './wal-replay.js';

export interface RecoveryReport {
  /** WAL rows replayed into the active block(s). */
  replayedRows: number;
  /** Damaged WAL parts moved aside for inspection. */
  damaged: Array<{ path: string; reason: string }>;
  /** The engine's own leftovers that were removed: temp files, superseded manifests, a block
   * file written but never recorded (its rows are in the WAL). */
  removedFiles: string[];
  /** Files in the table directory that nothing accounts for: left as they are. */
  unexpectedFiles: string[];
  /** The manifest's last record, dropped as an append a crash interrupted (null: none). */
  manifestTail: string | null;
}

async function tableManifest(storage: Storage, dir: string, table: string, names: readonly string[]): Promise<LoadedManifest | null> {
  try {
    return await loadManifest(storage, dir, names);
  } catch (err) {
    throw new Error(`table "${table}": ${(err as Error).message}`);
  }
}

export async function createTableStore(ctx: TableContext, schemaInput: TableSchema, settings: TableSettings): Promise<TableStore> {
  const schema = resolveSchema(schemaInput);
  const { storage } = ctx;
  const dir = tableDir(ctx.dbDir, schema.name);
  await finishDrop(storage, ctx.dbDir, schema.name); // a drop a crash cut short
  if ((await readTableMeta(storage, dir, schema.name)) !== null) {
    throw new Error(`table "${schema.name}": already exists in ${ctx.dbDir} (use openTable)`);
  }
  await storage.mkdirp(dir);
  // What an earlier create left before it finished (no table.json yet) may be removed; data may not.
  const names = await storage.list(dir);
  const loaded = await tableManifest(storage, dir, schema.name, names);
  const data = await dataFilesWithoutMeta(storage, dir, names, loaded);
  if (data.length > 0) throw new Error(`table "${schema.name}": ${dir} has no table.json but holds data: ${data.join(', ')} (restore table.json, or move these files away)`);
  const audit = auditTableDir(names, loaded);
  await removeLeftovers(storage, dir, [...audit.leftovers, ...(loaded === null ? [] : [loaded.file])]);
  const blocks = new TableBlocks(schema, ctx.encoder, { maxBlockSize: settings.maxBlockSize, maxPendingSeals: ctx.maxPendingSeals, rowGroupRows: settings.rowGroupRows, outOfOrderWindow: settings.outOfOrderWindow });
  const manifest = new ManifestWriter(storage, dir, schema.name, schema, { generation: 0, sizeBytes: 0, snapshotBytes: 0, needSnapshot: true });
  await manifest.snapshot([]);
  // table.json last: a table exists once this file does.
  const id = newTableId();
  await writeTableMeta(storage, dir, { schema, settings, id });
  await storage.syncDir(ctx.dbDir);
  const table = new TableStore(ctx, blocks, settings, [], manifest, undefined, id);
  await table.startWal();
  return table;
}

function schemaDiff(table: string, stored: TableSchema, given: TableSchema): string {
  return `table "${table}": the schema differs from the stored one (stored ${JSON.stringify(stored)}, given ${JSON.stringify(given)})`;
}

export async function openTableStore(ctx: TableContext, nameOrSchema: string | TableSchema, overrides: Partial<TableSettings> = {}): Promise<{ table: TableStore; report: RecoveryReport }> {
  const name = typeof nameOrSchema === 'string' ? nameOrSchema : resolveSchema(nameOrSchema).name;
  if (!isSafeName(name)) throw new Error(`table ${JSON.stringify(name)}: invalid table name`);
  const { storage } = ctx;
  const dir = tableDir(ctx.dbDir, name);
  if (await finishDrop(storage, ctx.dbDir, name)) throw new Error(`table "${name}": does not exist in ${ctx.dbDir} (it was dropped; use createTable)`);
  const meta = await readTableMeta(storage, dir, name);
  const names = await storage.list(dir);
  const loaded = await tableManifest(storage, dir, name, names);
  if (meta === null) {
    const data = await dataFilesWithoutMeta(storage, dir, names, loaded);
    if (data.length > 0) throw new Error(`table "${name}": ${join(dir, 'table.json')} is missing but the directory holds data: ${data.join(', ')} (restore table.json; nothing was changed)`);
    throw new Error(`table "${name}": does not exist in ${ctx.dbDir} (use createTable)`);
  }
  if (typeof nameOrSchema !== 'string' && !sameSchema(meta.schema, resolveSchema(nameOrSchema))) {
    throw new Error(schemaDiff(name, schemaToJson(meta.schema), schemaToJson(resolveSchema(nameOrSchema))));
  }
  if (loaded === null) {
    // create writes the manifest before table.json: a table without one has lost it.
    const data = await dataFilesWithoutMeta(storage, dir, names, null);
    throw new Error(`table "${name}": the manifest is missing in ${dir} (table.json exists); data files there: ${data.length === 0 ? 'none' : data.join(', ')}; nothing was changed`);
  }
  const { manifest } = loaded;
  const manifestPath = join(dir, loaded.file);
  if (manifest.schema !== null && !sameSchema(resolveSchema(manifest.schema), meta.schema)) {
    throw new Error(`table "${name}": ${join(dir, 'table.json')} and the manifest ${manifestPath} disagree on the schema (table.json ${JSON.stringify(schemaToJson(meta.schema))}, manifest ${JSON.stringify(manifest.schema)})`);
  }
  const schemaCrc = schemaCrcOf(meta.schema);
  for (const b of manifest.blocks) {
    const path = join(dir, b.file);
    if (b.schemaCrc !== null && b.schemaCrc !== schemaCrc) throw new Error(`table "${name}": block file ${path} was written with another schema than ${join(dir, 'table.json')} (manifest ${manifestPath})`);
    const size = await storage.sizeOf(path);
    if (size === null) throw new Error(`table "${name}": block file ${path} is missing (listed in the manifest ${manifestPath})`);
    if (size !== b.sizeBytes) throw new Error(`table "${name}": block file ${path} is damaged: ${size} bytes, the manifest says ${b.sizeBytes}`);
  }

  const report: RecoveryReport = { replayedRows: 0, damaged: [], removedFiles: [], unexpectedFiles: [], manifestTail: null };
  const audit = auditTableDir(names, loaded);
  if (audit.unlistedBlocks.length > 0) {
    throw new Error(`table "${name}": block files not listed in the manifest ${manifestPath}: ${audit.unlistedBlocks.map((f) => join(dir, f)).join(', ')} (the manifest may have lost records; nothing was changed)`);
  }
  // Files the manifest lists as removed stay while a reader of another process may read them (docs/readers.md).
  const held = await leasedFiles(storage, dir, audit.leftovers.filter((f) => manifest.removed.includes(f)), loaded.writer.generation);
  const leftovers = audit.leftovers.filter((f) => !held.includes(f));
  if (audit.inFlight.length > 0) {
    // Blocks written but never recorded: their rows are still in the WAL, which is retired only
    // after the manifest records them. A WAL that starts past them means the manifest lost a record.
    const first = await firstWalSegment(storage, join(dir, WAL_DIR));
    if (first !== null && first > manifest.durableRowCount) {
      throw new Error(`table "${name}": block file ${join(dir, audit.inFlight[0])} is not listed in the manifest ${manifestPath} and the WAL starts at row ${first}: the manifest may have lost records; nothing was changed`);
    }
    leftovers.push(...audit.inFlight);
  }
  report.removedFiles = await removeLeftovers(storage, dir, leftovers);
  report.unexpectedFiles = [...audit.unexpected.map((f) => join(dir, f)), ...leftovers.filter((f) => !report.removedFiles.includes(join(dir, f))).map((f) => join(dir, f))];

  const settings: TableSettings = { ...meta.settings, ...overrides };
  const writer = new ManifestWriter(storage, dir, name, meta.schema, loaded.writer);
  if (loaded.tail !== null) {
    report.manifestTail = `${manifestPath}: ${loaded.tail.sizeBytes} bytes at byte ${loaded.tail.offset} (${loaded.tail.complete ? 'fails its checksum' : 'incomplete'})`;
    await writer.snapshot(manifest.blocks, { durableRowCount: manifest.durableRowCount, lastTime: manifest.lastTime, removed: held }); // a fresh generation without the tail
  }
  const start = replayStartOf(manifest);
  const blocks = new TableBlocks(meta.schema, ctx.encoder, { maxBlockSize: settings.maxBlockSize, maxPendingSeals: ctx.maxPendingSeals, rowGroupRows: settings.rowGroupRows, outOfOrderWindow: settings.outOfOrderWindow }, {
    firstRowSeq: manifest.durableRowCount, lastTime: manifest.lastTime, nextBlockId: manifest.blocks.length, newest: start.newest,
  });
  manifest.blocks.forEach((b, i) => blocks.sealed.push(sealedFromManifest(b, i)));
  blocks.droppedRows = droppedRowsOf(manifest);
  // The files the manifest lists as removed were deleted above with the other leftovers, but those a lease holds.
  const table = new TableStore(ctx, blocks, settings, [...manifest.blocks], writer, { durableRowCount: manifest.durableRowCount, lastTime: manifest.lastTime, removed: held }, meta.id);

  // Replay: rows the blocks do not hold, each exactly once (sequence numbers; wal-replay.ts).
  // A late row there may take sealed blocks back: every block a WAL row may need is read first
  // (reopen-tail.ts), past the active block's bound now — the writer took them back when
  // maxBlockSize may have been larger (a crash after lowering it left a table that did not open).
  const walDir = join(dir, WAL_DIR);
  const replay = await replayWal(storage, walDir, { fromRowSeq: start.fromRowSeq });
  report.damaged = replay.damaged;
  const late = blocks.late;
  if (late !== null) {
    await late.loadTail(tailReader(ctx, dir, meta.schema), oldestTimeOf(meta.schema.columns, meta.schema.timeIndex, replay.records, start.fromRowSeq));
    late.replaying = true;
  }
  const apply = new WalReplay(blocks, meta.schema.columns, start, `table "${name}": WAL in ${walDir}`, settings.enableWal);
  for (const rec of replay.records) report.replayedRows += apply.apply(rec);
  apply.finish();
  if (late !== null) late.replaying = false;
  await table.startWal();
  return { table, report };
}

