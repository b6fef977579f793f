// Tables with a timeUnit: Arrow out as Timestamp(unit) (rows, batches, aggregates, latest) and
// back in through appendArrow; filters on the time column taking Dates and ISO-8601 text equal
// to the same bigint filters (random times, pre-1970 too); duration strings in aggregate; and
// every refusal named. Without a timeUnit nothing changes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { open, openInWorker } from 'backtracedb';
import { seededRandom } from 'backtracedb/sample-data';
import { formatIsoTime, type TimeUnit } from '@backtracedb/engine';

const root = mkdtempSync(join(tmpdir(), 'btdb-tsq-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const UNITS = ['s', 'ms', 'us', 'ns'] as const;
const PER_SECOND: Record<TimeUnit, bigint> = { s: 1n, ms: 1_000n, us: 1_000_000n, ns: 1_000_000_000n };
const ARROW_UNIT: Record<TimeUnit, arrow.TimeUnit> = { s: arrow.TimeUnit.SECOND, ms: arrow.TimeUnit.MILLISECOND, us: arrow.TimeUnit.MICROSECOND, ns: arrow.TimeUnit.NANOSECOND };
const schemaOf = (unit: TimeUnit | null, name = 'q') => ({
  name, timeColumn: 'ts', ...(unit === null ? {} : { timeUnit: unit }),
  columns: [{ name: 'ts', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'v', type: 'int64' }],
} as const);

/** Sorted random times from 1900 to 2200 in `unit`, a few exactly on whole seconds. */
function randomTimes(unit: TimeUnit, n: number, seed: number): bigint[] {
  const next = seededRandom(seed);
  const per = PER_SECOND[unit];
  const out = Array.from({ length: n }, (_, i) => BigInt(Math.floor((next() * 300 - 70) * 31_557_600)) * per + (i % 5 === 0 ? 0n : BigInt(Math.floor(next() * Number(per)))));
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function tableWith(unit: TimeUnit | null, ts: readonly bigint[], dir: string) {
  const db = await open(join(root, dir), { poolSize: 1 });
  const t = await db.createTable(schemaOf(unit), { maxBlockSize: 150, rowGroupRows: 40 });
  t.appendBatch({ ts: [...ts], sym: ts.map((_, i) => ['A', 'B', 'C'][i % 3]), v: ts.map((_, i) => BigInt(i)) });
  return { db, t };
}

describe.each(UNITS)("timeUnit '%s'", (unit) => {
  it('filters on the time column take Dates and ISO text, equal to the bigint filters', async () => {
    const ts = randomTimes(unit, 400, PER_SECOND[unit].toString().length);
    const { db, t } = await tableWith(unit, ts, `f-${unit}`);
    const next = seededRandom(99);
    const ops = ['==', '!=', '<', '<=', '>', '>='] as const;
    for (let k = 0; k < 40; k++) {
      const op = ops[k % ops.length];
      // Often an existing time (so == and the bounds hit), else a fresh one.
      const at = k % 2 === 0 ? ts[Math.floor(next() * ts.length)] : randomTimes(unit, 1, k)[0];
      const want = await t.reader().filter('ts', op, at).toArray();
      expect(await t.reader().filter('ts', op, formatIsoTime(at, unit)).toArray(), `${op} ${at}`).toEqual(want);
      const whole = (at / PER_SECOND[unit]) * PER_SECOND[unit]; // Dates hold whole milliseconds: test on whole seconds
      expect(await t.reader().filter('ts', op, new Date(Number(whole / PER_SECOND[unit]) * 1000)).count()).toBe(await t.reader().filter('ts', op, whole).count());
    }
    await db.close();
  });

  it('toArrow and batches give Timestamp(unit) in UTC with the same values; appendArrow takes them back', async () => {
    const ts = randomTimes(unit, 300, 3);
    const { db, t } = await tableWith(unit, ts, `a-${unit}`);
    const table = await t.reader().toArrow();
    const type = table.schema.fields[0].type as arrow.Timestamp;
    expect(arrow.DataType.isTimestamp(type)).toBe(true);
    expect([type.unit, type.timezone]).toEqual([ARROW_UNIT[unit], 'UTC']);
    expect(String(table.schema.fields[2].type)).toBe('Int64');
    const values = table.getChild('ts')!.data.flatMap((d) => [...(d.values as BigInt64Array).subarray(d.offset, d.offset + d.length)]);
    expect(values).toEqual(ts);
    for await (const b of t.reader().filter('v', '<', 10n).batches()) expect(arrow.DataType.isTimestamp(b.schema.fields[0].type)).toBe(true);
    expect(arrow.DataType.isTimestamp((await t.reader().filter('v', '<', 0n).toArrow()).schema.fields[0].type)).toBe(true);
    expect(String((await t.reader().select(['v']).toArrow()).schema.fields[0].type)).toBe('Int64');

    const t2 = await db.createTable(schemaOf(unit, 'copy'));
    expect(t2.appendArrow(table)).toBe(ts.length);
    expect(await t2.reader().toArray()).toEqual(await t.reader().toArray());
    // Int64 still goes in.
    expect(t2.appendArrow(arrow.tableFromArrays({ ts: BigInt64Array.from([ts[ts.length - 1]]), sym: ['Z'], v: BigInt64Array.from([1n]) }))).toBe(1);
    // Another unit is refused, and the table is unchanged.
    const other = unit === 'ms' ? 'us' : 'ms';
    const wrong = new arrow.Table({
      ts: arrow.makeVector(arrow.makeData({ type: new arrow.Timestamp(ARROW_UNIT[other]), length: 1, data: BigInt64Array.from([ts[ts.length - 1]]) })),
      sym: arrow.vectorFromArray(['Z']), v: arrow.makeVector(BigInt64Array.from([1n])),
    });
    expect(() => t2.appendArrow(wrong)).toThrow(new RegExp(`table "copy", column "ts": got an Arrow Timestamp<\\w+> column, the table's timeUnit is '${unit}'`));
    expect(t2.rowCount).toBe(ts.length + 1);
    await db.close();
  });

  it('aggregate: every and origin as duration / ISO text equal the bigint forms; buckets and latest are Timestamp in Arrow', async () => {
    const ts = randomTimes(unit, 500, 11);
    const { db, t } = await tableWith(unit, ts, `g-${unit}`);
    const values = { n: ['count'], last: ['last', 'v'] } as const;
    for (const [text, units] of [['1m', 60n], ['4h', 14_400n], ['1d', 86_400n], ['90s', 90n]] as const) {
      const origin = '1999-12-31T23:30:00Z';
      const originUnits = 946_683_000n * PER_SECOND[unit];
      const want = await t.reader().aggregate({ every: units * PER_SECOND[unit], origin: originUnits, by: 'sym', values }).toArray();
      expect(await t.reader().aggregate({ every: text, origin, by: 'sym', values }).toArray()).toEqual(want);
      expect(await t.reader().aggregate({ every: text, origin: new Date(origin), by: 'sym', values }).toArray()).toEqual(want);
    }
    const arrowAgg = await t.reader().aggregate({ every: '1d', values }).toArrow();
    expect(String(arrowAgg.schema.fields[0].type)).toBe(`Timestamp<${['SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND'][UNITS.indexOf(unit)]}, UTC>`);
    expect(String(arrowAgg.schema.fields.find((f) => f.name === 'last')!.type)).toBe('Int64');
    const aggRows = await t.reader().aggregate({ every: '1d', values }).toArray();
    expect(arrowAgg.getChild('ts')!.toArray()).toEqual(BigInt64Array.from(aggRows.map((r) => r.ts as bigint)));
    // A value output named like the time column is a value, not a timestamp.
    expect(String((await t.reader().aggregate({ values: { ts: ['max', 'v'] } }).toArrow()).schema.fields[0].type)).toBe('Int64');
    expect(arrow.DataType.isTimestamp((await t.reader().latest('sym').toArrow()).schema.fields[0].type)).toBe(true);
    if (unit !== 's') expect(await t.reader().aggregate({ every: '1500ms', values }).toArray()).toEqual(await t.reader().aggregate({ every: 1_500n * PER_SECOND[unit] / 1000n, values }).toArray());
    else expect(() => t.reader().aggregate({ every: '1500ms', values })).toThrow(/table "q", column "ts": aggregate every: duration "1500ms" is finer than the table's time unit 's'/);
    await db.close();
  });
});

describe('refusals', () => {
  it('name the table and column; a table without timeUnit refuses Dates, ISO text and durations; other columns are unchanged', async () => {
    const { db, t } = await tableWith('ms', [0n, 1n], 'err');
    expect(() => t.reader().filter('ts', '>=', 'last tuesday')).toThrow(/table "q", column "ts": "last tuesday" is not an ISO-8601 time/);
    expect(() => t.reader().filter('ts', '>=', '2024-02-30')).toThrow(/table "q", column "ts": "2024-02-30" is not a valid date/);
    expect(() => t.reader().filter('ts', '>=', new Date(Number.NaN))).toThrow(/table "q", column "ts": the Date is invalid/);
    expect(() => t.reader().filter('ts', '<', '2024-01-01T00:00:00.0001Z')).toThrow(/finer than the table's time unit 'ms'/);
    expect(() => t.reader().filter('v', '>=', new Date(0) as never)).toThrow(/table "q", column "v": filter value does not fit/);
    expect(await t.reader().filter('sym', '==', 'A').count()).toBe(1);
    expect(() => t.reader().aggregate({ every: '1 minute', values: { n: ['count'] } })).toThrow(/table "q", column "ts": aggregate every: "1 minute" is not a duration/);
    expect(() => t.reader().aggregate({ every: '0s', values: { n: ['count'] } })).toThrow(/must be > 0/);
    expect(() => t.reader().aggregate({ every: new Date(60_000) as never, values: { n: ['count'] } })).toThrow(/table "q": aggregate every must be a bigint or a safe integer \(or with a timeUnit a duration such as '1m'\)/);
    expect(() => t.reader().aggregate({ every: '1m', origin: 'noon', values: { n: ['count'] } })).toThrow(/table "q", column "ts": aggregate origin: "noon" is not an ISO-8601 time/);
    const plain = await db.createTable(schemaOf(null, 'plain'));
    plain.append({ ts: 5n, sym: 'A', v: 1n });
    expect(() => plain.reader().filter('ts', '>=', new Date(0))).toThrow(/table "plain", column "ts": a Date filter value needs a timeUnit/);
    expect(() => plain.reader().filter('ts', '>=', '2024-01-01')).toThrow(/table "plain", column "ts": a string filter value needs a timeUnit/);
    expect(() => plain.reader().aggregate({ every: '1m', values: { n: ['count'] } })).toThrow(/table "plain", column "ts": aggregate every "1m": duration strings need a timeUnit/);
    expect(() => plain.reader().aggregate({ every: 10n, origin: new Date(0), values: { n: ['count'] } })).toThrow(/table "plain", column "ts": aggregate origin Date: ISO-8601 text and Dates need a timeUnit/);
    expect(String((await plain.reader().toArrow()).schema.fields[0].type)).toBe('Int64');
    expect(() => plain.appendArrow(new arrow.Table({
      ts: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMillisecond(), length: 1, data: BigInt64Array.from([9n]) })),
      sym: arrow.vectorFromArray(['Z']), v: arrow.makeVector(BigInt64Array.from([1n])),
    }))).toThrow(/table "plain", column "ts": got an Arrow Timestamp<MILLISECOND> column, but the table has no timeUnit/);
    expect(plain.rowCount).toBe(1);
    await db.close();
  });

  it("a 's' table refuses times that do not fit as milliseconds, and changes nothing", async () => {
    const { db, t } = await tableWith('s', [0n], 'range');
    const tooBig = 2n ** 63n / 1000n + 1n;
    expect(() => t.append({ ts: tooBig, sym: 'A', v: 0n })).toThrow(/table "q", column "ts": time \d+ is out of range: a table with timeUnit 's' holds times within/);
    expect(() => t.appendBatch({ ts: [1n, tooBig], sym: ['A', 'B'], v: [0n, 0n] })).toThrow(/row 1: time/);
    expect(t.rowCount).toBe(1);
    await db.close();
  });
});

it('openInWorker: Date / ISO filters and duration strings work across the boundary', async () => {
  const db = await openInWorker(join(root, 'remote'), { poolSize: 1 });
  const t = await db.createTable(schemaOf('ms'));
  await t.appendBatch({ ts: [0n, 60_000n, 120_000n], sym: ['A', 'B', 'C'], v: [1n, 2n, 3n] });
  expect(await t.reader().filter('ts', '>=', new Date(60_000)).count()).toBe(2);
  expect(await t.reader().filter('ts', '<', '1970-01-01T00:01:00Z').count()).toBe(1);
  expect((await t.reader().aggregate({ every: '2m', values: { n: ['count'] } }).toArray()).map((r) => r.n)).toEqual([2, 1]);
  expect(arrow.DataType.isTimestamp((await t.reader().toArrow()).schema.fields[0].type)).toBe(true);
  expect(arrow.DataType.isTimestamp((await t.reader().aggregate({ every: '2m', values: { n: ['count'] } }).toArrow()).schema.fields[0].type)).toBe(true);
  expect(await t.exportParquet(join(root, 'remote.parquet'), { filters: [['ts', '>=', new Date(60_000)], ['ts', '<', '1970-01-01T00:02:00Z']] })).toBe(1);
  await db.close();
});
