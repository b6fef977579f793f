// A table opened read-only, next to a live writer (another process, or this one): it takes no
// lock and changes no file. Its rows are the manifest's blocks plus the WAL rows past them,
// read without moving anything aside (a torn record at a live writer's WAL tail is normal:
// reading stops before it). `refresh()` — run at the start of every reader — picks up what the
// writer has added since: a new manifest means new blocks; otherwise only new WAL records.
import { join } from 'node:path';
import { resolveSchema, sameSchema, isSafeName, type ResolvedSchema, type TableSchema } from '../schema/schema.js';
import { decodeRecordBatch } from '../wal/batch-codec.js';
import { readWal, readWalFrom, type WalPosition } from '../wal/reader.js';
import type { WalRecord } from '../wal/record.js';
import { replayStartOf, WalReplay } from './wal-replay.js';
import { tableDir, WAL_DIR } from './layout.js';
import { droppedRowsOf, sealedFromManifest } from './manifest.js';
import { loadManifest, newestManifestFile, type LoadedManifest } from './table-files.js';
import { TableBlocks } from './table-blocks.js';
import { readTableMeta, type TableSettings } from './table-meta.js';
import type { Compression } from './create-options.js';
import type { TableContext } from './table-store.js';
import { isDropped } from './drop.js';
import { tailReader } from './reopen-tail.js';

/** How often a refresh starts over when the writer retires WAL segments under it. */
export const MAX_REFRESH_ATTEMPTS = 50;


export class ReadOnlyTableStore {
  readonly dir: string;
  /** The rows: the manifest's blocks and the WAL rows past them (from `firstRowSeqOfTail`). */
  private current: { blocks: TableBlocks; firstRowSeqOfTail: number; replay: WalReplay | null };
  /** The manifest reading `current` was built from (loadManifest returns the same object while unchanged). */
  private applied: LoadedManifest | null = null;
  /** Just past the last WAL record applied to `current.blocks` (null: read from scratch). */
  private walCursor: WalPosition | null = null;
  /** The row sequence number at walCursor: an incremental read yields only rows from here on. */
  private walCursorRow = 0;
  private closed = false;
  private refreshing: Promise<void> | null = null;

  private constructor(readonly ctx: TableContext, readonly schema: ResolvedSchema, readonly settings: TableSettings) {
    this.dir = tableDir(ctx.dbDir, schema.name);
    this.current = { blocks: this.emptyBlocks(0, null, 0, null), firstRowSeqOfTail: 0, replay: null };
  }

  /** Open `nameOrSchema` read-only: table.json must exist; the schema, if given, must match. */
  static async open(ctx: TableContext, nameOrSchema: string | TableSchema): Promise<ReadOnlyTableStore> {
    const name = typeof nameOrSchema === 'string' ? nameOrSchema : resolveSchema(nameOrSchema).name;
    if (!isSafeName(name)) throw new Error(`table ${JSON.stringify(name)}: invalid table name`);
    const meta = await isDropped(ctx.storage, tableDir(ctx.dbDir, name)) ? null : await readTableMeta(ctx.storage, tableDir(ctx.dbDir, name), name);
    if (meta === null) throw new Error(`table "${name}": does not exist in ${ctx.dbDir}`);
    if (typeof nameOrSchema !== 'string' && !sameSchema(meta.schema, resolveSchema(nameOrSchema))) {
      throw new Error(`table "${name}": the given schema differs from the stored one`);
    }
    const store = new ReadOnlyTableStore(ctx, meta.schema, meta.settings);
    await store.refresh();
    return store;
  }

  get name(): string { return this.schema.name; }
  get blocks(): TableBlocks { return this.current.blocks; }
  get isClosed(): boolean { return this.closed; }

  private emptyBlocks(firstRowSeq: number, lastTime: bigint | null, nextBlockId: number, newest: bigint | null): TableBlocks {
    const opts = { maxBlockSize: this.settings.maxBlockSize, maxPendingSeals: this.ctx.maxPendingSeals, rowGroupRows: this.settings.rowGroupRows, outOfOrderWindow: this.settings.outOfOrderWindow };
    return new TableBlocks(this.schema, this.ctx.encoder, opts, { firstRowSeq, lastTime, nextBlockId, newest });
  }

  /** Catch up with the writer. Concurrent calls share one run. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.reject(this.readOnlyError('read', 'the table is closed'));
    this.refreshing ??= this.catchUp().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  /** The manifest as last read, with the file and size it was read at. */
  private lastManifest: { file: string; sizeBytes: number; loaded: LoadedManifest } | null = null;

