// Thrift compact protocol, read-only and generic: a struct becomes a Map from field id to
// value, which is all the Parquet footer and page headers need. Binary fields stay views.

export class UnsupportedParquetError extends Error {
  constructor(what: string) {
    super(`unsupported Parquet feature: ${what}`);
    this.name = 'UnsupportedParquetError';
  }
}

export type ThriftValue = number | bigint | boolean | Uint8Array | ThriftValue[] | ThriftStruct;
export type ThriftStruct = Map<number, ThriftValue>;

/** Nesting limit: a damaged footer must not recurse without bound. */
const MAX_DEPTH = 32;

export class ThriftReader {
  pos: number;
  constructor(readonly bytes: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new Error('Parquet metadata is truncated');
    return this.bytes[this.pos++];
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 49) throw new Error('Parquet metadata has an oversized varint');
    }
  }

  private varbig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('Parquet metadata has an oversized varint');
    }
  }

  private zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case 1: return true;
      case 2: return false;
      case 3: return (this.byte() << 24) >> 24;
      case 4: case 5: return this.zigzag();
      case 6: { const z = this.varbig(); return (z >> 1n) ^ -(z & 1n); }
      case 7: {
        if (this.pos + 8 > this.end) throw new Error('Parquet metadata is truncated');
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case 8: {
        const len = this.varint();
        if (this.pos + len > this.end) throw new Error('Parquet metadata is truncated');
        const v = this.bytes.subarray(this.pos, this.pos + len);
        this.pos += len;
        return v;
      }
      case 9: case 10: {
        if (depth > MAX_DEPTH) throw new Error('Parquet metadata is nested too deeply');
        const head = this.byte();
        let size = head >> 4;
        const elem = head & 0x0f;
        if (size === 15) size = this.varint();
        if (size > this.end - this.pos) throw new Error('Parquet metadata has an impossible list size');
        const out: ThriftValue[] = [];
        // Bools inside a list take a byte each (1 true, 2 false), unlike bool fields.
        for (let i = 0; i < size; i++) out.push(elem === 1 || elem === 2 ? this.byte() === 1 : this.value(elem, depth + 1));
        return out;
      }
      case 12: return this.struct(depth + 1);
      default: throw new Error(`Parquet metadata has an unknown thrift type ${type}`);
    }
  }

  struct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) throw new Error('Parquet metadata is nested too deeply');
    const out: ThriftStruct = new Map();
    let field = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0) return out;
      const delta = head >> 4;
      const type = head & 0x0f;
      field = delta === 0 ? this.zigzag() : field + delta;
      out.set(field, this.value(type, depth));
    }
  }
}

/** A non-negative safe integer field (counts, sizes, offsets, enums): anything else is damage. */
export function num(s: ThriftStruct, field: number): number {
  const v = s.get(field);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n) return Number(v);
  throw new Error(`Parquet metadata: field ${field} is missing or not a number`);
}

export function struct(s: ThriftStruct, field: number): ThriftStruct {
  const v = s.get(field);
  if (v instanceof Map) return v;
  throw new Error(`Parquet metadata: field ${field} is missing or not a struct`);
}

export function list(s: ThriftStruct, field: number): ThriftValue[] {
  const v = s.get(field);
  if (Array.isArray(v)) return v;
  throw new Error(`Parquet metadata: field ${field} is missing or not a list`);
}

export function text(v: ThriftValue | undefined): string {
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  throw new Error('Parquet metadata: expected a string');
}
