// A table with its files: the WAL in front of the active block, sealed blocks written as
// Parquet files in order, the manifest replaced after each, WAL segments retired after that.
// append → WAL (captured from the block buffers, group-committed) → seal → encode → file →
// manifest → retire. Recovery runs the same path forward from the manifest and the WAL.
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SealedBlock } from '../block/sealed-block.js';
import type { ResolvedSchema } from '../schema/schema.js';
import { writeFileAtomic } from '../storage/atomic.js';
import type { Storage } from '../storage/storage.js';
import { captureRows, MAX_RECORD_ROWS } from './wal-capture.js';
import { blockFileName, tableDir, WAL_DIR } from './layout.js';
import { manifestBlockOf, type ManifestBlock } from './manifest.js';
import { schemaCrcOf } from './manifest-log.js';
import type { ManifestWriter } from './manifest-writer.js';
import { TableCore, type BlockEncoder } from './table-core.js';
import { writeTableMeta, type TableSettings } from './table-meta.js';
import { WalWriter } from '../wal/writer.js';

export interface TableContext {
  readonly storage: Storage;
  readonly dbDir: string;
  readonly encoder: BlockEncoder;
  /** Group-commit delay: appended rows reach the disk within this without sync(). */
  readonly walFlushDelayMs: number;
  readonly maxPendingSeals?: number;
}

export class DurableTable {
  readonly dir: string;
  private wal: WalWriter | null = null;
  /** Next row sequence number not yet handed to the WAL. */
  private walRowSeq: number;
  private durable: ManifestBlock[];
  private persistChain: Promise<void> = Promise.resolve();
  private lastPersistError: Error | null = null;
  private captureTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Recorded with every block, checked against table.json on open. */
  private readonly schemaCrc: number;

  /** @internal Use createDurableTable / openDurableTable. */
  constructor(
    readonly ctx: TableContext,
    readonly core: TableCore,
    readonly settings: TableSettings,
    durable: ManifestBlock[],
    private readonly manifest: ManifestWriter,
  ) {
    this.dir = tableDir(ctx.dbDir, core.schema.name);
    this.durable = durable;
    this.schemaCrc = schemaCrcOf(core.schema);
    this.walRowSeq = core.rowCount;
    core.onSeal = (block) => this.onSeal(block);
    core.onEncoded = () => (this.settings.useDiskStorage ? this.persistEncoded() : Promise.resolve());
    core.sharedOutput = () => !this.settings.useDiskStorage;
  }

  get schema(): ResolvedSchema { return this.core.schema; }
  get name(): string { return this.core.schema.name; }
  get durableRowCount(): number { return this.durable.length === 0 ? 0 : this.durable[this.durable.length - 1].firstRowSeq + this.durable[this.durable.length - 1].rowCount; }

  /** @internal Start the WAL writer at the table's current end (after any replay). */
  async startWal(): Promise<void> {
    if (!this.settings.enableWal) return;
    await this.ctx.storage.mkdirp(join(this.dir, WAL_DIR));
    this.walRowSeq = this.core.rowCount;
    this.wal = await WalWriter.open(this.ctx.storage, join(this.dir, WAL_DIR), { nextRowSeq: this.walRowSeq, flushDelayMs: this.ctx.walFlushDelayMs });
  }

  get isClosed(): boolean { return this.closed; }

  private assertOpen(): void {
    if (this.closed) throw new Error(`table "${this.name}": the table is closed`);
  }

  append(row: unknown): void {
    this.assertOpen();
    this.core.append(row);
    this.armCapture();
  }

  appendBatch(input: unknown): number {
    this.assertOpen();
    const n = this.core.appendBatch(input);
    this.armCapture();
    return n;
  }

  set useDiskStorage(on: boolean) {
    this.settings.useDiskStorage = on;
    this.saveSettings();
    if (on) this.persistEncoded().catch(() => undefined); // errors resurface on sync/flush
  }

  set maxBlockSize(n: number) {
    this.core.maxBlockSize = n;
    this.settings.maxBlockSize = this.core.maxBlockSize;
    this.saveSettings();
  }

