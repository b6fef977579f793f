// TableStore: a table's durable side — its WAL, block files, manifest log and settings — in
// front of its TableBlocks (the rows in memory). Sealed blocks are written as Parquet files in
// order, each then appended to the manifest log (one checksummed record), and WAL segments
// are retired after that: append → WAL (captured from the block buffers, group-committed) →
// seal → encode → file → manifest record → retire. Recovery runs the same path forward from
// the manifest and the WAL.
import { join } from 'node:path';
import type { SealedBlock } from '../block/sealed-block.js';
import type { ResolvedSchema } from '../schema/schema.js';
import type { Storage } from '../storage/storage.js';
import { WalCapture } from './wal-capture.js';
import { boolOption } from './options.js';
import { tableDir, WAL_DIR } from './layout.js';
import { writeReplacing } from './reopen-tail.js';
import type { NormalizedBatch } from '../column/values.js';
import { manifestBlockOf, NO_END, type ManifestBlock, type ManifestEnd } from './manifest.js';
import { schemaCrcOf } from './manifest-log.js';
import type { ManifestWriter } from './manifest-writer.js';
import { DurableBlocks } from './durable-blocks.js';
import { DeferredRemoval, unleasedFiles } from './deferred-removal.js';
import { nextBlockGroup, writeBlockFiles } from './block-group.js';
import { TableBlocks, type BlockEncoder } from './table-blocks.js';
import { writeTableMeta, type TableSettings } from './table-meta.js';
import { compressionOption, retentionOption, type Compression } from './create-options.js';
import { WalWriter } from '../wal/writer.js';

export interface TableContext {
  readonly storage: Storage;
  readonly dbDir: string;
  readonly encoder: BlockEncoder;
  /** Group-commit delay: appended rows reach the disk within this without sync(). */
  readonly walFlushDelayMs: number;
  readonly maxPendingSeals?: number;
  /** Every row of a sealed block of the table in `dir` (a late row may take it back: reopen-tail.ts). */
  readonly readBlock?: (dir: string, schema: ResolvedSchema, block: SealedBlock) => Promise<NormalizedBatch>;
}

export class TableStore {
  readonly dir: string;
  private wal: WalWriter | null = null;
  /** Hands appended rows to `wal`; null without a WAL. */
  private log: WalCapture | null = null;
  private readonly durable: DurableBlocks;
  /** Replaced files waiting for readers of other processes (their leases) before deletion. */
  private readonly removal: DeferredRemoval;
  private persistChain: Promise<void> = Promise.resolve();
  private lastPersistError: Error | null = null;
  private closed = false;
  /** Recorded with every block, checked against table.json on open. */
  private readonly schemaCrc: number;
  /** Runs `fn` once every reader that began before now has finished (the API knows its readers). */
  afterReaders: (fn: () => void) => void = (fn) => fn();
  /** Called whenever a sealed block is encoded (and written): retention runs from here. */
  onBlockSettled: (() => void) | null = null;
  /** Why the last retention pass failed (it runs again after the next seal); flush() reports it. */
  retentionError: Error | null = null;

  /** @internal Use createTableStore / openTableStore. */
  constructor(
    readonly ctx: TableContext,
    readonly blocks: TableBlocks,
    readonly settings: TableSettings,
    durable: ManifestBlock[],
    manifest: ManifestWriter,
    end: ManifestEnd = NO_END,
    /** table.json's id (null: a table made before ids), kept as settings are stored again. */
    readonly tableId: string | null = null,
  ) {
    this.dir = tableDir(ctx.dbDir, blocks.schema.name);
    this.durable = new DurableBlocks(manifest, durable, end);
    this.removal = new DeferredRemoval(ctx.storage, this.dir, (files) => this.durable.removeFiles(ctx.storage, this.dir, files));
    if (end.removed.length > 0) void this.removal.add(end.removed, manifest.generation); // kept at open for a reader lease
    this.schemaCrc = schemaCrcOf(blocks.schema);
    blocks.onSeal = (_block, from, end) => { this.log?.onSeal(from, end); };
    blocks.onEncoded = async () => { if (this.settings.useDiskStorage) await this.persistEncoded(); this.onBlockSettled?.(); };
    blocks.sharedOutput = () => !this.settings.useDiskStorage;
    blocks.compression = () => this.settings.compression;
  }

