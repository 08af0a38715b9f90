import { describe, expect, it } from 'vitest';
import { feedUrls } from '../../../functions/core/output/feed-scope.ts';
import { articlePage, indexPage, notFoundPage, tagPage } from '../../../functions/core/output/pages.ts';
import { testSettings } from '../../helpers/content.ts';
import { article } from '../../helpers/feed-fixture.ts';
import { textOf } from '../../helpers/feeds.ts';

// pages.ts: the HTML pages (an article's, the front page, a tag's, the 404 page), read as a person and as a
// link preview or a feed reader's autodiscovery would read them. (The feeds' browser views are feed-view.test.ts's.)

const settings = testSettings({ copyright: '© Wire & Co' });
const NASTY = 'Black & Decker: "HTML" <b>bold</b> ]]>';
const story = article(
  'budget-vote',
  {
    title: NASTY,
    date: '2025-03-14T09:30:00Z',
    updated: '2025-03-15T08:00:00Z',
    summary: 'MPs approved the budget & "cheered".',
    tags: ['C#', 'Q&A'],
    authors: [{ name: 'Ada & Co', url: 'https://ada.test/?a=1&b=2' }, 'Bo Editor'],
    image: { url: 'https://cdn.test/p.jpg?w=800&h=450', alt: 'The "harbour"' },
    correction: 'An earlier version gave the wrong <date>.',
  },
  'The budget passed on Friday.\n',
);
const plain = article('storm-warning', { title: 'Storm warning', date: '2025-03-13' }, 'Winds of 100 km/h are expected.\n');

/** Text as a regular expression that matches it literally. */
const literal = (text: string): string => text.replace(/[[\]{}().*+?^$|\\]/g, '\\$&');
/** A tag's attribute values in document order, entities decoded, as a browser reads them. */
const attrs = (html: string, tag: RegExp, name: string): string[] =>
  [...html.matchAll(new RegExp(`<${tag.source}\\b[^>]*>`, 'g'))].flatMap((m) => {
    const value = new RegExp(`\\s${name}="([^"]*)"`).exec(m[0])?.[1];
    return value === undefined ? [] : [textOf(value)];
  });
/** The content of <meta property="…"> elements with this property. */
const meta = (html: string, property: string): string[] => [...html.matchAll(/<meta property="([^"]+)" content="([^"]*)">/g)].filter((m) => m[1] === property).map((m) => textOf(m[2] as string));
const canonical = (html: string): string[] => [...html.matchAll(/<link rel="canonical" href="([^"]*)">/g)].map((m) => textOf(m[1] as string));
const titleOf = (html: string): string => textOf(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '');
const alternates = (html: string): string[] => [...html.matchAll(/<link rel="alternate" type="([^"]+)" title="([^"]*)" href="([^"]*)">/g)].map((m) => `${m[1]} ${textOf(m[2] as string)} ${m[3]}`);

