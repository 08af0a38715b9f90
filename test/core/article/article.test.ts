import { describe, expect, it } from 'vitest';
import { isPublic, newestFirst, parseArticle } from '../../../functions/core/article/article.ts';
import { articleText, testSettings } from '../../helpers/content.ts';
import { parse, articleProblem as problem } from '../../helpers/problems.ts';

describe('an article file', () => {
  it('becomes an article with its slug from the file name and a page URL on the site', () => {
    const a = parse(articleText({ title: 'Budget vote', date: '2025-03-14' }));
    expect(a).toMatchObject({ slug: 'budget-vote', url: 'https://news.test/articles/budget-vote/', title: 'Budget vote' });
    expect(a.published).toEqual({ iso: '2025-03-14T00:00:00Z', dateOnly: true });
  });

  it('keeps its default id when the title and the slug change', () => {
    const before = parse(articleText({ title: 'Budget vote', date: '2025-03-14' }));
    const after = parse(articleText({ title: 'Budget vote passes', date: '2025-03-14', slug: 'budget-passes' }));
    expect(after.id).toBe(before.id);
    expect(after.id).toBe('tag:news.test,2025-03-14:budget-vote');
  });

  it('keeps its default id when SITE_URL moves the site to another domain', () => {
    const moved = parseArticle('articles/budget-vote.md', Buffer.from(articleText({ title: 'T', date: '2025-03-14' })), testSettings({}));
    const viaEnv = parseArticle(
      'articles/budget-vote.md',
      Buffer.from(articleText({ title: 'T', date: '2025-03-14' })),
      // parseSite with an override, as the Lambda does with SITE_URL
      { ...testSettings(), url: 'https://d111.cloudfront.net/' },
    );
    expect(viaEnv.id).toBe(moved.id);
    expect(viaEnv.url).toBe('https://d111.cloudfront.net/articles/budget-vote/');
  });

  it('takes a full RFC 3339 time with its zone and keeps the instant in UTC', () => {
    const a = parse(articleText({ title: 'T', date: '2025-03-14T09:30:00+01:00', updated: '2025-03-14T10:00:00Z' }));
    expect(a.published).toEqual({ iso: '2025-03-14T08:30:00Z', dateOnly: false });
    expect(a.updated?.iso).toBe('2025-03-14T10:00:00Z');
  });

  it('derives a summary from the first paragraph when none is given, and shows no standfirst', () => {
    const a = parse(articleText({ title: 'T', date: '2025-03-14' }, 'First *paragraph* here.\n\nSecond.\n'));
    expect(a.summary).toBe('First paragraph here.');
    expect(a.standfirst).toBeUndefined();
  });

  it.each([
    ['a missing title', { date: '2025-03-14' }, /"title"/],
    ['an empty title', { title: '  ', date: '2025-03-14' }, /"title" must not be empty/],
    ['a missing date', { title: 'T' }, /"date"/],
    ['an impossible date', { title: 'T', date: '2025-02-30' }, /"date": there is no 2025-02-30 \(February 2025 has 28 days\)/],
    ['a time without a zone', { title: 'T', date: '2025-03-14T09:30:00' }, /"date" must be a date .*zone/],
    ['a date that is a number', { title: 'T', date: 2025 }, /"date"/],
    ['a misspelt field', { title: 'T', date: '2025-03-14', tittle: 'x' }, /tittle/],
    ['a bad slug', { title: 'T', date: '2025-03-14', slug: 'Budget Vote' }, /"slug" may hold only a-z, 0-9 .*"Budget Vote"/],
    ['an id that is not a URI', { title: 'T', date: '2025-03-14', id: 'story 12' }, /"id" must be an absolute URI/],
    ['an empty tag', { title: 'T', date: '2025-03-14', tags: [' '] }, /"tags.0" must not be empty/],
    ['an author e-mail that is not one', { title: 'T', date: '2025-03-14', authors: [{ name: 'A', email: 'nope' }] }, /"authors.0.email"/],
    ['an update before first publication', { title: 'T', date: '2025-03-14', updated: '2025-03-13' }, /"updated" .* is before "date"/],
  ])('is rejected with a message naming the file and the field: %s', (_name, fields, message) => {
    const text = problem(articleText(fields));
    expect(text.startsWith('articles/budget-vote.md: ')).toBe(true);
    expect(text).toMatch(message);
  });

  it('lists every bad field at once, so one run shows them all', () => {
    const text = problem(articleText({ title: '', date: 'soon', slug: 'A B' }));
    expect(text).toMatch(/"title"/);
    expect(text).toMatch(/"date"/);
    expect(text).toMatch(/"slug"/);
  });

  it('derives its slug from any file name, and keeps a name that is already a slug as it is', () => {
    const slugOfFile = (file: string) => parse(articleText({ title: 'T', date: '2025-03-14' }), file).slug;
    expect(slugOfFile('articles/Budget vote 2025.md')).toBe('budget-vote-2025');
    expect(slugOfFile('articles/ärticle with spaces.md')).toBe('article-with-spaces');
    expect(slugOfFile('articles/Straße & Côte d’Ivoire.md')).toBe('strasse-cote-d-ivoire');
    expect(slugOfFile('articles/budget-vote.md')).toBe('budget-vote');
    expect(slugOfFile('articles/2025/harbour-fire-2.md')).toBe('harbour-fire-2');
    expect(parse(articleText({ title: 'T', date: '2025-03-14', slug: 'my-story' }), 'articles/My Story.md').slug).toBe('my-story');
  });

  it('refuses a file name no slug can be made from unless the front matter names one', () => {
    expect(problem(articleText({ title: 'T', date: '2025-03-14' }), 'articles/東京.md')).toMatch(/^articles\/東京.md: no slug can be made from the file name "東京".*set slug:/);
    expect(parse(articleText({ title: 'T', date: '2025-03-14', slug: 'tokyo' }), 'articles/東京.md').slug).toBe('tokyo');
  });
});

describe('visibility', () => {
  const base = parse(articleText({ title: 'T', date: '2025-03-14T09:00:00Z', expires: '2025-03-20T00:00:00Z' }));
  it('is public from its date to the minute, and not after it expires', () => {
    expect(isPublic(base, new Date('2025-03-14T08:59:59Z'))).toBe(false);
    expect(isPublic(base, new Date('2025-03-14T09:00:00Z'))).toBe(true);
    expect(isPublic(base, new Date('2025-03-20T00:00:00Z'))).toBe(false);
  });

  it('is never public as a draft', () => {
    expect(isPublic({ ...base, draft: true }, new Date('2025-03-15T00:00:00Z'))).toBe(false);
  });

  it('orders by first publication, so a correction never moves a story up', () => {
    const older = parse(articleText({ title: 'Old', date: '2025-03-01', updated: '2025-03-30' }), 'articles/old.md');
    const newer = parse(articleText({ title: 'New', date: '2025-03-10' }), 'articles/new.md');
    expect([older, newer].sort(newestFirst).map((a) => a.title)).toEqual(['New', 'Old']);
  });
});