  get schema(): ResolvedSchema { return this.blocks.schema; }
  get name(): string { return this.blocks.schema.name; }
  get durableRowCount(): number { return this.durable.rowCount; }
  /** WAL rows below this are all in durable blocks (under a window, some past it may be too). */
  get durableWalRowSeq(): number { const b = this.durable.blocks; return b[b.length - 1]?.late?.firstUnsealedSeq ?? this.durableRowCount; }
  /** The blocks the manifest lists. */
  get durableBlocks(): readonly ManifestBlock[] { return this.durable.blocks; }
  /** The manager of manifest generations (lifecycle operations name new files after them). */
  get manifestWriter(): ManifestWriter { return this.durable.manifest; }

  /** @internal Start the WAL writer at the table's current end (after any replay). */
  async startWal(): Promise<void> {
    if (!this.settings.enableWal) return;
    await this.ctx.storage.mkdirp(join(this.dir, WAL_DIR));
    this.wal = await WalWriter.open(this.ctx.storage, join(this.dir, WAL_DIR), { nextRowSeq: this.blocks.rowCount, commitDelayMs: this.ctx.walFlushDelayMs });
    this.log = new WalCapture(this.wal, this.schema, this.blocks, this.ctx.walFlushDelayMs);
  }

  get isClosed(): boolean { return this.closed; }

  /** Why the table takes no more calls ('the table is closed', or that it was dropped). */
  private closedReason = 'the table is closed';
  /** Throws why the table takes no calls (closed, dropped). */
  assertOpen(): void {
    if (this.closed) throw new Error(`table "${this.name}": ${this.closedReason}`);
  }

  private lifeChain: Promise<unknown> = Promise.resolve();
  /** Lifecycle operations (deleteBefore, compact, retention: table-ops.ts) run one at a time. */
  lifecycle<T>(fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    const run = this.lifeChain.catch(() => undefined).then(() => { this.assertOpen(); return fn(); });
    this.lifeChain = run.catch(() => undefined);
    return run;
  }

  append(row: unknown): void {
    this.assertOpen();
    this.log?.assertRoom();
    this.blocks.append(row);
    this.log?.arm();
  }

  appendBatch(input: unknown): number {
    this.assertOpen();
    this.log?.assertRoom();
    const n = this.blocks.appendBatch(input);
    this.log?.arm();
    return n;
  }

  set useDiskStorage(on: boolean) {
    this.assertOpen(); // a closed table's table.json belongs to whoever opens it next
    this.settings.useDiskStorage = boolOption(`table "${this.name}"`, 'useDiskStorage', on);
    this.saveSettings();
    if (on) this.persistEncoded().catch(() => undefined); // errors resurface on sync() and flush()
  }

  set maxBlockSize(n: number) {
    this.assertOpen();
    this.blocks.maxBlockSize = n;
    this.settings.maxBlockSize = this.blocks.maxBlockSize;
    this.saveSettings();
  }

  /** Applies to blocks sealed from now on; blocks already written keep theirs. */
  set compression(c: Compression) {
    this.assertOpen();
    this.settings.compression = compressionOption(`table "${this.name}"`, 'compression', c);
    this.saveSettings();
  }

  /** null keeps every row; takes effect as the next block seals. */
  set retention(span: bigint | number | null) {
    this.assertOpen();
    this.settings.retention = retentionOption(`table "${this.name}"`, 'retention', span);
    this.saveSettings();
  }

  /** Settings changed at run time are stored at once, so a crash does not revert them. */
  private saveSettings(): void {
    const snapshot = { ...this.settings };
    const run = this.settingsChain.catch(() => undefined).then(() => writeTableMeta(this.ctx.storage, this.dir, { schema: this.schema, settings: snapshot, id: this.tableId }));
    this.settingsChain = run;
    run.catch(() => undefined); // reported by the next sync()
  }
  private settingsChain: Promise<void> = Promise.resolve();