  /** Settings changed at run time are stored at once, so a crash does not revert them. */
  private saveSettings(): void {
    const snapshot = { ...this.settings };
    const run = this.settingsChain.catch(() => undefined).then(() => writeTableMeta(this.ctx.storage, this.dir, { schema: this.schema, settings: snapshot }));
    this.settingsChain = run;
    run.catch(() => undefined); // reported by the next sync()
  }
  private settingsChain: Promise<void> = Promise.resolve();

  // ---- WAL -------------------------------------------------------------------------

  /** Hand rows not yet logged to the WAL writer (buffered; written on its group commit). */
  private capture(): void {
    const wal = this.wal;
    if (wal === null) return;
    const active = this.core.activeBlock;
    const end = this.core.rowCount;
    if (this.walRowSeq >= end) return;
    if (this.walRowSeq < active.firstRowSeq) throw new Error('internal: WAL capture fell behind a sealed block');
    this.walRowSeq = captureRows(wal, this.schema, active, this.walRowSeq, end, MAX_RECORD_ROWS);
  }

  private onSeal(block: SealedBlock): void {
    const wal = this.wal;
    if (wal === null || block.raw === null) return;
    const end = block.firstRowSeq + block.rowCount;
    if (this.walRowSeq < end) this.walRowSeq = captureRows(wal, this.schema, block.raw, this.walRowSeq, end, MAX_RECORD_ROWS);
    wal.rotate(end);
  }

  private armCapture(): void {
    if (this.wal === null || this.captureTimer !== null) return;
    this.captureTimer = setTimeout(() => {
      this.captureTimer = null;
      if (this.closed) return;
      this.capture();
      // A failed background write stays buffered in the writer and is retried; sync() reports it.
      this.wal?.sync().catch(() => undefined);
    }, this.ctx.walFlushDelayMs);
    this.captureTimer.unref();
  }

  /** Every row appended before the call is durable once this resolves. */
  async sync(): Promise<void> {
    this.assertOpen();
    await this.settingsChain.catch((err: unknown) => {
      this.saveSettings(); // try again next time
      throw new Error(`table "${this.name}": storing its settings failed: ${(err as Error).message}`);
    });
    if (this.wal !== null) {
      this.capture();
      await this.wal.sync();
      // Backpressure: blocks sealed faster than they are encoded and written wait here.
      await this.core.waitForBacklog();
      return;
    }
    // Without a WAL only sealed blocks can be made durable (disk storage): write them.
    await this.core.flush();
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
    try {
      for (const block of this.core.sealed) {
        if (block.file !== null) continue;
        if (block.parquet === null || block.zoneMap === null) return; // not encoded yet: its own turn comes
        await this.writeBlock(block);
      }
      this.lastPersistError = null;
    } catch (err) {
      this.lastPersistError = err as Error;
      throw new Error(`table "${this.name}": writing a block failed: ${(err as Error).message}`);
    }
  }

  private async writeBlock(block: SealedBlock): Promise<void> {
    const { storage } = this.ctx;
    const bytes = block.parquet;
    if (bytes === null) throw new Error('internal: writing a block without bytes');
    if (block.firstRowSeq !== this.durableRowCount) throw new Error(`internal: block at row ${block.firstRowSeq} written out of order (durable: ${this.durableRowCount})`);
    const name = blockFileName(block.firstRowSeq);
    await writeFileAtomic(storage, join(this.dir, name), bytes);
    block.file = name;
    const entry = manifestBlockOf(block, this.schemaCrc);
    try {
      // The full list is built only for a snapshot: a plain append costs one record.
      await this.manifest.add(entry, () => [...this.durable, entry]);
    } catch (err) {
      block.file = null; // not listed, so not durable: it will be written again
      throw err;
    }
    this.durable.push(entry);
    // The bytes now live in the file; drop them so memory stays bounded by a few blocks.
    if (this.settings.useDiskStorage) block.parquet = null;
    if (this.wal !== null) await this.wal.retireThrough(this.durableRowCount);
  }

