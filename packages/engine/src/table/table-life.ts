// A table's life after its rows are written: deleteBefore, retention and compact. Each one
// builds the new blocks first (read in the pool, encoded by the encoder threads, written under
// a name no listed block has), then swaps them in with one new manifest generation
// (TableStore.replaceBlocks), then deletes the old files once the readers that may read them
// have finished. A crash before the swap leaves the old manifest and unlisted derived files
// (leftovers); after it, the new manifest and files it lists as removed (leftovers too).
import { join } from 'node:path';
import { newActiveBlock, writeBatch } from '../block/active-block.js';
import { frozenViewsOf, type EncodedBlock, type EncodeTask, type SealedBlock } from '../block/sealed-block.js';
import { pickRows, type NormalizedBatch } from '../column/values.js';
import { schemaToJson } from '../schema/schema.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { derivedBlockFileName } from './layout.js';
import type { BlockEncoder } from './table-blocks.js';
import type { TableStore } from './table-store.js';

/** Every row of a sealed block, in order (the API reads it through its scan pool). */
export type BlockRowsReader = (block: SealedBlock) => Promise<NormalizedBatch>;

/** How long to wait for an encoder to load before giving up on a lifecycle encode. */
const ENCODER_WAIT_LIMIT_MS = 30_000;

function encodeOnce(encoder: BlockEncoder, task: EncodeTask): Promise<EncodedBlock> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + ENCODER_WAIT_LIMIT_MS;
    const attempt = (): void => {
      if (encoder.submit(task, (r) => (r instanceof Error ? reject(r) : resolve(r)))) return;
      let encoded: EncodedBlock | null;
      try {
        encoded = encoder.encodeInline(task);
      } catch (err) {
        reject(err as Error);
        return;
      }
      if (encoded !== null) resolve(encoded);
      else if (performance.now() > deadline) reject(new Error('no encoder could take the block'));
      else setTimeout(attempt, 10);
    };
    attempt();
  });
}

/** Several batches' rows, one batch after another, as one batch. */
export function concatBatches(batches: readonly NormalizedBatch[]): NormalizedBatch {
  if (batches.length === 1) return batches[0];
  const rowCount = batches.reduce((n, b) => n + b.rowCount, 0);
  const columns = batches[0].columns.map((first, c) => {
    if (Array.isArray(first)) return batches.flatMap((b) => b.columns[c] as string[]);
    const Ctor = first.constructor as { new(n: number): BigInt64Array | Float64Array | Uint8Array };
    const out = new Ctor(rowCount);
    let at = 0;
    for (const b of batches) { const v = b.columns[c] as typeof out; (out as Uint8Array).set(v as Uint8Array, at); at += v.length; }
    return out;
  });
  if (batches.every((b) => b.valid === undefined)) return { rowCount, columns };
  // Validity goes with the rows: a column null in no batch stays null (all present).
  const valid = columns.map((_, c) => {
    if (batches.every((b) => (b.valid?.[c] ?? null) === null)) return null;
    const out = new Uint8Array(rowCount).fill(1);
    let at = 0;
    for (const b of batches) { const v = b.valid?.[c] ?? null; if (v !== null) out.set(v.subarray(0, b.rowCount), at); at += b.rowCount; }
    return out;
  });
  return { rowCount, columns, valid };
}

/** The rows of `batch` whose time is at or after `cutoff`. */
export function rowsFrom(batch: NormalizedBatch, timeIndex: number, cutoff: bigint): NormalizedBatch {
  const times = batch.columns[timeIndex] as BigInt64Array;
  const keep: number[] = [];
  for (let i = 0; i < batch.rowCount; i++) if (times[i] >= cutoff) keep.push(i);
  return pickRows(batch, keep);
}

/**
 * Encode `rows` in the encoder threads and write them as a block covering row sequence
 * numbers [firstRowSeq, endRowSeq), under a derived name (the plain one may be listed).
 */
export async function writeDerivedBlock(store: TableStore, rows: NormalizedBatch, firstRowSeq: number, endRowSeq: number): Promise<SealedBlock> {
  const { schema, settings } = store;
  const raw = newActiveBlock(schema, firstRowSeq, rows.rowCount);
  writeBatch(raw, rows, 0, rows.rowCount);
  const task: EncodeTask = {
    kind: 'encode', schema: schemaToJson(schema), rowCount: rows.rowCount, columns: frozenViewsOf(raw, rows.rowCount),
    rowGroupRows: settings.rowGroupRows, sharedOutput: !settings.useDiskStorage, compression: settings.compression,
  };
  const encoded = await encodeOnce(store.ctx.encoder, task);
  const file = derivedBlockFileName(firstRowSeq, store.manifestWriter.generation + 1);
  await writeFileAtomic(store.ctx.storage, join(store.dir, file), encoded.parquet);
  const times = rows.columns[schema.timeIndex] as BigInt64Array;
  let minTime = times[0];
  let maxTime = times[0];
  for (const t of times) { if (t < minTime) minTime = t; if (t > maxTime) maxTime = t; }
  return {
    id: store.blocks.takeBlockId(), firstRowSeq, rowCount: rows.rowCount, endRowSeq, minTime, maxTime,
    raw: null, zoneMap: encoded.zoneMap, rowGroups: encoded.rowGroups, parquet: settings.useDiskStorage ? null : encoded.parquet,
    file, sizeBytes: encoded.parquet.byteLength, checksum: encoded.checksum, layout: encoded.layout,
  };
}

export function endOf(b: SealedBlock): number {
  return b.endRowSeq ?? b.firstRowSeq + b.rowCount;
}

/** Seal the active block and write every sealed block and the manifest (memory storage too). */
export async function writeEverything(store: TableStore, sealActive: boolean): Promise<void> {
  if (sealActive) store.blocks.seal();
  await store.blocks.waitUntilEncoded();
  await store.persistEncoded();
}
