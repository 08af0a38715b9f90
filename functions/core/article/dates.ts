/** A moment as wirefeed keeps it: the instant, and whether the source gave only a day. */
export interface When {
  /** RFC 3339 in UTC, without milliseconds: 2020-01-08T00:00:00Z. */
  iso: string;
  /** The source gave YYYY-MM-DD only: pages show the day, not a made-up time. */
  dateOnly: boolean;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

export const DATE_HINT = 'must be a date such as 2020-01-08 or 2020-01-08T14:30:00Z (a time needs a zone: Z or +01:00)';

/** Parse RFC 3339 or YYYY-MM-DD strictly: 2020-02-30 and zone-less times are refused, not guessed. */
export function parseWhen(value: string): When | undefined {
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly) {
    const [, y, m, d] = dateOnly;
    const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
    if (!sameDay(ms, Number(y), Number(m), Number(d))) return undefined;
    return { iso: toIso(ms), dateOnly: true };
  }
  const full = DATE_TIME.exec(value);
  if (!full) return undefined;
  const [, y, m, d, hh, mm, ss] = full;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59) return undefined;
  if (!sameDay(Date.UTC(Number(y), Number(m) - 1, Number(d)), Number(y), Number(m), Number(d))) return undefined;
  const ms = Date.parse(value.replace(' ', 'T'));
  if (Number.isNaN(ms)) return undefined;
  return { iso: toIso(ms), dateOnly: false };
}

/** The value has the form of a date or a zoned time (it may still name a day that does not exist). */
export function looksLikeWhen(value: string): boolean {
  return DATE_ONLY.test(value) || DATE_TIME.test(value);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Why a value of the right form names no real moment, in an editor's words: "there is no 2026-02-30
 * (February 2026 has 28 days)". Undefined when the value is a real moment or not of the form at all.
 */
export function noSuchMoment(value: string): string | undefined {
  const parts = DATE_ONLY.exec(value) ?? DATE_TIME.exec(value);
  if (!parts || parseWhen(value) !== undefined) return undefined;
  const [, y = '', m = '', d = '', hh, mm, ss, , zone] = parts;
  const year = Number(y);
  const month = Number(m);
  if (month < 1 || month > 12) return `there is no ${y}-${m}-${d} (month ${m} does not exist: months go from 01 to 12)`;
  const days = daysIn(year, month);
  if (Number(d) < 1 || Number(d) > days) return `there is no ${y}-${m}-${d} (${MONTHS[month - 1]} ${y} has ${days} days)`;
  if (hh !== undefined && (Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59)) {
    return `there is no ${hh}:${mm}${ss === undefined ? '' : `:${ss}`} in a day (hours go up to 23, minutes and seconds up to 59)`;
  }
  return `there is no such moment as ${value}${zone && zone.length > 1 ? ` (check the zone ${zone})` : ''}`;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The stored times' format (ISO 8601 to the second, UTC): strings of it compare as the times they name. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sameDay(ms: number, y: number, m: number, d: number): boolean {
  const date = new Date(ms);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
