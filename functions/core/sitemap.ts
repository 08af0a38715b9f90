import { escapeXml } from './xml.ts';

export interface SitemapLoc {
  loc: string;
  /** W3C datetime: when the page last changed. */
  lastmod?: string;
}

/** One sitemap file (the protocol allows 50,000 URLs; wirefeed's shards hold far fewer). Pure: URLs in, XML out. */
export function urlset(urls: readonly SitemapLoc[]): string {
  const body = urls
    .map((u) => `  <url><loc>${escapeXml(u.loc)}</loc>${u.lastmod ? `<lastmod>${escapeXml(u.lastmod)}</lastmod>` : ''}</url>`)
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}${body ? '\n' : ''}</urlset>\n`;
}

/** /sitemap.xml: the index of every sitemap shard, for search engines. */
export function sitemapIndex(locations: readonly string[]): string {
  const parts = locations.map((loc) => `  <sitemap><loc>${escapeXml(loc)}</loc></sitemap>`).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${parts}${parts ? '\n' : ''}</sitemapindex>\n`;
}

/** /robots.txt: everything may be crawled; the sitemap says what there is. */
export function robotsTxt(siteUrl: string): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${new URL('sitemap.xml', siteUrl).href}\n`;
}

