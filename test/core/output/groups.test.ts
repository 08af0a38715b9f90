import { describe, expect, it } from 'vitest';
import { type GroupId, groupFiles } from '../../../functions/core/keys.ts';
import { archiveFiles, articleSitemapFiles, mainFiles, newsSitemapFiles, sitemapIndexFiles, staticFiles, tagFiles, tagSitemapFiles } from '../../../functions/core/output/groups.ts';
import { corrected, plain, settings } from '../../helpers/feed-fixture.ts';
import { nodeText, parseAtom, parseJsonFeed, parseRss, parseXmlStrict, textOf } from '../../helpers/feeds.ts';

// groups.ts: the files of each output group, from the articles the state says are in it.

const news = [{ h: 'h1', p: '2025-03-14T09:30:00Z', id: corrected.id, loc: corrected.url, title: 'Budget vote & "reaction"' }];
/** Every group kind, and the files groups.ts writes for it. */
const written: [GroupId, Map<string, string>][] = [
  [{ kind: 'main' }, mainFiles([corrected, plain], settings, 0)],
  [{ kind: 'tag', slug: 'politics' }, tagFiles('politics', 'Politics', [corrected], settings)],
  [{ kind: 'archive', n: 3 }, archiveFiles(3, [plain], settings, 4)],
  [{ kind: 'sitemap' }, sitemapIndexFiles(2, 1, settings)],
  [{ kind: 'sitemap-articles', n: 2 }, articleSitemapFiles(2, [{ loc: corrected.url }], settings)],
  [{ kind: 'sitemap-tags', n: 1 }, tagSitemapFiles(1, ['politics'], settings)],
  [{ kind: 'news' }, newsSitemapFiles(news, settings)],
  [{ kind: 'static' }, staticFiles(settings)],
];
const atomLinks = (xml: string): string[] => parseAtom(xml).xml.feed.link.map((l: Record<string, string>) => `${l['@_rel']} ${l['@_href']}`);

describe('every output group', () => {
  it.each(written.map(([id, files]) => [id.kind, id, files] as const))('writes exactly the files keys.ts names for it: %s', (_kind, id, files) => {
    expect([...files.keys()].sort()).toEqual(groupFiles(id).sort());
  });
});

describe("the site's own feeds and front page", () => {
  it('link back to the newest complete archive page in every format once there is one, and to none before', () => {
    // Act
    const withArchive = mainFiles([corrected], settings, 3);
    const without = mainFiles([corrected], settings, 0);

    // Assess
    expect(atomLinks(withArchive.get('atom.xml') ?? '')).toContain('prev-archive https://news.test/archive/3/atom.xml');
    expect(parseRss(withArchive.get('rss.xml') ?? '').xml.rss.channel['atom:link'].map((l: Record<string, string>) => l['@_rel'])).toContain('prev-archive');
    expect(parseJsonFeed(withArchive.get('feed.json') ?? '').next_url).toBe('https://news.test/archive/3/feed.json');
    expect(atomLinks(without.get('atom.xml') ?? '').some((l) => l.startsWith('prev-archive'))).toBe(false);
    expect(parseJsonFeed(without.get('feed.json') ?? '').next_url).toBeUndefined();
  });
});

describe("a tag's feeds and page", () => {
  it("are titled with the tag's name, identified and addressed under its folder, and its page offers its own feeds", () => {
    // Act
    const files = tagFiles('q-a', 'Q&A', [corrected], settings);

    // Assess
    const atom = parseAtom(files.get('tags/q-a/atom.xml') ?? '').xml.feed;
    expect([nodeText(atom.id), nodeText(atom.title), nodeText(atom.subtitle)]).toEqual(['https://news.test/tags/q-a/', 'Test Wire: Q&A', 'Articles tagged Q&A']);
    expect(atomLinks(files.get('tags/q-a/atom.xml') ?? '')).toEqual(['alternate https://news.test/tags/q-a/', 'self https://news.test/tags/q-a/atom.xml']);
    const page = files.get('tags/q-a/index.html') ?? '';
    expect(page).toContain('<h1>Q&#38;A</h1>');
    expect(page).toContain('<link rel="alternate" type="application/atom+xml" title="Test Wire: Q&#38;A (Atom)" href="https://news.test/tags/q-a/atom.xml">');
  });
});