  /**
   * The Parquet bytes of a sealed block, from memory or from its file (size checked).
   * `fromFile` says the caller must verify the checksum (the scan worker does, in parallel).
   */
  async blockBytes(block: SealedBlock, verify = true): Promise<{ bytes: Uint8Array; fromFile: boolean }> {
    const inMemory = block.parquet;
    if (inMemory !== null) return { bytes: inMemory, fromFile: false };
    if (block.file === null) throw new Error(`internal: block ${block.id} has no bytes`);
    const path = join(this.dir, block.file);
    let bytes: Uint8Array;
    try {
      bytes = await this.ctx.storage.readFile(path);
    } catch (err) {
      throw new Error(`table "${this.name}": block file ${path} cannot be read: ${(err as Error).message}`);
    }
    if (bytes.byteLength !== block.sizeBytes) throw new Error(`table "${this.name}": block file ${path} is damaged: ${bytes.byteLength} bytes, the manifest says ${block.sizeBytes}`);
    if (verify && crc32(bytes) !== block.checksum) throw new Error(`table "${this.name}": block file ${path} is damaged: checksum mismatch`);
    return { bytes, fromFile: true };
  }

  /**
   * Read column chunks of a block file: for each chosen row group, the given columns.
   * Adjacent chunks are read with one call. Returns chunks[g][c] and their expected CRC32s.
   */
  async readChunks(block: SealedBlock, rowGroups: readonly number[], columns: readonly number[]): Promise<{ chunks: Uint8Array[][]; crcs: number[][]; rowCounts: number[] }> {
    const layout = block.layout;
    if (layout === null || block.file === null) throw new Error(`internal: block ${block.id} has no file layout`);
    const path = join(this.dir, block.file);
    const out = await Promise.all(rowGroups.map(async (g) => {
      const group = layout.rowGroups[g];
      if (group === undefined) throw new Error(`table "${this.name}": block file ${path}: no row group ${g}`);
      const ranges = columns.map((c) => group.chunks[c]);
      // Coalesce runs of adjacent chunks into single reads.
      const order = columns.map((_, i) => i).sort((a, b) => ranges[a][0] - ranges[b][0]);
      const parts: Uint8Array[] = new Array<Uint8Array>(columns.length);
      let i = 0;
      while (i < order.length) {
        let j = i;
        while (j + 1 < order.length && ranges[order[j + 1]][0] === ranges[order[j]][1]) j++;
        const start = ranges[order[i]][0];
        const end = ranges[order[j]][1];
        let bytes: Uint8Array;
        try {
          bytes = await this.ctx.storage.readRange(path, start, end - start);
        } catch (err) {
          throw new Error(`table "${this.name}": block file ${path} cannot be read: ${(err as Error).message}`);
        }
        for (let k = i; k <= j; k++) { const [s, e] = ranges[order[k]]; parts[order[k]] = bytes.subarray(s - start, e - start); }
        i = j + 1;
      }
      return { parts, crcs: ranges.map((r) => r[2]), rows: group.rowCount };
    }));
    return { chunks: out.map((o) => o.parts), crcs: out.map((o) => o.crcs), rowCounts: out.map((o) => o.rows) };
  }

  // ---- closing -----------------------------------------------------------------------

  /** Seal the active block, write every block and the manifest, retire the WAL. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.captureTimer !== null) { clearTimeout(this.captureTimer); this.captureTimer = null; }
    try {
      this.capture();
      this.core.seal();
      await this.core.flush();
      await this.persistEncoded();
      if (this.durableRowCount !== this.core.rowCount) throw new Error(`table "${this.name}": ${this.core.rowCount - this.durableRowCount} rows could not be written`);
      await this.settingsChain.catch(() => undefined);
      await writeTableMeta(this.ctx.storage, this.dir, { schema: this.schema, settings: this.settings });
      if (this.wal !== null) {
        await this.wal.sync();
        await this.wal.retireThrough(this.durableRowCount);
      }
    } finally {
      this.closed = true;
      await this.wal?.close().catch(() => undefined);
      this.wal = null;
    }
  }

  /** Stop timers and writers without writing anything (after a failure). */
  abandon(): void {
    this.closed = true;
    if (this.captureTimer !== null) { clearTimeout(this.captureTimer); this.captureTimer = null; }
    this.wal?.close().catch(() => undefined);
    this.wal = null;
  }

  get persistError(): Error | null { return this.lastPersistError; }
}
