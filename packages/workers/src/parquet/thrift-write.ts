// Thrift compact protocol, write side: just what the Parquet footer and page headers need
// (i32, i64, binary, bool, list, struct). A struct is written from its fields in ascending id
// order; `undefined` fields are left out.
export type ThriftOut =
  | { readonly t: 'i32'; readonly v: number }
  | { readonly t: 'i64'; readonly v: number }
  | { readonly t: 'bin'; readonly v: Uint8Array }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'list'; readonly elem: 'i32' | 'bin' | 'struct'; readonly v: readonly ThriftOut[] }
  | { readonly t: 'struct'; readonly v: ReadonlyArray<readonly [number, ThriftOut | undefined]> };

export const i32 = (v: number): ThriftOut => ({ t: 'i32', v });
export const i64 = (v: number): ThriftOut => ({ t: 'i64', v });
export const bool = (v: boolean): ThriftOut => ({ t: 'bool', v });
export const bin = (v: Uint8Array | string): ThriftOut => ({ t: 'bin', v: typeof v === 'string' ? new TextEncoder().encode(v) : v });
export const struct = (...fields: Array<readonly [number, ThriftOut | undefined]>): ThriftOut => ({ t: 'struct', v: fields });
export const list = (elem: 'i32' | 'bin' | 'struct', v: readonly ThriftOut[]): ThriftOut => ({ t: 'list', elem, v });

const TYPE: Readonly<Record<string, number>> = { i32: 5, i64: 6, bin: 8, list: 9, struct: 12 };

export class ThriftWriter {
  private buf = new Uint8Array(256);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private byte(b: number): void { this.ensure(1); this.buf[this.pos++] = b; }

  private varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`internal: thrift varint ${n}`);
    while (n >= 0x80) { this.byte((n % 0x80) | 0x80); n = Math.floor(n / 0x80); }
    this.byte(n);
  }

  /** Zigzag for the range Parquet metadata uses (non-negative sizes, small enums, safe integers). */
  private zigzag(n: number): void {
    if (!Number.isSafeInteger(n) || n < -(2 ** 52) || n > 2 ** 52) throw new Error(`internal: thrift integer ${n}`);
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private value(v: ThriftOut): void {
    switch (v.t) {
      case 'i32': case 'i64': this.zigzag(v.v); break;
      case 'bin': this.varint(v.v.byteLength); this.ensure(v.v.byteLength); this.buf.set(v.v, this.pos); this.pos += v.v.byteLength; break;
      case 'bool': this.byte(v.v ? 1 : 0); break;
      case 'list': {
        const n = v.v.length;
        const et = TYPE[v.elem];
        if (n < 15) this.byte((n << 4) | et); else { this.byte(0xf0 | et); this.varint(n); }
        for (const e of v.v) this.value(e);
        break;
      }
      case 'struct': this.fields(v.v); break;
    }
  }

  private fields(fields: ReadonlyArray<readonly [number, ThriftOut | undefined]>): void {
    let last = 0;
    for (const [id, f] of fields) {
      if (f === undefined) continue;
      if (id <= last) throw new Error('internal: thrift fields out of order');
      const type = f.t === 'bool' ? (f.v ? 1 : 2) : TYPE[f.t];
      const delta = id - last;
      if (delta <= 15) this.byte((delta << 4) | type); else { this.byte(type); this.zigzag(id); }
      if (f.t !== 'bool') this.value(f);
      last = id;
    }
    this.byte(0); // stop
  }

  /** The bytes of one top-level struct. */
  static encode(s: ThriftOut): Uint8Array {
    if (s.t !== 'struct') throw new Error('internal: thrift top level must be a struct');
    const w = new ThriftWriter();
    w.fields(s.v);
    return w.buf.slice(0, w.pos);
  }
}
