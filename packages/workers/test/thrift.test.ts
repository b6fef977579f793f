// The thrift compact reader: every wire type it handles, against a writer built from the spec
// and against real Parquet footers; damaged input always ends in an Error, never a hang.
import { describe, expect, it } from 'vitest';
import { list, num, struct, text, ThriftReader, UnsupportedParquetError, type ThriftValue } from '../src/parquet/thrift.js';
import {
  CompactWriter, decoded, encodeStruct, footerBytes, int, projectBlock, rng, typedOf, wasmParquet, arrow, pq, type Typed,
} from './parquet-bytes.js';

const read = (bytes: Uint8Array, start = 0, end = bytes.length) => new ThriftReader(bytes, start, end).struct();
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const EVERY_TYPE: Array<[number, Typed]> = [
  [1, { t: 'bool', v: true }],
  [2, { t: 'bool', v: false }],
  [3, { t: 'i8', v: -128 }],
  [4, { t: 'i8', v: 127 }],
  [5, { t: 'i16', v: -32768 }],
  [6, { t: 'i16', v: 32767 }],
  [7, { t: 'i32', v: -(2 ** 31) }],
  [8, { t: 'i32', v: 2 ** 31 - 1 }],
  [9, { t: 'i64', v: INT64_MIN }],
  [10, { t: 'i64', v: INT64_MAX }],
  [11, { t: 'i64', v: -1n }],
  [12, { t: 'i64', v: 2n ** 53n + 1n }],
  [13, { t: 'double', v: NaN }],
  [14, { t: 'double', v: -0 }],
  [15, { t: 'double', v: -Infinity }],
  // Field-id jumps over 15 and back down take the long form (type byte + zigzag id).
  [40, { t: 'binary', v: '' }],
  [41, { t: 'binary', v: 'ü日本🙂' }],
  [42, { t: 'binary', v: Uint8Array.from([0, 255, 128, 1]) }],
  [32767, { t: 'list', elem: 'i32', v: [] }],
  [16, { t: 'list', elem: 'i32', v: Array.from({ length: 14 }, (_, i): Typed => ({ t: 'i32', v: i - 7 })) }],
  [17, { t: 'list', elem: 'i64', v: Array.from({ length: 15 }, (_, i): Typed => ({ t: 'i64', v: BigInt(i) * INT64_MIN / 15n })) }],
  [18, { t: 'set', elem: 'binary', v: Array.from({ length: 300 }, (_, i): Typed => ({ t: 'binary', v: `k${i}` })) }],
  [19, { t: 'list', elem: 'bool', v: [{ t: 'bool', v: true }, { t: 'bool', v: false }, { t: 'bool', v: true }] }],
  [20, { t: 'list', elem: 'bool', boolFalse: 0, v: [{ t: 'bool', v: false }, { t: 'bool', v: true }] }],
  [21, { t: 'list', elem: 'struct', v: [{ t: 'struct', v: [[1, { t: 'i32', v: 5 }], [2, { t: 'bool', v: true }]] }, { t: 'struct', v: [] }] }],
  [22, { t: 'list', elem: 'list', v: [{ t: 'list', elem: 'double', v: [{ t: 'double', v: 1.5 }] }, { t: 'list', elem: 'i8', v: [{ t: 'i8', v: -1 }] }] }],
  [23, { t: 'struct', v: [[1, { t: 'struct', v: [[3, { t: 'i16', v: -2 }]] }], [-5, { t: 'i32', v: 9 }], [0, { t: 'bool', v: false }]] }],
];

