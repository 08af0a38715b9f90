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

export function toIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sameDay(ms: number, y: number, m: number, d: number): boolean {
  const date = new Date(ms);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
