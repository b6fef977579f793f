// A WAL batch payload (format: batch-codec.ts, docs/wal.md) checked once and described where
// it lies, without copying a column: the offset of each column's bytes, string dictionaries
// decoded and their codes. decodeBatch turns a layout into arrays; WAL replay copies it
// straight into an active block (writePayloadRows), with no string per row and one copy.
import type { ColumnType } from '../schema/schema.js';
import { copyBytes } from '../util/copy-bytes.js';

export type PayloadColumn =
  | { readonly type: 'int64' | 'float64' | 'bool'; /** byte offset of the values in `bytes` */ readonly at: number }
  | { readonly type: 'string'; readonly dict: readonly string[]; /** byte offset of the codes: per row a little-endian u32 index into `dict` */ readonly at: number };

export interface PayloadLayout {
  readonly rowCount: number;
  readonly bytes: Uint8Array;
  readonly columns: readonly PayloadColumn[];
  /** Per column, the byte offset of its validity bytes (0/1); null where the column is not
   *  nullable or every row has a value. null: no column has a null. */
  readonly valid: ReadonlyArray<number | null> | null;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function need(ok: boolean, what: string): void {
  if (!ok) throw new Error(`WAL payload is malformed: ${what}`);
}

/** `n` little-endian u32 at `at`: a view when aligned (and the machine little-endian), else a copy. */
export function codesOf(bytes: Uint8Array, at: number, n: number): Uint32Array {
  if (LITTLE_ENDIAN && (bytes.byteOffset + at) % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset + at, n);
  if (LITTLE_ENDIAN) return new Uint32Array(bytes.slice(at, at + 4 * n).buffer); // a byte copy is aligned
  const out = new Uint32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + at, 4 * n);
  for (let i = 0; i < n; i++) out[i] = dv.getUint32(4 * i, true);
  return out;
}

/** Codes (u32) a misaligned run is staged through, piece by piece: reused, so no fresh pages. */
const SCRATCH_CODES = 16 * 1024;
let scratch: Uint32Array | null = null;

/**
 * The largest of `n` little-endian u32 codes at `at`: read in place when aligned, else through
 * a reused aligned scratch (a byte-wise loop over 100k misaligned codes took ~0.2 ms of a
 * read-only open; a fresh aligned copy would cost its page faults). Functions of their own:
 * hot after a few records.
 */
function maxCode(bytes: Uint8Array, at: number, n: number): number {
  if (!LITTLE_ENDIAN || (bytes.byteOffset + at) % 4 === 0) return maxOf(codesOf(bytes, at, n), n); // a view (or a big-endian copy)
  scratch ??= new Uint32Array(SCRATCH_CODES);
  const staged = new Uint8Array(scratch.buffer);
  let max = 0;
  for (let done = 0; done < n; done += SCRATCH_CODES) {
    const len = Math.min(SCRATCH_CODES, n - done);
    copyBytes(staged, 0, bytes.subarray(at + 4 * done, at + 4 * (done + len)));
    const m = maxOf(scratch, len);
    if (m > max) max = m;
  }
  return max;
}

/** The largest of the first `n` codes. */
function maxOf(codes: Uint32Array, n: number): number {
  let max = 0;
  for (let i = 0; i < n; i++) { const c = codes[i]; if (c > max) max = c; }
  return max;
}

/** Every byte of `bytes[at, at + n)` is 0 or 1; returns how many are 1. */
function countFlags(bytes: Uint8Array, at: number, n: number, what: string): number {
  let ones = 0;
  let bad = 0;
  for (let i = at; i < at + n; i++) { const b = bytes[i]; ones += b; bad |= b; }
  need((bad & ~1) === 0, what);
  return ones;
}

/**
 * Check a payload of `rowCount` rows of `types` (with `nullable`: the validity of those
 * columns follows, a type 2 record) and describe it. Throws "WAL payload is malformed: …" on
 * anything out of place, before any row is used.
 */
export function parsePayload(types: readonly ColumnType[], rowCount: number, bytes: Uint8Array, nullable: readonly boolean[] | null = null): PayloadLayout {
  const n = rowCount;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const columns = types.map((t): PayloadColumn => {
    switch (t) {
      case 'int64': case 'float64': {
        need(at + 8 * n <= bytes.byteLength, 'numeric column overruns the payload');
        at += 8 * n;
        return { type: t, at: at - 8 * n };
      }
      case 'bool': {
        need(at + n <= bytes.byteLength, 'bool column overruns the payload');
        countFlags(bytes, at, n, 'bool value other than 0/1');
        at += n;
        return { type: t, at: at - n };
      }
      case 'string': {
        need(at + 4 <= bytes.byteLength, 'string dictionary size missing');
        const count = dv.getUint32(at, true);
        at += 4;
        need(count <= n, 'string dictionary larger than the batch');
        const dict = new Array<string>(count);
        for (let d = 0; d < count; d++) {
          need(at + 4 <= bytes.byteLength, 'string length missing');
          const len = dv.getUint32(at, true);
          need(at + 4 + len <= bytes.byteLength, 'string overruns the payload');
          dict[d] = decoder.decode(bytes.subarray(at + 4, at + 4 + len));
          at += 4 + len;
        }
        need(at + 4 * n <= bytes.byteLength, 'string codes overrun the payload');
        need(n === 0 || maxCode(bytes, at, n) < count, 'string code outside the dictionary');
        at += 4 * n;
        return { type: t, dict, at: at - 4 * n };
      }
    }
  });
  let valid: Array<number | null> | null = null;
  if (nullable !== null) {
    valid = nullable.map((isNullable) => {
      if (!isNullable) return null;
      need(at + n <= bytes.byteLength, 'validity overruns the payload');
      const present = countFlags(bytes, at, n, 'validity byte other than 0/1');
      at += n;
      return present === n ? null : at - n;
    });
    if (valid.every((v) => v === null)) valid = null;
  }
  need(at === bytes.byteLength, 'trailing bytes after the last column');
  return { rowCount: n, bytes, columns, valid };
}