describe('ThriftReader', () => {
  it('reads every thrift type it handles (bool, i8, i16, i32, i64, double, binary, list, set, struct), with short and long field headers and list sizes', () => {
    const bytes = encodeStruct(EVERY_TYPE);
    const r = new ThriftReader(bytes, 0, bytes.length);
    expect(r.struct()).toEqual(decoded({ t: 'struct', v: EVERY_TYPE }));
    expect(r.pos).toBe(bytes.length);
  });

  it('bool list elements: element type 1 or 2, 1 is true and anything else false', () => {
    // field 1: list, 3 elements of type 2 (BOOLEAN_FALSE as element type), values 1, 2, 0.
    expect(read(Uint8Array.from([0x19, 0x32, 1, 2, 0, 0]))).toEqual(new Map([[1, [true, false, false]]]));
  });

  it('reads inside [start, end) of a larger buffer and stops at the stop byte', () => {
    const inner = encodeStruct(EVERY_TYPE);
    const buf = new Uint8Array(inner.length + 10).fill(0xff);
    buf.set(inner, 7);
    const r = new ThriftReader(buf, 7, 7 + inner.length);
    expect(r.struct()).toEqual(decoded({ t: 'struct', v: EVERY_TYPE }));
    expect(r.pos).toBe(7 + inner.length);
  });

  it('random typed structures round-trip', () => {
    const r = rng(51);
    const SCALARS = ['bool', 'i8', 'i16', 'i32', 'i64', 'double', 'binary'] as const;
    const scalar = (t: (typeof SCALARS)[number]): Typed => {
      switch (t) {
        case 'bool': return { t, v: r() < 0.5 };
        case 'i8': return { t, v: int(r, 256) - 128 };
        case 'i16': return { t, v: int(r, 65536) - 32768 };
        case 'i32': return { t, v: int(r, 2 ** 32) - 2 ** 31 };
        case 'i64': return { t, v: BigInt.asIntN(64, (BigInt(int(r, 2 ** 32)) << 32n) | BigInt(int(r, 2 ** 32))) };
        case 'double': return { t, v: (r() - 0.5) * 10 ** int(r, 300) };
        case 'binary': return { t, v: Uint8Array.from({ length: int(r, 40) }, () => int(r, 256)) };
      }
    };
    /** A value of the given kind: a scalar, a list/set of one element kind, or a struct. */
    const value = (depth: number, kind = int(r, 10)): Typed => {
      if (depth > 3 || kind < 6) return scalar(SCALARS[int(r, SCALARS.length)]);
      if (kind < 8) {
        const elemKind = int(r, 10);
        const first = value(depth + 1, elemKind);
        const items = [first];
        for (let i = int(r, 10); i > 0; i--) items.push(first.t === 'struct' || first.t === 'list' || first.t === 'set' ? value(depth + 1, elemKind) : scalar(first.t));
        const same = items.filter((x) => x.t === first.t);
        return { t: r() < 0.5 ? 'list' : 'set', elem: first.t, v: r() < 0.1 ? [] : same };
      }
      return structOf(depth + 1);
    };
    const structOf = (depth: number): Typed => {
      let id = int(r, 3) - 1;
      return { t: 'struct', v: Array.from({ length: int(r, 8) }, () => { id += r() < 0.2 ? 20 + int(r, 1000) : 1 + int(r, 3); return [id, value(depth)] as [number, Typed]; }) };
    };
    for (let round = 0; round < 60; round++) {
      const s = structOf(0) as { v: Array<[number, Typed]> };
      const bytes = encodeStruct(s.v);
      expect(read(bytes)).toEqual(decoded({ t: 'struct', v: s.v }));
    }
  });

  it('every truncation throws "truncated" (never a partial struct), even with the real bytes lying past `end`', () => {
    const bytes = encodeStruct(EVERY_TYPE);
    const wrong: string[] = [];
    for (let cut = 0; cut < bytes.length; cut++) {
      try { read(bytes, 0, cut); wrong.push(`cut at ${cut}: no error`); } catch (err) {
        if (!/truncated|impossible list size/.test(String(err))) wrong.push(`cut at ${cut}: ${String(err)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('random garbage ends in an Error or a struct within bounds (a hang would hit the test timeout)', () => {
    const r = rng(52);
    let errors = 0;
    const wrong: string[] = [];
    for (let round = 0; round < 3000; round++) {
      const bytes = Uint8Array.from({ length: int(r, 80) }, () => (r() < 0.3 ? pick3(r) : int(r, 256)));
      const reader = new ThriftReader(bytes, 0, bytes.length);
      try {
        reader.struct();
        if (reader.pos > bytes.length) wrong.push(`round ${round}: read past the end`);
      } catch (err) {
        if (!(err instanceof Error)) wrong.push(`round ${round}: threw ${String(err)}`);
        errors++;
      }
    }
    expect(wrong).toEqual([]);
    expect(errors).toBeGreaterThan(600);
  });

  it('rejects unknown types, oversized varints, impossible list sizes and deep struct nesting by name', () => {
    expect(() => read(Uint8Array.from([0x1b, 0, 0]))).toThrow(/unknown thrift type 11/); // map
    expect(() => read(Uint8Array.from([0x1d, 0]))).toThrow(/unknown thrift type 13/);
    expect(() => read(Uint8Array.from([0x10, 0]))).toThrow(/unknown thrift type 0/);
    expect(() => read(Uint8Array.from([0x15, ...Array(9).fill(0xff), 1, 0]))).toThrow(/oversized varint/);
    expect(() => read(Uint8Array.from([0x16, ...Array(12).fill(0xff), 1, 0]))).toThrow(/oversized varint/);
    expect(() => read(Uint8Array.from([0x19, 0xf5, 0xff, 0xff, 0xff, 0x0f, 0]))).toThrow(/impossible list size/);
    expect(() => read(Uint8Array.from([0x18, 0x80, 0x80, 0x80, 0x80, 0x08, 0]))).toThrow(/truncated/);
    const nest = (levels: number): Uint8Array => Uint8Array.from([...Array(levels).fill(0x1c), ...Array(levels + 1).fill(0)]);
    expect(read(nest(32)).size).toBe(1);
    expect(() => read(nest(33))).toThrow(/nested too deeply/);
    expect(() => read(nest(100_000))).toThrow(/nested too deeply/);
  });

  it('nested lists obey the depth limit (a damaged footer recursed until the stack overflowed)', () => {
    // field 1: a list holding a list holding a list ... (0x19 = one element of type list), 100 000 deep.
    const levels = 100_000;
    const bytes = Uint8Array.from([0x19, ...Array(levels).fill(0x19), 0x05, 0]);
    expect(() => read(bytes)).toThrow(/nested too deeply/);
  });
});

/** Bytes that are likely field headers or list headers, so garbage reaches deeper code. */
function pick3(r: () => number): number {
  return [0x19, 0x1c, 0x18, 0x16, 0x15, 0x11, 0x12, 0x00, 0xf9][int(r, 9)];
}

describe('field accessors', () => {
  const s = new Map<number, ThriftValue>([[1, 7], [2, 5n], [3, -1n], [4, 2n ** 53n], [5, new Map()], [6, [1, 2]], [7, new TextEncoder().encode('日本')], [8, true]]);
  it('num takes numbers and safe non-negative bigints, and names the field otherwise', () => {
    expect(num(s, 1)).toBe(7);
    expect(num(s, 2)).toBe(5);
    expect(() => num(s, 3)).toThrow(/field 3 is missing or not a number/);
    expect(() => num(s, 4)).toThrow(/field 4/);
    expect(() => num(s, 5)).toThrow(/field 5/);
    expect(() => num(s, 99)).toThrow(/field 99 is missing/);
  });
  it('struct, list and text check the type', () => {
    expect(struct(s, 5)).toBeInstanceOf(Map);
    expect(() => struct(s, 6)).toThrow(/field 6 is missing or not a struct/);
    expect(list(s, 6)).toEqual([1, 2]);
    expect(() => list(s, 5)).toThrow(/field 5 is missing or not a list/);
    expect(text(s.get(7))).toBe('日本');
    expect(() => text(s.get(8))).toThrow(/expected a string/);
    expect(() => text(undefined)).toThrow(/expected a string/);
  });
  it('UnsupportedParquetError says what is unsupported', () => {
    const e = new UnsupportedParquetError('data page v2');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('UnsupportedParquetError');
    expect(e.message).toBe('unsupported Parquet feature: data page v2');
  });
});

describe('real Parquet footers', () => {
  const table = arrow.tableFromArrays({ a: BigInt64Array.from([1n, -2n, 3n]), b: Float64Array.from([0.5, NaN, -0]), c: ['x', 'ü', ''] });
  const files: Array<[string, Uint8Array]> = [
    ['the project encoder', projectBlock(3000, 50, 1000, 1).bytes],
    ['parquet-wasm defaults', wasmParquet(table, (b) => b)],
    ['parquet-wasm v2, zstd, page statistics', wasmParquet(table, (b) => b.setWriterVersion(pq.WriterVersion.V2).setCompression(pq.Compression.ZSTD).setStatisticsEnabled(pq.EnabledStatistics.Page))],
  ];
  for (const [label, file] of files) {
    it(`${label}: the footer parses, re-encodes to the same length and values, and names its columns`, () => {
      const { start, end } = footerBytes(file);
      const reader = new ThriftReader(file, start, end);
      const meta = reader.struct();
      expect(reader.pos).toBe(end);
      // Re-encoded (numbers as i32, bigints as i64: an i16 field changes only its type nibble),
      // the footer has the writer's length and decodes to the same values.
      const again = encodeStruct((typedOf(meta) as { v: Array<[number, Typed]> }).v);
      expect(again.length).toBe(end - start);
      expect(read(again)).toEqual(meta);
      const names = (list(meta, 2) as Array<Map<number, ThriftValue>>).slice(1).map((el) => text(el.get(4)));
      expect(names.length).toBeGreaterThanOrEqual(3);
      expect(typeof num(meta, 3)).toBe('number');
    });
  }
  it('the created_by string set by the project encoder is read back', () => {
    const { start, end } = footerBytes(files[0][1]);
    expect(text(read(files[0][1], start, end).get(6))).toBe('backtracedb');
  });
  it('CompactWriter writes varints little-endian, 7 bits a byte', () => {
    const w = new CompactWriter();
    w.varint(300n);
    expect(Array.from(w.bytes())).toEqual([0xac, 0x02]);
  });
});
