// Typed rows: an `as const` schema types append, appendBatch, filter, select and the rows
// readers yield. The @ts-expect-error lines are compile errors: `pnpm test` type-checks this
// file (tsc -p test) before vitest runs it, so a loosened type fails the build.
import { describe, expectTypeOf, it } from 'vitest';
import type { Database, Reader, Table } from 'backtracedb';

const schema = {
  name: 'trades',
  timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'int64' },
    { name: 'symbol', type: 'string' },
    { name: 'price', type: 'float64' },
    { name: 'buy', type: 'bool' },
  ],
} as const;

type Trades = Table<typeof schema>;
interface TradeRow { ts: bigint; symbol: string; price: number; buy: boolean }

// Compile-time checks only: these functions are never called.
export function appendChecks(t: Trades): void {
  t.append({ ts: 1n, symbol: 'BTC', price: 1.5, buy: true });
  t.append({ ts: 1, symbol: 'BTC', price: 1.5, buy: true }); // int64 as a safe-integer number
  // @ts-expect-error a wrong column name
  t.append({ ts: 1n, sym: 'BTC', price: 1.5, buy: true });
  // @ts-expect-error a missing column
  t.append({ ts: 1n, price: 1.5, buy: true });
  // @ts-expect-error a string where a number belongs
  t.append({ ts: 1n, symbol: 'BTC', price: '1.5', buy: true });
  // @ts-expect-error a bigint for a float64 column
  t.append({ ts: 1n, symbol: 'BTC', price: 1n, buy: true });
  t.appendBatch({ ts: new BigInt64Array(1), symbol: ['a'], price: new Float64Array(1), buy: [true] });
  // @ts-expect-error a Float64Array for an int64 column
  t.appendBatch({ ts: new Float64Array(1), symbol: ['a'], price: new Float64Array(1), buy: [true] });
}

export function readerChecks(t: Trades): void {
  t.reader().filter('price', '>', 20000).filter('ts', '>=', 5n).filter('ts', '<', 10).filter('symbol', '==', 'BTC');
  // @ts-expect-error an unknown column
  t.reader().filter('nope', '==', 1);
  // @ts-expect-error a string value for a float64 column
  t.reader().filter('price', '>', '20000');
  // @ts-expect-error an unknown operator
  t.reader().filter('price', '=~', 1);
  // @ts-expect-error selecting an unknown column
  t.reader().select(['ts', 'nope']);
}

describe('typed rows', () => {
  it('rows, projections and tables carry the schema types', () => {
    expectTypeOf<Awaited<ReturnType<Reader<TradeRow>['toArray']>>>().toEqualTypeOf<TradeRow[]>();
    expectTypeOf<Awaited<ReturnType<ReturnType<Trades['reader']>['toArray']>>>().toEqualTypeOf<Array<{ ts: bigint; symbol: string; price: number; buy: boolean }>>();
    expectTypeOf<Awaited<ReturnType<ReturnType<ReturnType<Trades['reader']>['select']>['toArray']>>>().toMatchTypeOf<Array<Partial<TradeRow>>>();
    type Selected = Awaited<ReturnType<Reader<Pick<TradeRow, 'ts' | 'price'>>['toArray']>>[number];
    expectTypeOf<Selected>().toEqualTypeOf<{ ts: bigint; price: number }>();
    expectTypeOf<Database['createTable']>().toBeFunction();
  });
});
