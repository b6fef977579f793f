// The plain-JS oracle the property tests check the engine against: one schema with every
// type, edge values, and comparison as JavaScript defines it.
import type { CompareOp } from 'backtracedb';

export const propSchema = {
  name: 'prop',
  timeColumn: 't',
  columns: [
    { name: 'sym', type: 'string' },
    { name: 't', type: 'int64' },
    { name: 'big', type: 'int64' },
    { name: 'x', type: 'float64' },
    { name: 'ok', type: 'bool' },
  ],
} as const;

export interface PropRow { sym: string; t: bigint; big: bigint; x: number; ok: boolean }
export type Value = bigint | number | string | boolean;
export const OPS: CompareOp[] = ['==', '!=', '>', '>=', '<', '<='];
export const STRINGS = ['', 'a', 'b', 'ü', '日本', '🙂', 'Z', 'aa'];
export const BIGS = [0n, -1n, 1n, 2n ** 53n + 1n, -(2n ** 53n) - 3n, 2n ** 63n - 1n, -(2n ** 63n), 123456789012345678n];
export const FLOATS = [0, -0, 1.5, -2.25, 1e300, -1e-300, 42, 7];

export function compare(op: CompareOp, a: Value, b: Value): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
  }
}
