import { describe, expect, it } from 'vitest';
import { newsUrlset, robotsTxt, sitemapIndex, urlset } from '../../../functions/core/output/sitemap.ts';
import { parseXmlStrict } from '../../helpers/feeds.ts';

// sitemap.ts: sitemap files, the index, Google's news sitemap and robots.txt. Parsed back strictly.

const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const NASTY_URL = 'https://news.test/articles/q-a/?a=1&b=\'2\'&c="3"';

describe('a sitemap file', () => {
  it('gives each URL back exactly, with its last change where there is one', () => {
    // Act
    const doc = parseXmlStrict(urlset([{ loc: NASTY_URL, lastmod: '2025-03-15T08:00:00Z' }, { loc: 'https://news.test/' }]));

    // Assess
    expect(doc.urlset['@_xmlns']).toBe(SITEMAP_NS);
    expect(doc.urlset.url).toEqual([{ loc: NASTY_URL, lastmod: '2025-03-15T08:00:00Z' }, { loc: 'https://news.test/' }]);
  });

  it('is a well-formed, empty list when there are no URLs', () => {
    expect(parseXmlStrict(urlset([])).urlset).toEqual({ '@_xmlns': SITEMAP_NS });
  });
});

describe('the sitemap index', () => {
  it('lists every shard in the order given, and is well-formed when there are none', () => {
    expect(parseXmlStrict(sitemapIndex(['https://news.test/sitemap-1.xml', NASTY_URL])).sitemapindex.sitemap).toEqual([{ loc: 'https://news.test/sitemap-1.xml' }, { loc: NASTY_URL }]);
    expect(parseXmlStrict(sitemapIndex([])).sitemapindex).toEqual({ '@_xmlns': SITEMAP_NS });
  });
});

describe('the Google News sitemap', () => {
  it("gives each article's title and the publication's name back exactly, in Google's namespace", () => {
    // Prepare
    const title = 'Black & Decker: "<HTML>" ]]> done';

    // Act
    const doc = parseXmlStrict(newsUrlset([{ loc: NASTY_URL, published: '2025-03-14T09:30:00Z', title }], { name: 'Wire & "Co" <News>', language: 'en' }));

    // Assess
    expect(doc.urlset['@_xmlns:news']).toBe('http://www.google.com/schemas/sitemap-news/0.9');
    expect(doc.urlset.url.loc).toBe(NASTY_URL);
    expect(doc.urlset.url['news:news']['news:title']).toBe(title);
    expect(doc.urlset.url['news:news']['news:publication']['news:name']).toBe('Wire & "Co" <News>');
  });

  it('is a well-formed, empty list when no article is new', () => {
    expect(parseXmlStrict(newsUrlset([], { name: 'Wire', language: 'en' })).urlset.url).toBeUndefined();
  });
});

describe('robots.txt', () => {
  it('lets every crawler in and names both sitemaps, under the path of a site that is not at the root of its host', () => {
    expect(robotsTxt('https://example.org/news/')).toBe('User-agent: *\nAllow: /\n\nSitemap: https://example.org/news/sitemap.xml\nSitemap: https://example.org/news/sitemap-news.xml\n');
  });
});