  /** Every row appended before the call is durable once this resolves. */
  async sync(): Promise<void> {
    this.assertOpen();
    this.log?.reportFailure();
    await this.settingsChain.catch((err: unknown) => {
      this.saveSettings(); // try again next time
      throw new Error(`table "${this.name}": storing its settings failed: ${(err as Error).message}`);
    });
    if (this.wal !== null) {
      this.log?.capture();
      // Sealed blocks whose rows the WAL has not written yet (a loop that never awaited): write
      // the encoded ones first, so the WAL skips their rows instead of writing them twice.
      if (this.settings.useDiskStorage && this.wal.hasQueuedRotation) {
        // Each group written raises the WAL's durable floor (writeBlocks retires through it). A
        // block that fails to be written is reported by flush(); its rows go to the WAL here.
        await this.persistEncoded().catch(() => undefined);
      }
      await this.wal.sync();
      // Backpressure: blocks sealed faster than they are encoded and written wait here.
      await this.blocks.waitForBacklog();
      return;
    }
    // Without a WAL only sealed blocks can be made durable (disk storage): write them.
    await this.blocks.waitUntilEncoded();
    if (this.settings.useDiskStorage) await this.persistEncoded();
  }

  // ---- blocks on disk ----------------------------------------------------------------

  /** Write every encoded, not-yet-durable block in order; one chain, so order is kept. */
  persistEncoded(): Promise<void> {
    const run = this.persistChain.catch(() => undefined).then(() => this.persistInOrder());
    this.persistChain = run;
    return run;
  }

  private async persistInOrder(): Promise<void> {
    if (this.closed && this.closedReason !== 'the table is closed') return; // dropped: its files are going
    try {
      for (;;) {
        const group = nextBlockGroup(this.blocks.sealed);
        if (group.length > 0) { await this.writeBlocks(group); continue; }
        // Next in line may be blocks that replace ones a late row took back (reopen-tail.ts).
        const head = this.blocks.sealed.find((b) => b.file === null);
        if (head?.replaces == null || head.parquet === null || !(await writeReplacing(this, this.durable, this.wal, this.schemaCrc, head.replaces))) break;
      }
      this.lastPersistError = null;
    } catch (err) {
      this.lastPersistError = err as Error;
      throw new Error(`table "${this.name}": writing a block failed: ${(err as Error).message}`);
    }
  }

  /**
   * Write a group of blocks: each file in parallel (write, fsync), one fsync of the directory,
   * then one manifest write that lists them all, then WAL retirement. A backfill loop that never
   * awaits leaves every block to sync(): one commit per group instead of ~5 fsyncs per block.
   * Files are written under their own names: one the manifest does not list is a write in
   * flight, removed on open (recovery.ts), and its rows are still in the WAL.
   */
  private async writeBlocks(group: readonly SealedBlock[]): Promise<void> {
    await writeBlockFiles(this.ctx.storage, this.dir, group, this.durableRowCount);
    const entries = group.map((block) => manifestBlockOf(block, this.schemaCrc));
    // Under a window a block leaves rows unsealed that only the WAL holds: they must be on
    // disk before the manifest lets replay skip past the rows the block took.
    if (entries.some((e) => e.late != null) && this.wal !== null) await this.wal.sync();
    try {
      await this.durable.add(entries);
    } catch (err) {
      for (const block of group) block.file = null; // not listed, so not durable: written again
      throw err;
    }
    // The bytes now live in the files; drop them so memory stays bounded by a few blocks.
    if (this.settings.useDiskStorage) for (const block of group) block.parquet = null;
    if (this.wal !== null) await this.wal.retireThrough(this.durableWalRowSeq);
    void this.removal.attempt(); // replaced files a reader lease held may be free now
  }

  // ---- replacing blocks (deleteBefore, retention, compact) ---------------------------

