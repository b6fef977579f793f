// An in-memory Storage for tests that models power loss and injects faults.
//  - File contents: a write changes the current content; sync() makes it durable.
//  - Directory entries (create, rename, link, remove): current until syncDir(parent) makes them durable.
//  - crash() throws away everything not durable and invalidates open handles.
//  - crashAtOp(n): the n-th mutating call from now throws SimulatedCrash, and so does every call
//    after it until crash() is called (the machine is "off").
//  - failNext(op, code): the next call of `op` rejects with that errno code and has no effect.
// Directories themselves are modelled as durable once created (mkdirp fsyncs parents in the
// real storage, see node-storage.ts).
import { dirname, basename } from 'node:path';
import { errorWithCode, type FileHandle, type Storage } from './storage.js';

export class SimulatedCrash extends Error {
  constructor(op: string) {
    super(`simulated crash at ${op}`);
    this.name = 'SimulatedCrash';
  }
}

export type FaultOp = 'open' | 'write' | 'sync' | 'truncate' | 'rename' | 'link' | 'remove' | 'syncDir' | 'read' | 'list' | 'mkdirp';

interface Inode { data: Uint8Array; size: number; synced: Uint8Array }
interface Dir { current: Map<string, Inode>; durable: Map<string, Inode> }

export class FaultyStorage implements Storage {
  private dirs = new Map<string, Dir>();
  private generation = 0;
  private crashed = false;
  private crashAt: number | null = null;
  private faults: Array<{ op: FaultOp; code: string; pathIncludes: string }> = [];
  /** Mutating operations performed so far. */
  opCount = 0;

  crashAtOp(n: number): void { this.crashAt = n; }
  /** The next `op` (on a path containing `pathIncludes`, if given) rejects with `code`. */
  failNext(op: FaultOp, code: 'ENOSPC' | 'EIO', pathIncludes = ''): void { this.faults.push({ op, code, pathIncludes }); }
  clearFaults(): void { this.faults = []; this.crashAt = null; }
  get isCrashed(): boolean { return this.crashed; }

  /** Power loss: keep only what was made durable; the machine is back on afterwards. */
  crash(): void {
    for (const dir of this.dirs.values()) {
      dir.current = new Map(dir.durable);
      for (const inode of dir.current.values()) {
        inode.data = inode.synced.slice();
        inode.size = inode.synced.byteLength;
      }
    }
    this.generation++;
    this.crashed = false;
    this.crashAt = null;
  }

  /** Every gate a call passes: the machine must be on, and faults fire here. */
  private gate(op: FaultOp, mutating: boolean, path = ''): void {
    if (this.crashed) throw new SimulatedCrash(`${op} (after the crash)`);
    if (mutating) {
      this.opCount++;
      if (this.crashAt !== null && this.opCount >= this.crashAt) {
        this.crashed = true;
        throw new SimulatedCrash(op);
      }
    }
    const i = this.faults.findIndex((f) => f.op === op && path.includes(f.pathIncludes));
    if (i >= 0) {
      const { code } = this.faults.splice(i, 1)[0];
      throw errorWithCode(`${code}: injected fault on ${op}`, code);
    }
  }

  private dir(path: string, create = false): Dir | undefined {
    let d = this.dirs.get(path);
    if (d === undefined && create) {
      d = { current: new Map(), durable: new Map() };
      this.dirs.set(path, d);
    }
    return d;
  }

  private lookup(path: string): Inode | undefined {
    return this.dirs.get(dirname(path))?.current.get(basename(path));
  }

  async mkdirp(dir: string): Promise<void> {
    this.gate('mkdirp', true);
    for (let p = dir; !this.dirs.has(p); p = dirname(p)) {
      this.dir(p, true);
      if (dirname(p) === p) break;
    }
  }

  async openWrite(path: string, opts: { create: boolean; exclusive?: boolean }): Promise<FileHandle> {
    const parent = this.dir(dirname(path));
    const existing = this.lookup(path);
    this.gate('open', opts.create && existing === undefined, path);
    if (parent === undefined) throw errorWithCode(`ENOENT: no directory ${dirname(path)}`, 'ENOENT');
    if (existing !== undefined && opts.exclusive === true) throw errorWithCode(`EEXIST: ${path}`, 'EEXIST');
    let inode = existing;
    if (inode === undefined) {
      if (!opts.create) throw errorWithCode(`ENOENT: ${path}`, 'ENOENT');
      inode = { data: new Uint8Array(64), size: 0, synced: new Uint8Array(0) };
      parent.current.set(basename(path), inode);
    }
    return this.handle(path, inode);
  }

