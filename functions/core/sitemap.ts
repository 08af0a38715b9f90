import { escapeXml } from './xml.ts';

export interface SitemapUrl {
  loc: string;
  /** W3C datetime: when the page last changed. */
  lastmod?: string;
}

/** The protocol's limit per file; larger sites get a sitemap index. */
const MAX_URLS = 50_000;

/** /sitemap.xml (and /sitemap-N.xml past 50,000 URLs), for search engines. Pure: URLs in, files out. */
export function sitemapFiles(urls: readonly SitemapUrl[], siteUrl: string): Map<string, string> {
  const files = new Map<string, string>();
  if (urls.length <= MAX_URLS) {
    files.set('sitemap.xml', urlset(urls));
    return files;
  }
  const parts: string[] = [];
  for (let i = 0; i * MAX_URLS < urls.length; i++) {
    const key = `sitemap-${i + 1}.xml`;
    files.set(key, urlset(urls.slice(i * MAX_URLS, (i + 1) * MAX_URLS)));
    parts.push(`  <sitemap><loc>${escapeXml(new URL(key, siteUrl).href)}</loc></sitemap>`);
  }
  files.set('sitemap.xml', `<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${parts.join('\n')}\n</sitemapindex>\n`);
  return files;
}

function urlset(urls: readonly SitemapUrl[]): string {
  const body = urls
    .map((u) => `  <url><loc>${escapeXml(u.loc)}</loc>${u.lastmod ? `<lastmod>${escapeXml(u.lastmod)}</lastmod>` : ''}</url>`)
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}${body ? '\n' : ''}</urlset>\n`;
}

/** /robots.txt: everything may be crawled; the sitemap says what there is. */
export function robotsTxt(siteUrl: string): string {
  return `User-agent: *\nAllow: /\nDisallow: /.wirefeed/\n\nSitemap: ${new URL('sitemap.xml', siteUrl).href}\n`;
}
