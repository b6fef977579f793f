// Writes the manifest log of one table: one appended record per block, and a new generation
// (snapshot) when the log has grown past twice its snapshot or its end is in doubt.
import { join } from 'node:path';
import { schemaToJson, type ResolvedSchema, type TableSchema } from '../schema/schema.js';
import type { Storage } from '../storage/storage.js';
import { LEGACY_MANIFEST_FILE, manifestFileName } from './layout.js';
import { addRecord, beginRecord, encodeManifestRecord } from './manifest-log.js';
import { NO_END, type ManifestBlock, type ManifestEnd } from './manifest.js';

/** What a new generation holds: every block, and the end to record. */
export interface ManifestSnapshot {
  readonly blocks: readonly ManifestBlock[];
  readonly end: ManifestEnd;
}

/** Appended bytes allowed beyond twice the snapshot before a new generation is written. */
export const MANIFEST_SNAPSHOT_SLACK_BYTES = 16 * 1024;
/** Snapshot records are written in writes of about this size. */
const SNAPSHOT_WRITE_BYTES = 1024 * 1024;

export interface ManifestWriterState {
  /** Current generation; 0 when there is none yet (a format-1 table). */
  generation: number;
  /** Bytes of the current generation's readable records. */
  sizeBytes: number;
  snapshotBytes: number;
  /** The next write must start a new generation (format 1, a torn tail, a failed append). */
  needSnapshot: boolean;
}

export class ManifestWriter {
  private readonly schemaJson: TableSchema;

  constructor(private readonly storage: Storage, readonly dir: string, readonly table: string, schema: ResolvedSchema, private state: ManifestWriterState) {
    this.schemaJson = schemaToJson(schema);
  }

  /** The current generation (grows with every snapshot). */
  get generation(): number { return this.state.generation; }

  get path(): string { return join(this.dir, manifestFileName(this.state.generation)); }

  /**
   * Record more blocks, in one write and one fsync; `all` gives the full list including them,
   * and the end (for a snapshot). A torn write leaves a prefix of the records: the reader stops
   * at the first incomplete one, so the blocks listed are still a prefix, in order.
   */
  async add(blocks: readonly ManifestBlock[], all: () => ManifestSnapshot): Promise<void> {
    const recs = blocks.map((b) => encodeManifestRecord(addRecord(b)));
    const rec = new Uint8Array(recs.reduce((n, r) => n + r.byteLength, 0));
    recs.reduce((at, r) => { rec.set(r, at); return at + r.byteLength; }, 0);
    const s = this.state;
    if (s.needSnapshot || s.sizeBytes + rec.byteLength > 2 * s.snapshotBytes + MANIFEST_SNAPSHOT_SLACK_BYTES) {
      const snap = all();
      await this.snapshot(snap.blocks, snap.end);
      return;
    }
    try {
      const fh = await this.storage.openWrite(this.path, { create: false });
      try {
        await fh.write(rec, s.sizeBytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      // Part of the record may be in the file: never append after it, start afresh.
      s.needSnapshot = true;
      throw err;
    }
    s.sizeBytes += rec.byteLength;
  }

  /** Write generation+1 whole under a temp name, then give it its name: it counts from then on. */
  async snapshot(blocks: readonly ManifestBlock[], end: ManifestEnd = NO_END): Promise<void> {
    const s = this.state;
    // Until this one is complete, appending to generation g is wrong: g+1 may already have its name.
    s.needSnapshot = true;
    const generation = s.generation + 1;
    const path = join(this.dir, manifestFileName(generation));
    const tmp = `${path}.tmp`;
    let size = 0;
    const fh = await this.storage.openWrite(tmp, { create: true });
    try {
      await fh.truncate(0);
      let pending: Uint8Array[] = [encodeManifestRecord(beginRecord(this.table, this.schemaJson, blocks.length, end))];
      let pendingBytes = pending[0].byteLength;
      const flush = async (): Promise<void> => {
        const buf = new Uint8Array(pendingBytes);
        let at = 0;
        for (const p of pending) { buf.set(p, at); at += p.byteLength; }
        await fh.write(buf, size);
        size += pendingBytes;
        pending = [];
        pendingBytes = 0;
      };
      for (const b of blocks) {
        const rec = encodeManifestRecord(addRecord(b));
        pending.push(rec);
        pendingBytes += rec.byteLength;
        if (pendingBytes >= SNAPSHOT_WRITE_BYTES) await flush();
      }
      await flush();
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.storage.rename(tmp, path);
    await this.storage.syncDir(this.dir);
    const old = s.generation;
    this.state = { generation, sizeBytes: size, snapshotBytes: size, needSnapshot: false };
    // Superseded: the higher generation wins on open, so these removals need no fsync of their
    // own, and one that fails is only a leftover (removed on the next open), not a failed write.
    await this.storage.remove(join(this.dir, old > 0 ? manifestFileName(old) : LEGACY_MANIFEST_FILE)).catch(() => undefined);
  }
}
