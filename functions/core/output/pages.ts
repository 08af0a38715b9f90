import type { Article } from '../article/article.ts';
import type { When } from '../article/dates.ts';
import { tagSlug } from '../article/tags.ts';
import { escapeHtml as esc } from '../article/text.ts';
import { NOT_FOUND_PAGE, tagFolder } from '../keys.ts';
import type { Settings } from '../settings.ts';
import { type FeedScope, type FeedUrls, feedUrls } from './feed-scope.ts';
import { STYLE } from './style.ts';

interface Head {
  title: string;
  description: string;
  canonical: string;
  type: 'website' | 'article';
  extraMeta?: string;
  /** The title names the site already (a feed view's): no " · site" suffix. */
  ownTitle?: boolean;
  /** The feeds this page announces for autodiscovery; the site's own by default. */
  feeds?: { title: string; urls: FeedUrls };
}

/** /articles/<slug>/index.html: the story, readable on its own, with links a reader's app can follow. */
export function articlePage(article: Article, settings: Settings): string {
  const meta = [
    article.authors.length > 0 ? `By ${article.authors.map((p) => (p.url ? `<a href="${esc(p.url)}">${esc(p.name)}</a>` : esc(p.name))).join(', ')}` : '',
    `Published ${timeElement(article.published, settings)}`,
    article.updated ? `Updated ${timeElement(article.updated, settings)}` : '',
  ].filter(Boolean);
  const extraMeta = [
    `<meta property="article:published_time" content="${esc(article.published.iso)}">`,
    article.updated ? `<meta property="article:modified_time" content="${esc(article.updated.iso)}">` : '',
    article.image ? `<meta property="og:image" content="${esc(article.image.url)}">\n<meta property="og:image:alt" content="${esc(article.image.alt)}">` : '',
    ...article.tags.map((t) => `<meta property="article:tag" content="${esc(t)}">`),
  ]
    .filter(Boolean)
    .join('\n');
  const body = `<article>
<h1>${esc(article.title)}</h1>
<p class="meta">${meta.join(' · ')}</p>
${article.standfirst ? `<p class="standfirst">${esc(article.standfirst)}</p>` : ''}
${article.image ? `<figure><img src="${esc(article.image.url)}" alt="${esc(article.image.alt)}"></figure>` : ''}
${article.correction ? `<p class="correction"><strong>Correction:</strong> ${esc(article.correction)}</p>` : ''}
<div class="body">
${article.html}
</div>
${article.tags.length > 0 ? `<p class="tags">Tags: ${article.tags.map((t) => `<a href="${esc(new URL(tagFolder(tagSlug(t)), settings.url).href)}">${esc(t)}</a>`).join(', ')}</p>` : ''}
</article>`;
  return layout(settings, { title: article.title, description: article.summary, canonical: article.url, type: 'article', extraMeta }, body);
}

/** /index.html: the newest articles, and the feeds to subscribe to. */
export function indexPage(articles: readonly Article[], settings: Settings): string {
  return listPage(articles, settings, { title: settings.title, description: settings.description, url: settings.url, feeds: feedUrls(settings) });
}

/** /tags/<tag>/index.html: the newest articles with one tag, and that tag's own feeds. */
export function tagPage(articles: readonly Article[], settings: Settings, tag: { name: string; url: string; feeds: FeedUrls }): string {
  return listPage(articles, settings, { title: tag.name, description: `Articles tagged ${tag.name}`, url: tag.url, feeds: tag.feeds, heading: tag.name });
}

/** The articles as a list's items: headline linked, date, summary. */
function listItems(articles: readonly Article[], settings: Settings): string {
  return articles
    .map(
      (a) => `<li><h2><a href="${esc(a.url)}">${esc(a.title)}</a></h2>
<p class="meta">${timeElement(a.published, settings)}</p>
<p>${esc(a.summary)}</p></li>`,
    )
    .join('\n');
}

function listPage(articles: readonly Article[], settings: Settings, page: { title: string; description: string; url: string; feeds: FeedUrls; heading?: string }): string {
  const items = listItems(articles, settings);
  const body = `<h1>${esc(page.heading ?? settings.title)}</h1>
<p class="standfirst">${esc(page.description)}</p>
${feedLinks(page.feeds)}
${articles.length > 0 ? `<ol class="articles">\n${items}\n</ol>` : '<p>No articles yet.</p>'}`;
  const feeds = { title: page.heading ? `${settings.title}: ${page.heading}` : settings.title, urls: page.feeds };
  return layout(settings, { title: page.title, description: page.description, canonical: page.url, type: 'website', feeds }, body);
}

/**
 * <folder>/feed.html: what a person who opens one of the folder's feeds in a browser sees instead of XML
 * (the edge and the local server serve it for RSS and Atom navigations; see feed-view.ts). It says what
 * a web feed is, gives the addresses to copy into a reader, and lists the feed's items. Not indexed: the
 * feed's articles have pages of their own.
 */
