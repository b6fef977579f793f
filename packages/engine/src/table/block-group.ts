// Sealed blocks are written in groups: the encoded blocks next in line, their files written and
// fsynced in parallel, then one directory fsync. TableStore then lists them all in one manifest
// record (docs/storage.md, "Sealing a block, in order").
import { join } from 'node:path';
import type { SealedBlock } from '../block/sealed-block.js';
import { writeFileSynced } from '../storage/atomic.js';
import type { Storage } from '../storage/storage.js';
import { blockFileName } from './layout.js';

/** Blocks written by one manifest commit at most (files written in parallel, bytes held). */
export const MAX_BLOCKS_PER_COMMIT = 16;

/** The encoded, unwritten blocks next in line, in order; stops at the first not yet encoded. */
export function nextBlockGroup(sealed: readonly SealedBlock[]): SealedBlock[] {
  const out: SealedBlock[] = [];
  for (const block of sealed) {
    if (block.file !== null) continue;
    if (block.parquet === null || block.zoneMap === null) break; // not encoded yet: its own turn comes
    if (block.replaces != null) break; // written with the rest of its own group (reopen-tail.ts)
    out.push(block);
    if (out.length === MAX_BLOCKS_PER_COMMIT) break;
  }
  return out;
}

/**
 * Write each block's file under its own name (write, fsync) and fsync the directory once; then
 * name the files on the blocks. `durableRowCount`: where the manifest ends (blocks must follow it, in order).
 */
export async function writeBlockFiles(storage: Storage, dir: string, group: readonly SealedBlock[], durableRowCount: number): Promise<void> {
  let next = durableRowCount;
  for (const block of group) {
    if (block.firstRowSeq < next) throw new Error(`internal: block at row ${block.firstRowSeq} written out of order (durable: ${next})`);
    next = block.firstRowSeq + block.rowCount;
  }
  await Promise.all(group.map((block) => writeFileSynced(storage, join(dir, blockFileName(block.firstRowSeq)), bytesOf(block))));
  await storage.syncDir(dir);
  for (const block of group) block.file = blockFileName(block.firstRowSeq);
}

function bytesOf(block: SealedBlock): Uint8Array {
  if (block.parquet === null) throw new Error(`internal: writing block ${block.id} without its bytes`);
  return block.parquet;
}
