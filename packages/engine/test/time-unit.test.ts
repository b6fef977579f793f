// Time-unit conversions: ISO text and Dates to units exactly (checked against Date for every
// instant a Date can hold, including pre-1970 ones), durations, and formatting back.
import { describe, expect, it } from 'vitest';
import { dateToUnits, formatIsoTime, parseDuration, parseIsoTime, UNITS_PER_SECOND } from '../src/column/time-unit.js';
import { seededRandom } from '../src/util/seeded-random.js';
import type { TimeUnit } from '../src/schema/schema.js';

const W = 'table "t", column "ts"';
const UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns'];

describe('ISO-8601 and Dates to time units', () => {
  it('agrees with Date on random instants from 1900 to 2200 (negative times too), in every unit', () => {
    const rand = seededRandom(14);
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor((rand() * 300 - 70) * 365.25 * 86_400_000);
      const d = new Date(ms);
      const iso = d.toISOString();
      expect(parseIsoTime(iso, 'ms', W)).toBe(BigInt(ms));
      expect(dateToUnits(d, 'ns', W)).toBe(BigInt(ms) * 1_000_000n);
      expect(formatIsoTime(BigInt(ms), 'ms')).toBe(iso);
      const s = BigInt(Math.floor(ms / 1000));
      const whole = new Date(Number(s) * 1000);
      for (const u of UNITS) {
        const v = s * UNITS_PER_SECOND[u];
        expect(parseIsoTime(whole.toISOString(), u, W)).toBe(v);
        expect(dateToUnits(whole, u, W)).toBe(v);
        expect(parseIsoTime(formatIsoTime(v, u), u, W)).toBe(v);
      }
    }
  });

  it('keeps nanoseconds exactly, and reads zones, date-only and space-separated forms', () => {
    expect(parseIsoTime('1970-01-01T00:00:00.000000001Z', 'ns', W)).toBe(1n);
    expect(parseIsoTime('1969-12-31T23:59:59.999999999Z', 'ns', W)).toBe(-1n);
    expect(formatIsoTime(-1n, 'ns')).toBe('1969-12-31T23:59:59.999999999Z');
    expect(parseIsoTime('2024-01-01', 's', W)).toBe(1_704_067_200n);
    expect(parseIsoTime('2024-01-01 00:00:00', 's', W)).toBe(1_704_067_200n);
    expect(parseIsoTime('2024-01-01T01:30:00+01:30', 's', W)).toBe(1_704_067_200n);
    expect(parseIsoTime('2023-12-31T19:00-0500', 'ms', W)).toBe(1_704_067_200_000n);
    expect(parseIsoTime('2024-02-29T12:00:00.5Z', 'ms', W)).toBe(1_709_208_000_500n);
    expect(formatIsoTime(1_704_067_200n, 's')).toBe('2024-01-01T00:00:00Z');
    expect(formatIsoTime(1_704_067_200_000_001n, 'us')).toBe('2024-01-01T00:00:00.000001Z');
  });

  it('formats and reads back far years', () => {
    const v = -(2n ** 63n) / 1000n;
    const text = formatIsoTime(v, 'ms');
    expect(text.startsWith('-')).toBe(true);
    expect(formatIsoTime(0n, 's')).toBe('1970-01-01T00:00:00Z');
    expect(parseIsoTime('+010000-01-01T00:00:00Z', 's', W)).toBe(BigInt(Date.UTC(10000, 0, 1) / 1000));
  });

  it('refuses text that is not a valid time, finer than the unit, or out of range, naming where', () => {
    for (const bad of ['', 'yesterday', '2024-13-01', '2023-02-29', '2024-01-01T24:00:00Z', '2024-01-01T00:60Z', '2024-01-01T00:00:00+25:00', '1704067200', 'x'.repeat(200)]) {
      expect(() => parseIsoTime(bad, 'ms', W)).toThrow(/table "t", column "ts": .*(not an ISO-8601 time|not a valid date|invalid zone)/);
    }
    expect(() => parseIsoTime('2024-01-01T00:00:00.5Z', 's', W)).toThrow(/finer than the table's time unit 's'/);
    expect(() => parseIsoTime('2024-01-01T00:00:00.0000001Z', 'us', W)).toThrow(/finer/);
    expect(() => parseIsoTime('2300-01-01T00:00:00Z', 'ns', W)).toThrow(/outside the int64 range/);
    expect(() => dateToUnits(new Date(Number.NaN), 'ms', W)).toThrow(/table "t", column "ts": the Date is invalid/);
    expect(() => dateToUnits(new Date(1500), 's', W)).toThrow(/finer/);
  });
});

describe('duration strings', () => {
  it('convert exactly to each unit', () => {
    expect(parseDuration('1m', 'ms', W)).toBe(60_000n);
    expect(parseDuration('1m', 's', W)).toBe(60n);
    expect(parseDuration('4h', 'us', W)).toBe(14_400_000_000n);
    expect(parseDuration('1d', 'ns', W)).toBe(86_400_000_000_000n);
    expect(parseDuration('250ms', 'us', W)).toBe(250_000n);
    expect(parseDuration('3000ms', 's', W)).toBe(3n);
    expect(parseDuration('7ns', 'ns', W)).toBe(7n);
    expect(parseDuration('90s', 's', W)).toBe(90n);
  });

  it('refuse bad text, zero and fractions of a unit', () => {
    for (const bad of ['', 'm', '1', '1.5m', '-1m', '1 m', '1M', '1w', '1mo', '99999999999999999999s']) {
      expect(() => parseDuration(bad, 'ms', W)).toThrow(/table "t", column "ts": .*not a duration/);
    }
    expect(() => parseDuration('0s', 'ms', W)).toThrow(/must be > 0/);
    expect(() => parseDuration('500ms', 's', W)).toThrow(/finer than the table's time unit 's'/);
    expect(() => parseDuration('1us', 'ms', W)).toThrow(/finer/);
    expect(() => parseDuration('9999999999999999999d', 'ns', W)).toThrow(/outside the int64 range/);
  });
});
