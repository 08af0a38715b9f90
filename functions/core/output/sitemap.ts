import { NEWS_SITEMAP, SITEMAP_INDEX } from '../keys.ts';
import { escapeXml } from './xml.ts';

export interface SitemapLoc {
  loc: string;
  /** W3C datetime: when the page last changed. */
  lastmod?: string;
}

/** One sitemap file (the protocol allows 50,000 URLs; wirefeed's shards hold far fewer). Pure: URLs in, XML out. */
export function urlset(urls: readonly SitemapLoc[]): string {
  const body = urls.map((u) => `  <url><loc>${escapeXml(u.loc)}</loc>${u.lastmod ? `<lastmod>${escapeXml(u.lastmod)}</lastmod>` : ''}</url>`).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}${body ? '\n' : ''}</urlset>\n`;
}

/** /sitemap.xml: the index of every sitemap shard, for search engines. */
export function sitemapIndex(locations: readonly string[]): string {
  const parts = locations.map((loc) => `  <sitemap><loc>${escapeXml(loc)}</loc></sitemap>`).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${parts}${parts ? '\n' : ''}</sitemapindex>\n`;
}

const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';

/** One article of a Google News sitemap. */
export interface NewsLoc {
  loc: string;
  /** W3C datetime: first publication. */
  published: string;
  title: string;
}

/**
 * /sitemap-news.xml, Google's news sitemap protocol: each article with its publication (the site's name and
 * language, ISO 639), publication date and title. Pure: the caller chooses the articles (news.ts).
 */
export function newsUrlset(items: readonly NewsLoc[], publication: { name: string; language: string }): string {
  const body = items
    .map(
      (i) =>
        `  <url>\n    <loc>${escapeXml(i.loc)}</loc>\n    <news:news>\n      <news:publication>\n` +
        `        <news:name>${escapeXml(publication.name)}</news:name>\n        <news:language>${escapeXml(publication.language)}</news:language>\n` +
        `      </news:publication>\n      <news:publication_date>${escapeXml(i.published)}</news:publication_date>\n` +
        `      <news:title>${escapeXml(i.title)}</news:title>\n    </news:news>\n  </url>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="${NEWS_NS}">\n${body}${body ? '\n' : ''}</urlset>\n`;
}

/** /robots.txt: everything may be crawled; the sitemap says what there is, the news sitemap what is new. */
export function robotsTxt(siteUrl: string): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${new URL(SITEMAP_INDEX, siteUrl).href}\nSitemap: ${new URL(NEWS_SITEMAP, siteUrl).href}\n`;
}