export function feedViewPage(articles: readonly Article[], settings: Settings, scope: FeedScope): string {
  // An archive document is not for subscribing: the reader is pointed at the feeds it belongs to.
  const subscribe = scope.current ?? scope.self;
  const address = (label: string, kind: string, url: string) => `<li>${label}: <code id="feed-url-${kind}">${esc(url)}</code></li>`;
  const items = listItems(articles, settings);
  const body = `<div class="subscribe">
<p><strong>This is a web feed.</strong> A feed reader (an app such as NetNewsWire, Feedly, Thunderbird or
newsboat) checks it for you and shows each new article as it is published, with no account on this site.
${scope.current ? 'This is one page of the archive; to follow the news, copy' : 'To follow it, copy'} one of these addresses into your reader:</p>
<ul>
${address('RSS', 'rss', subscribe.rss)}
${address('Atom', 'atom', subscribe.atom)}
${address('JSON Feed', 'json', subscribe.json)}
</ul>
</div>
<h1>${esc(scope.title)}</h1>
<p class="standfirst">${esc(scope.description)}</p>
<p><a href="${esc(scope.homeUrl)}">Read it on the site</a></p>
${articles.length > 0 ? `<ol class="articles">\n${items}\n</ol>` : '<p>No articles yet.</p>'}`;
  return layout(
    settings,
    {
      title: `${scope.title} (web feed)`,
      ownTitle: true,
      description: scope.description,
      canonical: scope.homeUrl,
      type: 'website',
      extraMeta: '<meta name="robots" content="noindex">',
      feeds: { title: scope.title, urls: subscribe },
    },
    body,
  );
}

/** /404.html: served by the CDN and the local server for any missing path. */
export function notFoundPage(settings: Settings): string {
  const body = `<h1>Page not found</h1>
<p>There is no page at this address. It may have been moved or taken down.</p>
<p><a href="${esc(settings.url)}">Go to the front page</a> for the latest articles.</p>`;
  return layout(settings, { title: 'Page not found', description: settings.description, canonical: new URL(NOT_FOUND_PAGE, settings.url).href, type: 'website' }, body);
}

function feedLinks(urls: FeedUrls): string {
  return `<p class="feeds">Subscribe: <a href="${esc(urls.rss)}">RSS</a> <a href="${esc(urls.atom)}">Atom</a> <a href="${esc(urls.json)}">JSON Feed</a></p>`;
}

function layout(settings: Settings, head: Head, body: string): string {
  const feeds = head.feeds ?? { title: settings.title, urls: feedUrls(settings) };
  const pageTitle = head.title === settings.title || head.ownTitle ? head.title : `${head.title} · ${settings.title}`;
  return `<!doctype html>
<html lang="${esc(settings.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(pageTitle)}</title>
<meta name="description" content="${esc(head.description)}">
<link rel="canonical" href="${esc(head.canonical)}">
<link rel="alternate" type="application/rss+xml" title="${esc(feeds.title)} (RSS)" href="${esc(feeds.urls.rss)}">
<link rel="alternate" type="application/atom+xml" title="${esc(feeds.title)} (Atom)" href="${esc(feeds.urls.atom)}">
<link rel="alternate" type="application/feed+json" title="${esc(feeds.title)} (JSON Feed)" href="${esc(feeds.urls.json)}">
<meta property="og:type" content="${head.type}">
<meta property="og:site_name" content="${esc(settings.title)}">
<meta property="og:title" content="${esc(head.title)}">
<meta property="og:description" content="${esc(head.description)}">
<meta property="og:url" content="${esc(head.canonical)}">
${head.extraMeta ?? ''}
<style>${STYLE}</style>
</head>
<body>
<header class="site"><div class="wrap"><a href="${esc(settings.url)}">${esc(settings.title)}</a></div></header>
<main class="wrap">
${body}
</main>
<footer class="site"><div class="wrap">${feedLinks(feedUrls(settings))}${settings.copyright ? `<p>${esc(settings.copyright)}</p>` : ''}</div></footer>
</body>
</html>
`;
}

/** A <time> a person can read and a machine can parse; a date-only source shows no made-up time. */
function timeElement(when: When, settings: Settings): string {
  const date = new Date(when.iso);
  const shown = when.dateOnly ? formatter(settings.language, false).format(date) : `${formatter(settings.language, true).format(date)} UTC`;
  return `<time datetime="${esc(when.dateOnly ? when.iso.slice(0, 10) : when.iso)}">${esc(shown)}</time>`;
}

// Building an Intl.DateTimeFormat is costly (it was the hottest function of a full build): one per kind.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(language: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${language}|${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(language, { dateStyle: 'long', ...(withTime ? { timeStyle: 'short' } : {}), timeZone: 'UTC' });
    formatters.set(key, f);
  }
  return f;
}
