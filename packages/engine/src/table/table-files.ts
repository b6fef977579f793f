// What the files of a table directory are: the current manifest, listed blocks, the engine's
// own temp files and superseded manifests (safe to remove), the one block that may have been
// in flight when the writer stopped, and everything else (never touched, only named).
import { join } from 'node:path';
import type { Storage } from '../storage/storage.js';
import { LEGACY_MANIFEST_FILE, parseAnyBlockFileName, parseBlockFileName, parseDerivedBlockFileName, parseManifestFileName, TABLE_FILE, TEMP_SUFFIX, WAL_DIR } from './layout.js';
import { parseManifestLog, type ManifestTail } from './manifest-log.js';
import { decodeLegacyManifest, type Manifest } from './manifest.js';
import type { ManifestWriterState } from './manifest-writer.js';

export interface LoadedManifest {
  readonly manifest: Manifest;
  /** The file it was read from (a generation file, or manifest.json for format 1). */
  readonly file: string;
  readonly tail: ManifestTail | null;
  readonly writer: ManifestWriterState;
}

/** The newest manifest generation file among `names`, or null when there is none. */
export function newestManifestFile(names: readonly string[]): { file: string; generation: number } | null {
  let best: { file: string; generation: number } | null = null;
  for (const file of names) {
    const generation = parseManifestFileName(file);
    if (generation !== null && (best === null || generation > best.generation)) best = { file, generation };
  }
  return best;
}

/** The current manifest, or null when the directory has none. */
export async function loadManifest(storage: Storage, dir: string, names?: readonly string[]): Promise<LoadedManifest | null> {
  const entries = names ?? await storage.list(dir);
  const newest = newestManifestFile(entries);
  if (newest !== null) {
    const { file, generation } = newest;
    const path = join(dir, file);
    const parsed = parseManifestLog(await storage.readFile(path), path);
    return {
      manifest: parsed.manifest, file, tail: parsed.tail,
      // After a torn tail the next write starts a new generation rather than append after it.
      writer: { generation, sizeBytes: parsed.validBytes, snapshotBytes: parsed.snapshotBytes, needSnapshot: parsed.tail !== null },
    };
  }
  if (!entries.includes(LEGACY_MANIFEST_FILE)) return null;
  const path = join(dir, LEGACY_MANIFEST_FILE);
  return {
    manifest: decodeLegacyManifest(await storage.readFile(path), path), file: LEGACY_MANIFEST_FILE, tail: null,
    writer: { generation: 0, sizeBytes: 0, snapshotBytes: 0, needSnapshot: true },
  };
}

export interface DirAudit {
  /** Engine temp files and superseded manifests: removable, nothing refers to them. */
  readonly leftovers: string[];
  /**
   * Block files at or past the manifest's end: writes the manifest never recorded (a group of
   * blocks is written before one manifest record lists them all), in name order.
   */
  readonly inFlight: string[];
  /** Block files that are not listed and not the one in flight: maybe data, never removed. */
  readonly unlistedBlocks: string[];
  /** Anything else (the user's files): never touched. */
  readonly unexpected: string[];
}

/** Is `name` an exact temp name the engine itself writes (see writeFileAtomic)? */
function isEngineTemp(name: string): boolean {
  if (!name.endsWith(TEMP_SUFFIX)) return false;
  const base = name.slice(0, -TEMP_SUFFIX.length);
  return base === TABLE_FILE || base === LEGACY_MANIFEST_FILE || parseManifestFileName(base) !== null || parseAnyBlockFileName(base) !== null;
}

export function auditTableDir(names: readonly string[], loaded: LoadedManifest | null): DirAudit {
  const listed = new Set(loaded?.manifest.blocks.map((b) => b.file) ?? []);
  const current = loaded === null ? null : loaded.file;
  const currentGen = current === null ? null : parseManifestFileName(current);
  const end = loaded?.manifest.durableRowCount ?? 0;
  // Blocks a durable manifest replaced (removal deferred, or cut short by a crash).
  const superseded = new Set(loaded?.manifest.removed ?? []);
  const out = { leftovers: [] as string[], inFlight: [] as string[], unlistedBlocks: [] as string[], unexpected: [] as string[] };
  for (const name of names) {
    if (name === TABLE_FILE || name === WAL_DIR || name === current || listed.has(name)) continue;
    const gen = parseManifestFileName(name);
    if (isEngineTemp(name)) out.leftovers.push(name);
    else if (gen !== null && currentGen !== null && gen < currentGen) out.leftovers.push(name);
    else if (name === LEGACY_MANIFEST_FILE && currentGen !== null) out.leftovers.push(name);
    else if (loaded !== null && (superseded.has(name) || parseDerivedBlockFileName(name) !== null)) out.leftovers.push(name);
    else if (parseBlockFileName(name) !== null) {
      if (loaded !== null && (parseBlockFileName(name) ?? -1) >= end) out.inFlight.push(name);
      else out.unlistedBlocks.push(name);
    } else out.unexpected.push(name);
  }
  out.inFlight.sort();
  return out;
}

