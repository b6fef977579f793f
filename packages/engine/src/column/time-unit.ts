// Times of a table with a timeUnit: Date / ISO-8601 text → integer time units, duration text
// ('1m') → units, units → ISO-8601 text. All exact, in bigint: a value that does not fit the
// unit exactly is refused, never rounded. Errors start with `where` (the table and column).
import type { ResolvedSchema, TimeUnit } from '../schema/schema.js';
import { INT64_MAX, INT64_MIN, isInt64 } from './int64.js';

/** Units per second, and nanoseconds per unit. */
export const UNITS_PER_SECOND: Readonly<Record<TimeUnit, bigint>> = { s: 1n, ms: 1_000n, us: 1_000_000n, ns: 1_000_000_000n };
const NS_PER_UNIT: Readonly<Record<TimeUnit, bigint>> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n };
/** Digits after the seconds a unit shows. */
const FRACTION_DIGITS: Readonly<Record<TimeUnit, number>> = { s: 0, ms: 3, us: 6, ns: 9 };
/** ISO text is bounded before it is parsed. */
export const MAX_TIME_TEXT_LENGTH = 64;

const NS_PER_DAY = 86_400n * 1_000_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The inverse: [year, month, day] of a day number. */
function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

// YYYY-MM-DD (or ±YYYYYY-MM-DD, as formatIsoTime writes far years), then optionally T (or a space) HH:MM[:SS[.fraction]], then optionally Z or ±HH[:MM].
const ISO = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function exactUnits(ns: bigint, unit: TimeUnit, where: string, what: string): bigint {
  const per = NS_PER_UNIT[unit];
  if (ns % per !== 0n) throw new Error(`${where}: ${what} is finer than the table's time unit '${unit}'`);
  const v = ns / per;
  if (!isInt64(v)) throw new Error(`${where}: ${what} lies outside the int64 range of '${unit}' times`);
  return v;
}

/**
 * ISO-8601 text → time units. Without a zone the time is UTC (a table's times are instants,
 * not wall-clock times); a date alone is its midnight UTC.
 */
export function parseIsoTime(text: string, unit: TimeUnit, where: string): bigint {
  const shown = JSON.stringify(text.length > MAX_TIME_TEXT_LENGTH ? `${text.slice(0, MAX_TIME_TEXT_LENGTH)}…` : text);
  const m = text.length <= MAX_TIME_TEXT_LENGTH ? ISO.exec(text.trim()) : null;
  if (m === null) throw new Error(`${where}: ${shown} is not an ISO-8601 time (expected e.g. 2024-01-31T12:00:00Z)`);
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => (m[i] === undefined ? 0 : Number(m[i])));
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    throw new Error(`${where}: ${shown} is not a valid date and time`);
  }
  let offsetMin = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) throw new Error(`${where}: ${shown} has an invalid zone offset`);
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  const seconds = BigInt(daysFromCivil(y, mo, d)) * 86_400n + BigInt(h * 3600 + mi * 60 + s - offsetMin * 60);
  return exactUnits(seconds * 1_000_000_000n + fraction, unit, where, shown);
}

/** A Date → time units (its milliseconds must fit the unit exactly). */
export function dateToUnits(date: Date, unit: TimeUnit, where: string): bigint {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new Error(`${where}: the Date is invalid (NaN)`);
  return exactUnits(BigInt(ms) * 1_000_000n, unit, where, `the Date ${date.toISOString()}`);
}

/** A Date or ISO text → time units; anything else is returned as is (for the caller to check). */
export function timeInputToUnits(v: unknown, unit: TimeUnit, where: string): unknown {
  if (v instanceof Date) return dateToUnits(v, unit, where);
  if (typeof v === 'string') return parseIsoTime(v, unit, where);
  return v;
}

const DURATION = /^(\d{1,19})(ns|us|ms|s|m|h|d)$/;
const DURATION_NS: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: NS_PER_DAY,
};

/** '90s', '1m', '4h', '1d', '250ms' → time units (> 0, a whole number of units). */
export function parseDuration(text: string, unit: TimeUnit, where: string): bigint {
  const m = text.length <= MAX_TIME_TEXT_LENGTH ? DURATION.exec(text) : null;
  const shown = JSON.stringify(text.slice(0, MAX_TIME_TEXT_LENGTH));
  if (m === null) throw new Error(`${where}: ${shown} is not a duration (an integer followed by ns, us, ms, s, m, h or d, e.g. '1m')`);
  const ns = BigInt(m[1]) * DURATION_NS[m[2]];
  if (ns === 0n) throw new Error(`${where}: duration ${shown} must be > 0`);
  return exactUnits(ns, unit, where, `duration ${shown}`);
}

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, '0');
}

/** Time units → ISO-8601 text in UTC, with the unit's precision: 2024-01-31T12:00:00.000Z for 'ms'. */
export function formatIsoTime(v: bigint, unit: TimeUnit): string {
  const ns = v * NS_PER_UNIT[unit];
  let days = ns / NS_PER_DAY;
  let rest = ns % NS_PER_DAY;
  if (rest < 0n) { rest += NS_PER_DAY; days -= 1n; }
  const [y, mo, d] = civilFromDays(Number(days));
  const secOfDay = Number(rest / 1_000_000_000n);
  const year = y >= 0 && y <= 9999 ? pad(y, 4) : `${y < 0 ? '-' : '+'}${pad(Math.abs(y), 6)}`;
  const digits = FRACTION_DIGITS[unit];
  const fraction = digits === 0 ? '' : `.${pad(rest % 1_000_000_000n, 9).slice(0, digits)}`;
  return `${year}-${pad(mo, 2)}-${pad(d, 2)}T${pad(Math.floor(secOfDay / 3600), 2)}:${pad(Math.floor(secOfDay / 60) % 60, 2)}:${pad(secOfDay % 60, 2)}${fraction}Z`;
}

/**
 * A filter value for `column`: on the time column of a table with a timeUnit, a Date or ISO
 * text becomes time units; a Date (or non-ISO text on an int64 time column) on a table without
 * a timeUnit is refused. Any other value is returned unchanged for the predicate to check.
 */
export function timeFilterValue(schema: Pick<ResolvedSchema, 'name' | 'timeColumn' | 'timeUnit'>, column: unknown, value: unknown): unknown {
  if (column !== schema.timeColumn || !(value instanceof Date || typeof value === 'string')) return value;
  const where = `table "${schema.name}", column "${schema.timeColumn}"`;
  if (schema.timeUnit === null) {
    throw new Error(`${where}: a ${value instanceof Date ? 'Date' : 'string'} filter value needs a timeUnit on the table (its times are plain int64: give a bigint)`);
  }
  return timeInputToUnits(value, schema.timeUnit, where);
}

/**
 * Block files store a 's' table's times as milliseconds (Parquet has no seconds unit), so its
 * times must stay within int64 / 1000: the reason for the refusal, or null when `t` fits.
 */
export function timeRangeProblem(unit: TimeUnit | null, t: bigint): string | null {
  if (unit !== 's' || (t <= INT64_MAX / 1000n && t >= INT64_MIN / 1000n)) return null;
  return `time ${t} is out of range: a table with timeUnit 's' holds times within ±${INT64_MAX / 1000n} seconds (block files store milliseconds)`;
}
