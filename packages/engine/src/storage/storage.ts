// The storage seam: every file operation of the engine goes through this interface, so a
// test implementation can drop unsynced writes (power loss) or fail calls (ENOSPC, EIO).

export interface FileHandle {
  readonly path: string;
  /** Write all of `data` at `positionBytes`. */
  write(data: Uint8Array, positionBytes: number): Promise<void>;
  /** fsync: the file's data reaches stable storage. */
  sync(): Promise<void>;
  truncate(sizeBytes: number): Promise<void>;
  close(): Promise<void>;
}

export interface Storage {
  mkdirp(dir: string): Promise<void>;
  /** Open for writing; `exclusive` fails with code EEXIST when the file exists. */
  openWrite(path: string, opts: { create: boolean; exclusive?: boolean }): Promise<FileHandle>;
  /**
   * Whole file; rejects with code ENOENT when missing. With `into`, when the file fits, the
   * bytes may be read into its start (a reused buffer: no fresh pages to fault in).
   * `whileReading`, if the storage calls it, gets the file's size once the read has started
   * and before it ends: the caller's moment for work that does not need the bytes.
   */
  readFile(path: string, into?: Uint8Array, whileReading?: (sizeBytes: number) => void): Promise<Uint8Array>;
  /**
   * `lengthBytes` bytes at `offsetBytes`; rejects if the file is shorter. With `into` (at least
   * `lengthBytes` long) the bytes may be read into it (a reused buffer: no fresh pages to fault in).
   */
  readRange(path: string, offsetBytes: number, lengthBytes: number, into?: Uint8Array): Promise<Uint8Array>;
  /** Size in bytes, or null when missing. */
  sizeOf(path: string): Promise<number | null>;
  /** Entry names, sorted; [] when the directory is missing. */
  list(dir: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  /** A second name for `existing`; fails with code EEXIST when `newPath` exists (never replaces). */
  link(existing: string, newPath: string): Promise<void>;
  /** The canonical path: symlinks resolved. */
  realpath(path: string): Promise<string>;
  /** No error when missing. */
  remove(path: string): Promise<void>;
  /** fsync the directory, so creates, renames and removes in it survive power loss. */
  syncDir(dir: string): Promise<void>;
}

export function errorWithCode(message: string, code: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(message);
  err.code = code;
  return err;
}
