// A table opened read-only, next to a live writer (another process, or this one): it takes no
// lock and changes no data file (only its read lease while readers run: reader-leases.ts). Its
// rows are the manifest's blocks plus the WAL rows past them, read without moving anything
// aside (a torn record at a live writer's WAL tail is normal: reading stops before it).
// `beginRead()` — at the start of every reader — takes the lease, then picks up what the writer
// has added since: new manifest records mean new blocks; otherwise only new WAL records.
import { join } from 'node:path';
import { resolveSchema, sameSchema, isSafeName, type ResolvedSchema, type TableSchema } from '../schema/schema.js';
import { readWal, readWalFrom, type WalPosition } from '../wal/reader.js';
import { borrowSegmentBuffers } from '../wal/segment-buffers.js';
import type { WalRecord } from '../wal/record.js';
import { oldestTimeOf, replayStartOf, WalReplay } from './wal-replay.js';
import { TABLE_FILE, tableDir, WAL_DIR } from './layout.js';
import { droppedRowsOf, sealedFromManifest } from './manifest.js';
import type { LoadedManifest } from './table-files.js';
import { ManifestFollower } from './manifest-follower.js';
import { TableBlocks } from './table-blocks.js';
import { newColumns } from '../block/active-block.js';
import { BYTES_PER_ROW, prefault, type ColumnStore } from '../block/column-store.js';
import { readTableMeta, type TableSettings } from './table-meta.js';
import type { Compression } from './create-options.js';
import type { TableContext } from './table-store.js';
import { isDropped } from './drop.js';
import { ReaderLease } from './reader-leases.js';
import { tailReader } from './reopen-tail.js';

/** How often a refresh starts over when the writer retires WAL segments under it. */
export const MAX_REFRESH_ATTEMPTS = 50;


