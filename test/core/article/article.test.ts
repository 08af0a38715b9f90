import { describe, expect, it } from 'vitest';
import { isPublic, newestFirst, parseArticle } from '../../../functions/core/article/article.ts';
import { tagSlug } from '../../../functions/core/article/tags.ts';
import { ArticleError } from '../../../functions/core/errors.ts';
import { buildFeeds } from '../../../functions/core/output/feeds.ts';
import { TAGS } from '../../bench/generate.ts';
import { articleText, testSettings } from '../../helpers/content.ts';

const settings = testSettings();
const parse = (text: string | Uint8Array, file = 'articles/budget-vote.md') => parseArticle(file, typeof text === 'string' ? Buffer.from(text) : text, settings);
const problem = (text: string | Uint8Array, file?: string): string => {
  try {
    parse(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ArticleError);
    return (err as ArticleError).message;
  }
  throw new Error('expected the article to be rejected');
};

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

describe('front matter', () => {
  it('is required', () => {
    expect(problem('# Just Markdown\n')).toMatch(/has no front matter/);
  });

  it('must be closed', () => {
    expect(problem('---\ntitle: T\ndate: 2025-03-14\n\nBody')).toMatch(/front matter is not closed/);
  });

  it('in JavaScript is refused and never run', () => {
    const g = globalThis as { pwned?: boolean };
    const text = '---js\n{ title: (globalThis.pwned = true, "T"), date: "2025-03-14" }\n---\nBody\n';
    expect(problem(text)).toMatch(/front matter must be YAML .*"---js"/);
    expect(g.pwned).toBeUndefined();
  });

  it('in TOML is refused with a message saying YAML is needed', () => {
    expect(problem('+++\ntitle = "T"\n+++\nBody\n')).toMatch(/must be YAML/);
  });

  it('that is not valid YAML names the problem', () => {
    expect(problem('---\ntitle: [unclosed\ndate: 2025-03-14\n---\nBody\n')).toMatch(/front matter is not valid YAML/);
  });

  it('with a duplicated key is refused rather than silently taking one', () => {
    expect(problem('---\ntitle: A\ntitle: B\ndate: 2025-03-14\n---\nBody\n')).toMatch(/not valid YAML/);
  });

  it('cannot expand aliases without bound (a "billion laughs" file)', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const text = `---\ntitle: T\ndate: 2025-03-14\n${lines.join('\n')}\n---\nBody\n`;
    const started = performance.now();
    expect(problem(text)).toMatch(/not valid YAML/);
    expect(performance.now() - started).toBeLessThan(5000); // a bound, not a benchmark: unbounded takes forever
  });

  it('with a custom tag is refused: YAML here is data only', () => {
    expect(problem('---\ntitle: !!js/function "function(){}"\ndate: 2025-03-14\n---\nBody\n')).toMatch(/not valid YAML/);
  });
});

describe('encodings and odd characters', () => {
  it('refuses Latin-1 bytes with a message naming the encoding problem', () => {
    const bytes = Buffer.concat([Buffer.from('---\ntitle: Caf'), Buffer.from([0xe9]), Buffer.from('\ndate: 2025-03-14\n---\nBody\n')]);
    expect(problem(bytes)).toMatch(/is not UTF-8 text: byte 0xe9 at offset 14 .*save the file as UTF-8/);
  });

  it('decodes UTF-16 with a byte-order mark correctly', () => {
    const text = articleText({ title: 'Café résumé 東京', date: '2025-03-14' });
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parse(bytes).title).toBe('Café résumé 東京');
  });

  it('accepts a UTF-8 byte-order mark and Windows line endings', () => {
    const text = `\uFEFF${articleText({ title: 'T', date: '2025-03-14' }, 'One.\r\n\r\nTwo.\r\n').replace(/\n/g, '\r\n')}`;
    const a = parse(text);
    expect(a.html).toBe('<p>One.</p>\n<p>Two.</p>');
  });

  it('removes characters XML forbids, so no feed can be broken by them', () => {
    const a = parse(articleText({ title: 'Bell\u0007 and null\u0000', date: '2025-03-14' }, 'Text\u0001 here\u000B.\n'));
    expect(a.title).toBe('Bell and null');
    expect(a.html).toBe('<p>Text here.</p>');
  });

  it('turns a lone surrogate spelt as a YAML escape into U+FFFD, which every format can carry', () => {
    const a = parse('---\ntitle: "Half \\uD800 a pair"\ndate: 2025-03-14\n---\nText.\n');
    expect(a.title).toBe('Half \uFFFD a pair');
    expect(buildFeeds([a], testSettings())['rss.xml']).not.toMatch(/[\uD800-\uDFFF]/);
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

describe('tag slugs', () => {
  /** The tag URLs wirefeed published before the slug library (f449bb1): subscribers have them. */
  const published = (tag: string) =>
    tag
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '');

  it('keeps every tag URL it published before, whatever its punctuation', () => {
    const tags = [
      ...TAGS,
      "Women's sport",
      'Women’s sport',
      "St. Patrick's Day",
      'U.S. Open',
      'Rock & Roll',
      'Q&A',
      '"Quoted"',
      'Covid-19',
      'Côte d’Ivoire',
      'Émigré — news',
      '  spaced  out  ',
      'e-mail/spam',
      'x'.repeat(80),
    ];
    for (const tag of tags) expect(tagSlug(tag), tag).toBe(published(tag));
  });

  it('gives tags it could not spell before a readable slug, and C#, C++ and C three', () => {
    expect(tagSlug('Straße')).toBe('strasse');
    expect(tagSlug('Москва')).toBe('moskva');
    expect(new Set([tagSlug('C#'), tagSlug('C++'), tagSlug('C')]).size).toBe(3);
  });

  it('gives two long tags that agree in their first 80 characters two slugs, and one long tag in any case or accents one', () => {
    // Prepare: 94-character tags whose slugs agree in the 80 characters wirefeed used to keep
    const first = 'Inquiry into the procurement of emergency medical equipment in the winter crisis: first report';
    const final = 'Inquiry into the procurement of emergency medical equipment in the winter crisis: final report';
    const moscow = 'Москва '.repeat(12);
    // Act
    const slugs = [first, final, `${moscow}один`, `${moscow}два`, 'x'.repeat(100), 'x'.repeat(120)].map(tagSlug);
    // Assess
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    for (const slug of slugs) expect(slug.length).toBeLessThanOrEqual(80);
    expect(tagSlug(first)).toMatch(/^inquiry-into-the-procurement-of-emergency-medical-equipment-in-the-w[a-z]*-[0-9a-f]{8}$/);
    expect(tagSlug(first.toUpperCase())).toBe(tagSlug(first));
    expect(tagSlug(first.replace('emergency medical', 'émergency médical'))).toBe(tagSlug(first));
    expect(tagSlug('x'.repeat(120))).toBe(tagSlug('X'.repeat(120)));
  });
});
