import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../../functions/core/article/article.ts';
import { looksLikeWhen, noSuchMoment, parseWhen, toIso } from '../../../functions/core/article/dates.ts';
import { testSettings } from '../../helpers/content.ts';
import { articleProblem, FILE, frontMatter } from '../../helpers/problems.ts';

// dates.ts: a date or a zoned time read strictly, kept as an instant in UTC, and a day or hour that does not
// exist named in an editor's words. Through an article's one line, and on its own.

const settings = testSettings();

describe('a date', () => {
  it('that does not exist is named, with the length of its month', () => {
    const message = articleProblem(frontMatter('title: T', 'date: 2026-02-30'));
    expect(message).toBe(`${FILE}: "date": there is no 2026-02-30 (February 2026 has 28 days)`);
  });

  it('that does not exist is named in updated and expires too, with or without a time', () => {
    const message = articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'updated: 2026-04-31T10:00:00Z', 'expires: 2026-13-01'));
    expect(message).toBe(`${FILE}: "updated": there is no 2026-04-31 (April 2026 has 30 days); "expires": there is no 2026-13-01 (month 13 does not exist: months go from 01 to 12)`);
  });

  it('with an hour that does not exist is named', () => {
    expect(articleProblem(frontMatter('title: T', 'date: 2026-03-14T24:30:00Z'))).toBe(`${FILE}: "date": there is no 24:30:00 in a day (hours go up to 23, minutes and seconds up to 59)`);
  });

  it('on the 29th of February is taken in a leap year', () => {
    expect(parseArticle(FILE, Buffer.from(frontMatter('title: T', 'date: 2028-02-29')), settings).published.iso).toBe('2028-02-29T00:00:00Z');
    expect(articleProblem(frontMatter('title: T', 'date: 2027-02-29'))).toContain('there is no 2027-02-29 (February 2027 has 28 days)');
  });

  it('with a time but no zone still asks for the zone', () => {
    expect(articleProblem(frontMatter('title: T', 'date: 2026-03-14T09:30:00'))).toBe(
      `${FILE}: "date" must be a date such as 2020-01-08 or 2020-01-08T14:30:00Z (a time needs a zone: Z or +01:00) (got "2026-03-14T09:30:00")`,
    );
  });
});

describe('a date or time read strictly', () => {
  it('keeps a day alone as midnight UTC, marked as a day, so pages show no made-up time', () => {
    expect(parseWhen('2026-03-14')).toEqual({ iso: '2026-03-14T00:00:00Z', dateOnly: true });
  });

  it.each([
    ['2026-03-14T09:30:00Z', '2026-03-14T09:30:00Z'],
    ['2026-03-14T09:30:00+01:00', '2026-03-14T08:30:00Z'],
    ['2026-03-14T02:00:00-05:30', '2026-03-14T07:30:00Z'],
    ['2026-03-14T09:30:00-00:00', '2026-03-14T09:30:00Z'],
    ['2026-03-14T05:00:00+14:00', '2026-03-13T15:00:00Z'],
    ['2026-03-14 09:30:00Z', '2026-03-14T09:30:00Z'],
    ['2026-03-14t09:30:00z', '2026-03-14T09:30:00Z'],
    ['2026-03-14T09:30Z', '2026-03-14T09:30:00Z'],
    ['2026-03-14T09:30:59.999Z', '2026-03-14T09:30:59Z'],
  ])('takes %s as the instant %s', (value, iso) => {
    expect(parseWhen(value)).toEqual({ iso, dateOnly: false });
  });

  it.each([
    ['a time without a zone', '2026-03-14T09:30:00'],
    ['a day that does not exist', '2026-02-29'],
    ['a month that does not exist', '2026-13-01'],
    ['hour 24', '2026-03-14T24:00:00Z'],
    ['minute 60', '2026-03-14T09:60:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['a zone a day away', '2026-03-14T09:30:00+24:00'],
    ['a day without its zeros', '2026-3-14'],
    ['a date without hyphens', '20260314'],
    ['spaces around it', ' 2026-03-14 '],
    ['words', 'next Tuesday'],
    ['nothing', ''],
  ])('refuses %s rather than guessing', (_what, value) => {
    expect(parseWhen(value)).toBeUndefined();
  });

  it('knows the leap years: every fourth, but not a century unless it divides by 400', () => {
    expect(['2024-02-29', '2000-02-29', '1900-02-29', '2100-02-29'].map((d) => parseWhen(d)?.iso)).toEqual(['2024-02-29T00:00:00Z', '2000-02-29T00:00:00Z', undefined, undefined]);
  });
});

describe('the form of a date', () => {
  it('is told apart from whether the day exists, so a form mistake and an impossible day get different messages', () => {
    expect(['2026-02-30', '2026-03-14T25:00:00Z', '2026-03-14T09:30:00+01:00'].map(looksLikeWhen)).toEqual([true, true, true]);
    expect(['2026-03-14T09:30:00', '14/03/2026', '2026-03-14T09:30:00 CET'].map(looksLikeWhen)).toEqual([false, false, false]);
  });
});

describe('a moment that does not exist', () => {
  it.each([
    ['1900-02-29', 'there is no 1900-02-29 (February 1900 has 28 days)'],
    ['2000-02-30', 'there is no 2000-02-30 (February 2000 has 29 days)'],
    ['2024-02-30', 'there is no 2024-02-30 (February 2024 has 29 days)'],
    ['2026-06-31T10:00:00Z', 'there is no 2026-06-31 (June 2026 has 30 days)'],
    ['2026-01-00', 'there is no 2026-01-00 (January 2026 has 31 days)'],
    ['2026-00-10', 'there is no 2026-00-10 (month 00 does not exist: months go from 01 to 12)'],
    ['2026-03-14T09:60Z', 'there is no 09:60 in a day (hours go up to 23, minutes and seconds up to 59)'],
    ['2026-03-14T23:59:60+01:00', 'there is no 23:59:60 in a day (hours go up to 23, minutes and seconds up to 59)'],
    ['2026-03-14T09:30:00+25:00', 'there is no such moment as 2026-03-14T09:30:00+25:00 (check the zone +25:00)'],
  ])('is named for %s', (value, words) => {
    expect(noSuchMoment(value)).toBe(words);
  });

  it('is not named for a real moment, nor for a value not of the form at all', () => {
    expect([noSuchMoment('2026-03-14'), noSuchMoment('2026-03-14T09:30:00Z'), noSuchMoment('soon'), noSuchMoment('2026-03-14T09:30:00')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('the stored format', () => {
  it('is UTC to the second, without milliseconds, so two stored times compare as strings as they do as times', () => {
    // Prepare
    const earlier = Date.UTC(2026, 2, 14, 9, 30, 0, 999);
    const later = Date.UTC(2026, 2, 14, 10, 0, 0);

    // Act
    const [a, b] = [toIso(earlier), toIso(later)];

    // Assess
    expect([a, b]).toEqual(['2026-03-14T09:30:00Z', '2026-03-14T10:00:00Z']);
    expect(a < b).toBe(true);
  });
});