/** Fresh columns for the next active block, faulted in while the WAL is read (spareColumns). */
interface SpareColumns {
  readonly columns: readonly ColumnStore[];
  readonly capacityRows: number;
  readonly whileReading: (sizeBytes: number) => void;
}

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
  /** This process's read lease on the table: the writer keeps files its readers may read. */
  private readonly lease: ReaderLease;
  /** The manifest as last read, read again from where it ended (manifest-follower.ts). */
  private readonly manifests: ManifestFollower;

  private constructor(readonly ctx: TableContext, readonly schema: ResolvedSchema, public settings: TableSettings, private tableId: string | null) {
    this.dir = tableDir(ctx.dbDir, schema.name);
    this.current = this.noRows();
    this.lease = new ReaderLease(ctx.storage, this.dir);
    this.manifests = new ManifestFollower(ctx.storage, this.dir, schema.name);
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
    const store = new ReadOnlyTableStore(ctx, meta.schema, meta.settings, meta.id);
    await store.refresh();
    return store;
  }

  get name(): string { return this.schema.name; }
  get blocks(): TableBlocks { return this.current.blocks; }
  get isClosed(): boolean { return this.closed; }

  /** `columns`: fresh ones for the active block (spareColumns), or null for new ones. */
  private emptyBlocks(firstRowSeq: number, lastTime: bigint | null, nextBlockId: number, newest: bigint | null, columns: readonly ColumnStore[] | null = null): TableBlocks {
    const opts = { maxBlockSize: this.settings.maxBlockSize, maxPendingSeals: this.ctx.maxPendingSeals, rowGroupRows: this.settings.rowGroupRows, outOfOrderWindow: this.settings.outOfOrderWindow, encodeSealed: false };
    const blocks = new TableBlocks(this.schema, this.ctx.encoder, opts, { firstRowSeq, lastTime, nextBlockId, newest, columns: columns ?? undefined });
    if (blocks.late !== null) blocks.late.replaying = true; // a reader only replays what the writer acknowledged
    return blocks;
  }

  /** What is shown before the first catch-up (and after the table was made again). */
  private noRows(): ReadOnlyTableStore['current'] {
    return { blocks: this.emptyBlocks(0, null, 0, null), firstRowSeqOfTail: 0, replay: null };
  }

  /**
   * Fresh columns for the next active block, faulted in while the WAL segments are read (the
   * read is idle time on this thread; faulting in the pages later cost the copy of the WAL rows
   * into them ~0.6 ms per MB on the benchmark VM). Sized for as many rows as the bytes read
   * could hold at most, up to the block's capacity; null for a table with an outOfOrderWindow
   * (its active block is sized otherwise).
   */
  private spareColumns(): SpareColumns | null {
    if (this.settings.outOfOrderWindow !== 0n) return null;
    const capacityRows = this.settings.maxBlockSize;
    const columns = newColumns(this.schema, capacityRows);
    const rowBytes = columns.reduce((sum, c) => sum + BYTES_PER_ROW[c.type] + (c.validity === null ? 0 : 1), 0);
    let walBytes = 0;
    return { columns, capacityRows, whileReading: (sizeBytes) => { walBytes += sizeBytes; prefault(columns, Math.floor(walBytes / rowBytes), capacityRows); } };
  }

  /**
   * Before a catch-up (not the first: open read table.json just before), table.json must still
   * describe the table this reader opened. A drop and a create of its name under the reader
   * show only here: the drop's marker is gone by then, and the new table's manifest and WAL may
   * carry the same names and, at first, the same bytes (a reader went on showing the dropped
   * table's rows). A new id with the same schema and kind: the reader starts over on the new
   * table; another schema would read its rows as garbage: refused. Settings a writer changes as
   * it runs (maxBlockSize, compression, retention) are taken up. Tables made before ids were
   * stored are told apart by their schema alone.
   */
  private async checkSameTable(): Promise<void> {
    const meta = await readTableMeta(this.ctx.storage, this.dir, this.name);
    if (meta === null) throw this.readOnlyError('read', `the table was dropped from ${this.ctx.dbDir}`);
    const { outOfOrderWindow, enableWal } = this.settings;
    if (!sameSchema(meta.schema, this.schema) || meta.settings.outOfOrderWindow !== outOfOrderWindow || meta.settings.enableWal !== enableWal) {
      throw this.readOnlyError('read', `the table was dropped from ${this.ctx.dbDir} and created again with another schema or settings; open it again`);
    }
    const resized = meta.settings.maxBlockSize !== this.settings.maxBlockSize;
    this.settings = meta.settings;
    if (meta.id === this.tableId) {
      // The writer's active block now takes another number of rows (under a window, more than
      // this reader's might hold): build the blocks again, at the new size, from the WAL whole.
      if (resized) this.forgetTail();
      return;
    }
    this.tableId = meta.id;
    this.current = this.noRows();
    this.applied = null;
    this.manifests.forget();
    this.walCursor = null;
    this.walCursorRow = 0;
  }

  /** The next catch-up builds the blocks again and reads the WAL whole (what is shown stays until then). */
  private forgetTail(): void {
    this.current = { ...this.current, replay: null };
    this.walCursor = null;
  }

  /** The manifest generation the rows come from (0: none read yet, or format 1). */
  get generation(): number { return this.applied?.writer.generation ?? 0; }

  /**
   * A reader begins: the lease holds at most the generation seen so far BEFORE the manifest is
   * read, so a writer that looks at the leases after making a generation durable either sees
   * this lease or made that generation durable before the read (docs/readers.md). Resolves,
   * caught up, to the function that ends the reader.
   */
  async beginRead(): Promise<() => void> {
    const pin = await this.lease.pin(this.generation);
    try {
      await this.refresh();
    } catch (err) {
      pin.release();
      throw err;
    }
    pin.raise(this.generation);
    return pin.release;
  }

  /** Catch up with the writer. Concurrent calls share one run. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.reject(this.readOnlyError('read', 'the table is closed'));
    this.refreshing ??= this.catchUp().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  /**
   * The WAL is read before the manifest: the writer retires a segment only after the manifest
   * lists a block holding its rows, so a manifest read afterwards always reaches at least the
   * first row the WAL read still found. Rows then come from blocks up to the manifest's end and
   * from the WAL read past it — an exact prefix of the table, each row once. (A whole read of
   * the WAL starts where the manifest, read just before, says the blocks end: tailStartHint.)
   */
  private async catchUp(): Promise<void> {
    const walDir = join(this.dir, WAL_DIR);
    // Checked after the lease is written: a writer dropping the table writes its marker before it looks at leases.
    if (await isDropped(this.ctx.storage, this.dir)) throw this.readOnlyError('read', `the table was dropped from ${this.ctx.dbDir}`);
    if (this.applied !== null) await this.checkSameTable();
    // Where a whole read of the WAL begins when the manifest's WAL rows begin earlier than the
    // hint or the last manifest applied said (null: not seen) — the table was dropped and made
    // again under this reader, say.
    let readFromAtMost: number | null = null;
    let rebuilt = false;
    for (let attempt = 0; attempt < MAX_REFRESH_ATTEMPTS; attempt++) {
      // 1. The WAL: only the bytes past what was applied last time, while that segment is
      //    still there; otherwise everything past the blocks' end (tailStartHint).
      const records: Array<{ rec: WalRecord; at: WalPosition }> = [];
      const collect = (rec: WalRecord, at: WalPosition) => { records.push({ rec, at }); };
      const incremental = this.walCursor !== null && (await readWalFrom(this.ctx.storage, walDir, this.walCursor, collect)) === 'ok';
      // Segments read whole go into reused buffers, given back once their records are applied.
      const buffers = borrowSegmentBuffers();
      try {
        let readFrom: number | null = null;
        let spare: SpareColumns | null = null;
        if (!incremental) {
          records.length = 0;
          readFrom = readFromAtMost === null ? await this.tailStartHint() : Math.min(readFromAtMost, this.current.firstRowSeqOfTail);
          // Spare columns only for blocks to be built: not while the manifest just read is the one applied.
          const applied = this.applied !== null && this.manifests.latest === this.applied && this.current.replay !== null;
          spare = applied ? null : this.spareColumns();
          await readWal(this.ctx.storage, walDir, { fromRowSeq: readFrom, skipMissing: true, onRecord: collect, readInto: buffers.take, whileReading: spare?.whileReading });
        }
        let outcome: Awaited<ReturnType<typeof this.applyRecords>>;
        try {
          outcome = await this.applyRecords(walDir, records, incremental, readFrom, spare);
        } catch (err) {
          this.forgetTail(); // the blocks may hold part of what failed: never shown, built again
          // Records applied onto the blocks kept from before: once more, all built from the WAL
          // (what a late row takes back is then read for it: loadTail).
          if (incremental && !rebuilt) { rebuilt = true; continue; }
          throw err;
        }
        if (outcome === 'done') return;
        if (outcome !== 'again') readFromAtMost = outcome.readFrom;
      } finally {
        buffers.giveBack();
      }
    }
    throw new Error(`table "${this.name}": the writer kept moving the manifest and the WAL while they were read (${MAX_REFRESH_ATTEMPTS} attempts)`);
  }

  /**
   * Where the WAL rows past the blocks begin, by the manifest as it stands: segments wholly
   * below it are not read (a live writer retires them only later; reading and checking them
   * cost a reader's open as much as the rows it needed). The manifest is read again after the
   * WAL (step 2); a table without an outOfOrderWindow never moves its blocks' end back, so the
   * rows past that end are all read. With a window, the end as last applied.
   */
  private async tailStartHint(): Promise<number> {
    const base = this.current.firstRowSeqOfTail;
    if (this.settings.outOfOrderWindow !== 0n) return base;
    const loaded = await this.manifests.load();
    if (loaded === null) return base;
    const start = replayStartOf(loaded.manifest);
    return start.sealedTime === null ? Math.max(base, start.fromRowSeq) : base;
  }

  /**
   * Steps 2 and 3 of catchUp with the WAL records read (`readFrom`: the row a whole read began
   * at, null for an incremental one). 'again' when it must read again (the manifest was being
   * replaced, or the records do not reach back to the blocks' end); `{ readFrom }` when the read
   * began past where the manifest's WAL rows begin: read again from there.
   */
  private async applyRecords(walDir: string, records: ReadonlyArray<{ rec: WalRecord; at: WalPosition }>, incremental: boolean, readFrom: number | null, spare: SpareColumns | null): Promise<'done' | 'again' | { readFrom: number }> {
    // 2. The manifest, read again after the WAL (see above).
    const loaded = await this.manifests.load();
    if (loaded === null) {
      // No manifest and no table.json: the directory went (a drop finished), not a snapshot being replaced.
      if ((await this.ctx.storage.sizeOf(join(this.dir, TABLE_FILE))) === null) throw this.readOnlyError('read', `the table was dropped from ${this.ctx.dbDir}`);
      return 'again';
    }
    const m = loaded.manifest;
    const unchanged = loaded === this.applied;
    let { blocks, replay } = this.current;
    const start = replayStartOf(m);
    if (readFrom !== null && readFrom > start.fromRowSeq) { this.walCursor = null; return { readFrom: start.fromRowSeq }; }
    if (!unchanged || replay === null) {
      const fits = spare !== null && spare.capacityRows === this.settings.maxBlockSize; // not if the writer changed it meanwhile
      blocks = this.emptyBlocks(m.durableRowCount, m.lastTime, m.blocks.length, start.newest, fits ? spare.columns : null);
      m.blocks.forEach((b, i) => blocks.sealed.push(sealedFromManifest(b, i)));
      blocks.droppedRows = droppedRowsOf(m);
      replay = new WalReplay(blocks, this.schema.columns, start, `table "${this.name}": WAL in ${walDir}`, this.settings.enableWal);
      // A WAL row older than the newest sealed one takes sealed blocks back (reopen-tail.ts);
      // a block file the writer replaced under us means a newer manifest: read again.
      const needFrom = blocks.late === null ? null : oldestTimeOf(this.schema.columns, this.schema.timeIndex, records.map((r) => r.rec), start.fromRowSeq);
      try { await blocks.late?.loadTail(tailReader(this.ctx, this.dir, this.schema), needFrom); } catch { this.walCursor = null; return 'again'; }
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
    if (gap) { this.walCursor = null; return 'again'; } // read again from scratch; keep what is shown
    this.current = { blocks, firstRowSeqOfTail: start.fromRowSeq, replay };
    this.applied = loaded;
    this.walCursor = cursor;
    this.walCursorRow = cursorRow;
    return 'done';
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

  async close(): Promise<void> { this.closed = true; await this.lease.close(); }
  abandon(): void { this.closed = true; void this.lease.close(); }
}