describe('archive pages', () => {
  it('gives archive pages below the newest a next-archive link, and the oldest no prev-archive', () => {
    const rels = (files: Map<string, string>, key: string) => parseAtom(files.get(key) ?? '').xml.feed.link.map((l: Record<string, string>) => `${l['@_rel']} ${l['@_href']}`);
    const oldest = archiveFiles(1, [plain], settings, 2);
    expect(rels(oldest, 'archive/1/atom.xml')).toContain('next-archive https://news.test/archive/2/atom.xml');
    expect(rels(oldest, 'archive/1/atom.xml').some((r: string) => r.startsWith('prev-archive'))).toBe(false);
    const newest = archiveFiles(2, [corrected], settings, 2);
    expect(rels(newest, 'archive/2/atom.xml')).toContain('prev-archive https://news.test/archive/1/atom.xml');
    expect(rels(newest, 'archive/2/atom.xml').some((r: string) => r.startsWith('next-archive'))).toBe(false);
    expect(nodeText(parseAtom(newest.get('archive/2/atom.xml') ?? '').xml.feed.id)).toBe('https://news.test/'); // one logical feed
  });

  it('are named by their number, and point a person to the feeds to subscribe to', () => {
    // Act
    const files = archiveFiles(3, [plain], settings, 4);

    // Assess
    expect(nodeText(parseAtom(files.get('archive/3/atom.xml') ?? '').xml.feed.title)).toBe('Test Wire (archive 3)');
    expect(files.get('archive/3/feed.html')).toContain('<code id="feed-url-atom">https://news.test/atom.xml</code>');
  });
});

describe('sitemaps', () => {
  it('list the front page first in the first article shard only', () => {
    // Act
    const first = parseXmlStrict(articleSitemapFiles(1, [{ loc: corrected.url, lastmod: '2025-03-15T08:00:00Z' }], settings).get('sitemap-1.xml') ?? '');
    const second = parseXmlStrict(articleSitemapFiles(2, [{ loc: plain.url }], settings).get('sitemap-2.xml') ?? '');

    // Assess
    expect(first.urlset.url).toEqual([{ loc: 'https://news.test/' }, { loc: 'https://news.test/articles/budget-vote/', lastmod: '2025-03-15T08:00:00Z' }]);
    expect(second.urlset.url).toEqual({ loc: 'https://news.test/articles/storm-warning/' });
  });

  it("list each tag's page in the tag shards, and every shard in the index, articles' first", () => {
    // Act
    const tags = parseXmlStrict(tagSitemapFiles(1, ['politics', 'q-a'], settings).get('sitemap-tags-1.xml') ?? '');
    const index = parseXmlStrict(sitemapIndexFiles(2, 1, settings).get('sitemap.xml') ?? '');

    // Assess
    expect(tags.urlset.url.map((u: { loc: string }) => u.loc)).toEqual(['https://news.test/tags/politics/', 'https://news.test/tags/q-a/']);
    expect(index.sitemapindex.sitemap.map((s: { loc: string }) => s.loc)).toEqual(['https://news.test/sitemap-1.xml', 'https://news.test/sitemap-2.xml', 'https://news.test/sitemap-tags-1.xml']);
  });

  it("give Google News the site's name, its language as ISO 639, and each article's first publication and title", () => {
    // Act
    const url = parseXmlStrict(newsSitemapFiles(news, settings).get('sitemap-news.xml') ?? '').urlset.url;

    // Assess
    expect(url).toEqual({
      loc: 'https://news.test/articles/budget-vote/',
      'news:news': {
        'news:publication': { 'news:name': 'Test Wire', 'news:language': 'en' },
        'news:publication_date': '2025-03-14T09:30:00Z',
        'news:title': 'Budget vote & "reaction"',
      },
    });
  });
});

describe('the files that depend on the settings alone', () => {
  it('are a page for missing paths, linking to the front page, and a robots.txt naming both sitemaps', () => {
    // Act
    const files = staticFiles(settings);

    // Assess
    expect(textOf(files.get('404.html') ?? '')).toContain('Page not found');
    expect(files.get('404.html')).toContain('<a href="https://news.test/">Go to the front page</a>');
    expect(files.get('robots.txt')).toBe('User-agent: *\nAllow: /\n\nSitemap: https://news.test/sitemap.xml\nSitemap: https://news.test/sitemap-news.xml\n');
  });
});
