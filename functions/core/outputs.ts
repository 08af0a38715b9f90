import type { Article } from './article.ts';
import { feedStylesheet } from './feed-xsl.ts';
import { buildFeeds, feedUrls, siteScope, type FeedFiles, type FeedScope } from './feeds.ts';
import { hash, settingsHash } from './manifest.ts';
import { indexPage, notFoundPage, tagPage } from './pages.ts';
import { robotsTxt, sitemapFiles } from './sitemap.ts';
import type { Site } from './site.ts';
import { tagFolder, tagSlug } from './tags.ts';

/** What an output group knows of an article without its HTML: the manifest's entry. */
export type Meta = Omit<Article, 'html'>;

/**
 * A set of site files built together from the same articles: the main feeds and front page, one
 * tag's feeds and page, one archive page, the sitemap, the fixed files. Its signature covers
 * everything its bytes depend on, so an unchanged signature means nothing to build or write.
 */
export interface OutputGroup {
  id: string;
  signature: string;
  /** Content files whose HTML `build` needs, newest first. */
  members: string[];
  /** Keep the members' HTML in the manifest: the group is rebuilt often (the newest articles). */
  hot: boolean;
  build(articles: ReadonlyMap<string, Article>): Map<string, string>;
}

export const ARCHIVE_FOLDER = 'archive/';

/**
 * Every output group of the site, from the public articles' metadata (newest first). Pure and cheap:
 * nothing is rendered until a group's signature says it changed.
 */
export function planOutputs(publicArticles: readonly (Meta & { etag: string })[], site: Site): OutputGroup[] {
  const settings = settingsHash(site);
  const sig = (...parts: unknown[]) => hash(JSON.stringify([settings, ...parts]));
  const n = site.feedSize;
  const pick = (list: readonly (Meta & { etag: string })[]) => list.map((a) => a.file);
  const stamp = (list: readonly (Meta & { etag: string })[]) => list.map((a) => `${a.file}:${a.etag}`);
  const collect = (members: string[], articles: ReadonlyMap<string, Article>) =>
    members.map((file) => articles.get(file)).filter((a): a is Article => a !== undefined);

  // RFC 5005 archives: complete chunks of N, oldest first, so a full archive page never changes.
  const oldestFirst = [...publicArticles].reverse();
  const archiveCount = Math.floor(oldestFirst.length / n);
  const archiveUrls = (k: number) => feedUrls(site, `${ARCHIVE_FOLDER}${k}/`);

  const groups: OutputGroup[] = [];
  const latest = publicArticles.slice(0, n);
  groups.push({
    id: 'main',
    signature: sig('main', stamp(latest), archiveCount),
    members: pick(latest),
    hot: true,
    build: (articles) => {
      const list = collect(pick(latest), articles);
      const scope: FeedScope = { ...siteScope(site), ...(archiveCount > 0 ? { prevArchive: archiveUrls(archiveCount) } : {}) };
      return new Map([...Object.entries(buildFeeds(list, site, scope)), ['index.html', indexPage(list, site)]]);
    },
  });

  for (let k = 1; k <= archiveCount; k++) {
    const chunk = oldestFirst.slice((k - 1) * n, k * n).reverse();
    groups.push({
      id: `archive:${k}`,
      signature: sig('archive', k, stamp(chunk)),
      members: pick(chunk),
      hot: false,
      build: (articles) => {
        const scope: FeedScope = {
          title: `${site.title} (archive ${k})`,
          description: site.description,
          homeUrl: site.url,
          self: archiveUrls(k),
          current: feedUrls(site),
          ...(k > 1 ? { prevArchive: archiveUrls(k - 1) } : {}),
        };
        return prefixed(`${ARCHIVE_FOLDER}${k}/`, buildFeeds(collect(pick(chunk), articles), site, scope));
      },
    });
  }

  const tags = tagsOf(publicArticles);
  for (const [slug, tag] of tags) {
    const top = tag.articles.slice(0, n);
    const folder = tagFolder(slug);
    groups.push({
      id: `tag:${slug}`,
      signature: sig('tag', slug, tag.name, stamp(top)),
      members: pick(top),
      hot: true,
      build: (articles) => {
        const list = collect(pick(top), articles);
        const urls = feedUrls(site, folder);
        const home = new URL(folder, site.url).href;
        const scope: FeedScope = { title: `${site.title}: ${tag.name}`, description: `Articles tagged ${tag.name}`, homeUrl: home, self: urls };
        const files = prefixed(folder, buildFeeds(list, site, scope));
        files.set(`${folder}index.html`, tagPage(list, site, { name: tag.name, url: home, feeds: urls }));
        return files;
      },
    });
  }

  const tagUrls = [...tags].map(([slug, tag]) => ({ loc: new URL(tagFolder(slug), site.url).href, lastmod: lastChange(tag.articles) }));
  const urls = [
    { loc: site.url, lastmod: lastChange(publicArticles) },
    ...publicArticles.map((a) => ({ loc: a.url, lastmod: a.updated?.iso ?? a.published.iso })),
    ...tagUrls,
  ];
  groups.push({ id: 'sitemap', signature: sig('sitemap', urls), members: [], hot: false, build: () => sitemapFiles(urls, site.url) });
  groups.push({
    id: 'static',
    signature: sig('static'),
    members: [],
    hot: false,
    build: () => new Map([['404.html', notFoundPage(site)], ['feed.xsl', feedStylesheet()], ['robots.txt', robotsTxt(site.url)]]),
  });
  return groups;
}

/** Tags by slug, each with its display name (the first spelling met, newest first) and its articles. */
function tagsOf<T extends Meta>(articles: readonly T[]): Map<string, { name: string; articles: T[] }> {
  const tags = new Map<string, { name: string; articles: T[] }>();
  for (const a of articles) {
    for (const name of a.tags) {
      const slug = tagSlug(name);
      const tag = tags.get(slug) ?? { name, articles: [] };
      if (tag.articles.at(-1) !== a) tag.articles.push(a);
      tags.set(slug, tag);
    }
  }
  return new Map([...tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function lastChange(articles: readonly Meta[]): string | undefined {
  let newest: string | undefined;
  for (const a of articles) {
    const at = a.updated?.iso ?? a.published.iso;
    if (newest === undefined || at > newest) newest = at;
  }
  return newest;
}

function prefixed(folder: string, files: FeedFiles): Map<string, string> {
  return new Map(Object.entries(files).map(([key, body]) => [`${folder}${key}`, body]));
}