  private handle(path: string, inode: Inode): FileHandle {
    const gen = this.generation;
    const live = (op: FaultOp): void => {
      if (gen !== this.generation) throw new SimulatedCrash(`${op} on a handle from before the crash`);
    };
    return {
      path,
      write: async (data, positionBytes) => {
        live('write');
        this.gate('write', true, path);
        const end = positionBytes + data.byteLength;
        if (end > inode.data.byteLength) {
          const grown = new Uint8Array(Math.max(end, inode.data.byteLength * 2));
          grown.set(inode.data.subarray(0, inode.size));
          inode.data = grown;
        }
        inode.data.set(data, positionBytes);
        inode.size = Math.max(inode.size, end);
      },
      sync: async () => {
        live('sync');
        this.gate('sync', true, path);
        inode.synced = inode.data.slice(0, inode.size);
      },
      truncate: async (sizeBytes) => {
        live('truncate');
        this.gate('truncate', true);
        if (sizeBytes < inode.size) inode.data.fill(0, sizeBytes, inode.size);
        else if (sizeBytes > inode.data.byteLength) {
          const grown = new Uint8Array(sizeBytes);
          grown.set(inode.data.subarray(0, inode.size));
          inode.data = grown;
        }
        inode.size = sizeBytes;
      },
      close: async () => undefined,
    };
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.gate('read', false);
    const inode = this.lookup(path);
    if (inode === undefined) throw errorWithCode(`ENOENT: ${path}`, 'ENOENT');
    return inode.data.slice(0, inode.size);
  }

  async readRange(path: string, offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    this.gate('read', false);
    const inode = this.lookup(path);
    if (inode === undefined) throw errorWithCode(`ENOENT: ${path}`, 'ENOENT');
    if (offsetBytes + lengthBytes > inode.size) throw new Error(`${path} ends before byte ${offsetBytes + lengthBytes}`);
    return inode.data.slice(offsetBytes, offsetBytes + lengthBytes);
  }

  async sizeOf(path: string): Promise<number | null> {
    this.gate('read', false);
    return this.lookup(path)?.size ?? null;
  }

  async list(dir: string): Promise<string[]> {
    this.gate('list', false);
    const names = new Set<string>(this.dirs.get(dir)?.current.keys() ?? []);
    for (const p of this.dirs.keys()) if (p !== dir && dirname(p) === dir) names.add(basename(p));
    return [...names].sort();
  }

  async rename(from: string, to: string): Promise<void> {
    this.gate('rename', true, from);
    const inode = this.lookup(from);
    if (inode === undefined) throw errorWithCode(`ENOENT: ${from}`, 'ENOENT');
    this.dirs.get(dirname(from))?.current.delete(basename(from));
    const target = this.dir(dirname(to));
    if (target === undefined) throw errorWithCode(`ENOENT: no directory ${dirname(to)}`, 'ENOENT');
    target.current.set(basename(to), inode);
  }

  async link(existing: string, newPath: string): Promise<void> {
    this.gate('link', true, newPath);
    const inode = this.lookup(existing);
    if (inode === undefined) throw errorWithCode(`ENOENT: ${existing}`, 'ENOENT');
    if (this.lookup(newPath) !== undefined) throw errorWithCode(`EEXIST: ${newPath}`, 'EEXIST');
    const target = this.dir(dirname(newPath));
    if (target === undefined) throw errorWithCode(`ENOENT: no directory ${dirname(newPath)}`, 'ENOENT');
    target.current.set(basename(newPath), inode);
  }

  /** The model has no symlinks: every path is canonical. */
  async realpath(path: string): Promise<string> {
    this.gate('read', false);
    return path;
  }

  async remove(path: string): Promise<void> {
    this.gate('remove', true, path);
    this.dirs.get(dirname(path))?.current.delete(basename(path));
    for (const p of [...this.dirs.keys()]) if (p === path || p.startsWith(`${path}/`)) this.dirs.delete(p);
  }

  async syncDir(dir: string): Promise<void> {
    this.gate('syncDir', true, dir);
    const d = this.dirs.get(dir);
    if (d !== undefined) d.durable = new Map(d.current);
  }
}