  /**
   * The current manifest. While its file has the name and size it had last time, nothing was
   * appended: the last reading is reused without reading the file again.
   */
  private async loadManifest(): Promise<LoadedManifest | null> {
    try {
      const names = await this.ctx.storage.list(this.dir);
      const newest = newestManifestFile(names)?.file;
      const last = this.lastManifest;
      if (newest !== undefined && last !== null && last.file === newest && (await this.ctx.storage.sizeOf(join(this.dir, newest))) === last.sizeBytes) return last.loaded;
      const loaded = await loadManifest(this.ctx.storage, this.dir, names);
      if (loaded !== null) {
        const size = await this.ctx.storage.sizeOf(join(this.dir, loaded.file));
        // Remembered only when the size read matches what was parsed (no append in between).
        this.lastManifest = size === loaded.writer.sizeBytes + (loaded.tail?.sizeBytes ?? 0) ? { file: loaded.file, sizeBytes: size, loaded } : null;
      }
      return loaded;
    } catch (err) {
      // The writer replaced its snapshot between our listing and our read: look again.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`table "${this.name}": ${(err as Error).message}`);
    }
  }

  /**
   * The WAL is read before the manifest: the writer retires a segment only after the manifest
   * lists a block holding its rows, so a manifest read afterwards always reaches at least the
   * first row the WAL read still found. Rows then come from blocks up to the manifest's end and
   * from the WAL read past it — an exact prefix of the table, each row once.
   */
  private async catchUp(): Promise<void> {
    const walDir = join(this.dir, WAL_DIR);
    for (let attempt = 0; attempt < MAX_REFRESH_ATTEMPTS; attempt++) {
      // 1. The WAL: only the bytes past what was applied last time, while that segment is
      //    still there; otherwise everything past the manifest's end as last seen.
      const records: Array<{ rec: WalRecord; at: WalPosition }> = [];
      const collect = (rec: WalRecord, at: WalPosition) => { records.push({ rec, at }); };
      const incremental = this.walCursor !== null && (await readWalFrom(this.ctx.storage, walDir, this.walCursor, collect)) === 'ok';
      if (!incremental) {
        records.length = 0;
        await readWal(this.ctx.storage, walDir, { fromRowSeq: this.current.firstRowSeqOfTail, skipMissing: true, onRecord: collect });
      }
      // 2. The manifest, read second (see above).
      const loaded = await this.loadManifest();
      if (loaded === null) continue;
      const m = loaded.manifest;
      const unchanged = loaded === this.applied;
      let { blocks, replay } = this.current;
      const start = replayStartOf(m);
      if (!unchanged || replay === null) {
        blocks = this.emptyBlocks(m.durableRowCount, m.lastTime, m.blocks.length, start.newest);
        m.blocks.forEach((b, i) => blocks.sealed.push(sealedFromManifest(b, i)));
        blocks.droppedRows = droppedRowsOf(m);
        replay = new WalReplay(blocks, (rec) => decodeRecordBatch(this.schema.columns, rec), start, `table "${this.name}": WAL in ${walDir}`, this.settings.enableWal);
        // A WAL row older than the newest sealed one takes sealed blocks back (reopen-tail.ts);
        // a block file the writer replaced under us means a newer manifest: read again.
        try { await blocks.late?.loadTail(tailReader(this.ctx, this.dir, this.schema)); } catch { this.walCursor = null; continue; }
      }
      // 3. WAL rows past what `blocks` holds, in order; a record starting beyond them means the
      //    read did not reach back far enough: read again from scratch.
      //    An incremental read with no record past the cursor is a gap too when the new blocks
      //    end before the cursor: the rows between were only in the blocks just replaced.
      let gap = incremental && records.length === 0 && this.walCursorRow > replay.nextRowSeq;
      let cursor = unchanged ? this.walCursor : null;
      let cursorRow = unchanged ? this.walCursorRow : 0;
      for (const { rec, at } of records) {
        if (gap) break;
        if (replay.startsAfter(rec)) { gap = true; break; }
        replay.apply(rec);
        if (rec.firstRowSeq + rec.rowCount === replay.nextRowSeq) { cursor = at; cursorRow = replay.nextRowSeq; }
      }
      if (gap) { this.walCursor = null; continue; } // read again from scratch; keep what is shown
      this.current = { blocks, firstRowSeqOfTail: start.fromRowSeq, replay };
      this.applied = loaded;
      this.walCursor = cursor;
      this.walCursorRow = cursorRow;
      return;
    }
    throw new Error(`table "${this.name}": the writer kept moving the manifest and the WAL while they were read (${MAX_REFRESH_ATTEMPTS} attempts)`);
  }

  private readOnlyError(what: string, why = `the database ${this.ctx.dbDir} is open read-only`): Error {
    return new Error(`table "${this.name}": cannot ${what}: ${why}`);
  }

  append(_row: unknown): void { throw this.readOnlyError('append'); }
  appendBatch(_input: unknown): number { throw this.readOnlyError('appendBatch'); }
  set maxBlockSize(_n: number) { throw this.readOnlyError('set maxBlockSize'); }
  set useDiskStorage(_on: boolean) { throw this.readOnlyError('set useDiskStorage'); }
  set compression(_c: Compression) { throw this.readOnlyError('set compression'); }
  set retention(_span: bigint | number | null) { throw this.readOnlyError('set retention'); }
  sync(): Promise<void> { return Promise.reject(this.readOnlyError('sync')); }
  persistEncoded(): Promise<void> { return Promise.reject(this.readOnlyError('flush')); }

  async close(): Promise<void> { this.closed = true; }
  abandon(): void { this.closed = true; }
}