  /** Run `fn` on the chain that writes blocks and manifests: no manifest write runs beside it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.persistChain.catch(() => undefined).then(fn);
    this.persistChain = run.then(() => undefined, () => undefined);
    return run;
  }

  /**
   * Replace `remove` by `add` (blocks already written, or memory blocks when nothing of theirs
   * is durable): a new manifest generation listing the result is written first (durable), then
   * the blocks change in memory, then the removed files are deleted once every reader that
   * began before has finished. `advanceTo`: the WAL resumes at least there (removed rows that
   * were only in the WAL must not come back). Call inside exclusive().
   */
  async replaceBlocks(remove: readonly SealedBlock[], add: readonly SealedBlock[], advanceTo = 0): Promise<void> {
    this.assertOpen();
    const gone = new Set(remove);
    const byFile = new Map(this.durable.blocks.map((b) => [b.file, b]));
    const bySeq = (a: SealedBlock, b: SealedBlock) => a.firstRowSeq - b.firstRowSeq;
    const files = remove.map((b) => b.file).filter((f): f is string => f !== null && byFile.has(f));
    // From the durable list, not the sealed one: blocks a late row took back stay listed until
    // the block that replaces them is written (reopen-tail.ts).
    const listed = [...this.durable.blocks.filter((b) => !files.includes(b.file)), ...add.filter((b) => b.file !== null).map((b) => manifestBlockOf(b, this.schemaCrc))]
      .sort((a, b) => a.firstRowSeq - b.firstRowSeq);
    try {
      await this.durable.replace(listed, files, advanceTo);
    } catch (err) {
      throw new Error(`table "${this.name}": writing the manifest failed: ${(err as Error).message}`);
    }
    // Blocks sealed while the manifest was written are in `sealed` now: keep them.
    this.blocks.sealed.splice(0, this.blocks.sealed.length, ...[...this.blocks.sealed.filter((b) => !gone.has(b)), ...add].sort(bySeq));
    for (const b of remove) this.blocks.droppedRows += b.rowCount;
    for (const b of add) this.blocks.droppedRows -= b.rowCount;
    if (this.wal !== null) await this.wal.retireThrough(this.durableWalRowSeq);
    const generation = this.manifestWriter.generation; // readers with a lease below it may read `files`
    if (files.length > 0) this.afterReaders(() => { void this.removal.add(files, generation); });
  }

  // ---- closing -----------------------------------------------------------------------

  /** Seal the active block, write every block and the manifest, retire the WAL. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.log?.stop();
    // A WAL failure is reported, but only after the blocks are written: they hold every row.
    let walFailure: unknown = null;
    const logged = (): void => { try { this.log?.reportFailure(); this.log?.capture(); } catch (err) { walFailure ??= err; } };
    try {
      logged();
      // Under a window with a working WAL, rows still within it stay in the WAL (replayed at
      // open), so late rows are still taken after a reopen; otherwise every row is sealed.
      const late = this.wal !== null && walFailure === null ? this.blocks.late : null;
      if (late !== null) late.sealSettled(); else this.blocks.seal();
      logged();
      if (late !== null && walFailure !== null) this.blocks.seal();
      await this.blocks.waitUntilEncoded();
      await this.persistEncoded();
      const inBlocks = late !== null && walFailure === null ? this.blocks.activeBlock.firstRowSeq : this.blocks.rowCount;
      if (this.durableRowCount !== inBlocks) throw new Error(`table "${this.name}": ${this.blocks.rowCount - this.durableRowCount} rows could not be written`);
      await this.lifeChain;
      await this.settingsChain.catch(() => undefined);
      await writeTableMeta(this.ctx.storage, this.dir, { schema: this.schema, settings: this.settings, id: this.tableId });
      if (this.wal !== null) {
        await this.wal.sync();
        await this.wal.retireThrough(this.durableWalRowSeq);
      }
      // Readers of a closed table end: files kept for them go now unless a reader lease of
      // another process still holds them (then the next open deletes them).
      await this.removal.stop();
      await this.durable.removeFiles(this.ctx.storage, this.dir, await unleasedFiles(this.ctx.storage, this.dir, this.durable.pending).catch(() => []));
      if (walFailure !== null) throw walFailure;
    } finally {
      this.closed = true;
      await this.wal?.close().catch(() => undefined);
      this.wal = null;
    }
  }

  /** Stop timers and writers without writing anything (after a failure, or a drop: `reason`). */
  abandon(reason?: string): void {
    this.closed = true;
    void this.removal.stop();
    if (reason !== undefined) this.closedReason = reason;
    this.log?.stop();
    this.wal?.close().catch(() => undefined);
    this.wal = null;
  }

  get persistError(): Error | null { return this.lastPersistError; }
}