describe("an article's page", () => {
  const page = articlePage(story, settings);

  it('shows the title, the byline, both dates, the standfirst, the image, the correction and the story, as written', () => {
    const main = textOf(page.slice(page.indexOf('<main')));
    expect(main).toMatch(
      new RegExp(
        `^${literal(NASTY)} By Ada & Co, Bo Editor · Published .+ UTC · Updated .+ UTC MPs approved the budget & "cheered". Correction: An earlier version gave the wrong <date>. The budget passed on Friday. Tags: C#, Q&A`,
      ),
    );
    expect(attrs(page, /img/, 'alt')).toEqual(['The "harbour"']);
    expect(attrs(page, /img/, 'src')).toEqual(['https://cdn.test/p.jpg?w=800&h=450']);
  });

  it('gives machines the exact times and shows a day alone without a made-up time', () => {
    expect(page).toContain('Published <time datetime="2025-03-14T09:30:00Z">');
    expect(page).toContain('Updated <time datetime="2025-03-15T08:00:00Z">');
    const day = articlePage(plain, settings);
    expect(day).toMatch(/Published <time datetime="2025-03-13">[^<:]+<\/time>/);
  });

  it("links each author with a URL, and each tag to its tag's page", () => {
    expect(attrs(page.slice(page.indexOf('<main')), /a/, 'href')).toEqual([
      'https://ada.test/?a=1&b=2',
      'https://news.test/tags/c-sharp/',
      'https://news.test/tags/q-a/',
      'https://news.test/rss.xml',
      'https://news.test/atom.xml',
      'https://news.test/feed.json',
    ]);
  });

  it('tells a link preview its title, summary, image, times and tags, and names its one address', () => {
    expect(titleOf(page)).toBe(`${NASTY} · Test Wire`);
    expect(meta(page, 'og:type')).toEqual(['article']);
    expect(meta(page, 'og:title')).toEqual([NASTY]);
    expect(meta(page, 'og:description')).toEqual(['MPs approved the budget & "cheered".']);
    expect(meta(page, 'og:image')).toEqual(['https://cdn.test/p.jpg?w=800&h=450']);
    expect(meta(page, 'og:image:alt')).toEqual(['The "harbour"']);
    expect(meta(page, 'article:published_time')).toEqual(['2025-03-14T09:30:00Z']);
    expect(meta(page, 'article:modified_time')).toEqual(['2025-03-15T08:00:00Z']);
    expect(meta(page, 'article:tag')).toEqual(['C#', 'Q&A']);
    expect(canonical(page)).toEqual(['https://news.test/articles/budget-vote/']);
  });

  it("announces the site's feeds to readers' autodiscovery, in the site's language", () => {
    expect(alternates(page)).toEqual([
      'application/rss+xml Test Wire (RSS) https://news.test/rss.xml',
      'application/atom+xml Test Wire (Atom) https://news.test/atom.xml',
      'application/feed+json Test Wire (JSON Feed) https://news.test/feed.json',
    ]);
    expect(page).toContain('<html lang="en-GB">');
  });

  it('leaves out what the article does not have: no byline, no correction, no image, no tags, no modified time', () => {
    const day = articlePage(plain, settings);
    expect(textOf(day.slice(day.indexOf('<main'), day.indexOf('</main>')))).toMatch(/^Storm warning Published [^·]+ Winds of 100 km\/h are expected\.$/);
    expect([meta(day, 'article:modified_time'), meta(day, 'og:image'), meta(day, 'article:tag')]).toEqual([[], [], []]);
  });
});

describe('the front page', () => {
  it('lists the articles in the order given, each with its link, day and summary, under the site title', () => {
    // Act
    const page = indexPage([story, plain], settings);

    // Assess
    expect(titleOf(page)).toBe('Test Wire');
    const list = page.slice(page.indexOf('<ol class="articles">'), page.indexOf('</ol>'));
    expect(attrs(list, /a/, 'href')).toEqual(['https://news.test/articles/budget-vote/', 'https://news.test/articles/storm-warning/']);
    expect(textOf(list)).toMatch(new RegExp(`^${literal(NASTY)} .+ MPs approved the budget & "cheered". Storm warning .+ Winds of 100 km/h are expected.$`));
  });

  it('says there are no articles yet when there are none, and still offers the feeds', () => {
    // Act
    const page = indexPage([], settings);

    // Assess
    expect(textOf(page)).toContain('No articles yet.');
    expect(page).not.toContain('<ol');
    expect(alternates(page)).toHaveLength(3);
  });
});

describe("a tag's page", () => {
  it("is headed and titled with the tag, and offers the tag's own feeds, while the footer keeps the site's", () => {
    // Act
    const page = tagPage([story], settings, { name: 'Q&A', url: 'https://news.test/tags/q-a/', feeds: feedUrls(settings, 'tags/q-a/') });

    // Assess
    expect(titleOf(page)).toBe('Q&A · Test Wire');
    expect(page).toContain('<h1>Q&#38;A</h1>');
    expect(textOf(page)).toContain('Articles tagged Q&A');
    expect(alternates(page)).toEqual([
      'application/rss+xml Test Wire: Q&A (RSS) https://news.test/tags/q-a/rss.xml',
      'application/atom+xml Test Wire: Q&A (Atom) https://news.test/tags/q-a/atom.xml',
      'application/feed+json Test Wire: Q&A (JSON Feed) https://news.test/tags/q-a/feed.json',
    ]);
    const footer = page.slice(page.indexOf('<footer'));
    expect(attrs(footer, /a/, 'href')).toEqual(['https://news.test/rss.xml', 'https://news.test/atom.xml', 'https://news.test/feed.json']);
    expect(textOf(footer)).toContain('© Wire & Co');
  });
});

describe('the page for a missing path', () => {
  it('says so, names its own address, and leads to the front page', () => {
    // Act
    const page = notFoundPage(settings);

    // Assess
    expect(titleOf(page)).toBe('Page not found · Test Wire');
    expect(canonical(page)).toEqual(['https://news.test/404.html']);
    expect(page).toContain('<a href="https://news.test/">Go to the front page</a>');
  });
});
