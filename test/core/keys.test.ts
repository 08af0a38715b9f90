import { describe, expect, it } from 'vitest';

import {
  archiveFolder,
  articleSitemapKey,
  etagPart,
  type GroupId,
  groupFiles,
  groupName,
  groupOfSiteKey,
  groupOrder,
  isArticleKey,
  isFeedKey,
  isManagedSiteKey,
  isSafeMediaKey,
  keyHash,
  pageKey,
  parseGroupName,
  slugOfPageKey,
  tagFolder,
  tagSitemapKey,
  tagTimeline,
} from '../../functions/core/keys.ts';
import { STATE } from '../../functions/core/state/state.ts';

// keys.ts: every key wirefeed reads or writes, and the output groups that write the site's files.

const GROUPS: GroupId[] = [
  { kind: 'main' },
  { kind: 'tag', slug: 'politics' },
  { kind: 'archive', n: 3 },
  { kind: 'sitemap' },
  { kind: 'sitemap-articles', n: 2 },
  { kind: 'sitemap-tags', n: 1 },
  { kind: 'news' },
  { kind: 'static' },
];

describe('content keys', () => {
  it('are articles when they are Markdown under articles/, in a folder or not, and not a dot-file', () => {
    expect(['articles/budget-vote.md', 'articles/2025/harbour-fire.md', 'articles/Budget vote 2025.md'].map(isArticleKey)).toEqual([true, true, true]);
    expect(['articles/.budget-vote.md', 'articles/budget-vote.txt', 'articles/budget-vote.md.bak', 'media/budget-vote.md', 'site.yaml'].map(isArticleKey)).toEqual([false, false, false, false, false]);
  });

  it.each(['media/photo.jpg', 'media/2025/Harbour at dawn (1).jpg', 'media/café/été.png', 'media/a+b,c~d_e-f.png'])('take %s as a media key an article may name', (key) => {
    expect(isSafeMediaKey(key)).toBe(true);
  });

  it.each([
    ['a parent folder', 'media/a/../b.jpg'],
    ['a dot-file', 'media/.htaccess'],
    ['an empty segment', 'media/a//b.jpg'],
    ['no file at all', 'media/'],
    ['a backslash', 'media/a\\b.jpg'],
    ['a NUL', 'media/a\u0000.jpg'],
    ['a colon', 'media/c:photo.jpg'],
    ['quotes', 'media/"photo".jpg'],
    ['a query', 'media/photo.jpg?w=1'],
    ['a percent sign', 'media/photo%20one.jpg'],
    ['another folder', 'articles/photo.jpg'],
    ['more than 300 characters', `media/${'a'.repeat(291)}.jpg`],
  ])('refuse a media key with %s', (_what, key) => {
    expect(isSafeMediaKey(key)).toBe(false);
  });
});

describe('site keys', () => {
  it("put an article's page, a tag's folder, archive pages and sitemap shards where the site's links point", () => {
    expect([pageKey('budget-vote'), tagFolder('q-a'), archiveFolder(3), articleSitemapKey(2), tagSitemapKey(1)]).toEqual([
      'articles/budget-vote/index.html',
      'tags/q-a/',
      'archive/3/',
      'sitemap-2.xml',
      'sitemap-tags-1.xml',
    ]);
  });

  it("give back an article page's slug, and none for any other key", () => {
    expect(slugOfPageKey(pageKey('budget-vote'))).toBe('budget-vote');
    expect(['articles/a/b/index.html', 'articles/a/photo.jpg', 'tags/a/index.html', 'index.html'].map(slugOfPageKey)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('tell the three feed documents of any folder from everything else', () => {
    expect(['rss.xml', 'atom.xml', 'feed.json', 'tags/q-a/rss.xml', 'archive/2/feed.json'].map(isFeedKey)).toEqual([true, true, true, true, true]);
    expect(['feed.html', 'notrss.xml', 'rss.xml.bak', 'sitemap.xml', 'tags/q-a/index.html'].map(isFeedKey)).toEqual([false, false, false, false, false]);
  });

  it('are managed by wirefeed when a group, a page or media/ has them, or an older wirefeed left them', () => {
    const owned = [...GROUPS.flatMap(groupFiles), pageKey('budget-vote'), 'media/photo.jpg', 'feed.xsl', '.wirefeed/head.json'];
    for (const key of owned) expect(isManagedSiteKey(key), key).toBe(true);
  });

  it("leave a site owner's own files alone", () => {
    const theirs = ['favicon.ico', 'about/index.html', 'CNAME', 'articles/budget-vote/photo.jpg', 'sitemap-extra.xml', 'style.css'];
    expect(theirs.filter(isManagedSiteKey)).toEqual([]);
  });
});

describe('output groups', () => {
  it.each(GROUPS.map((id) => [groupName(id), id] as const))('are named %s, and read back from the name', (name, id) => {
    expect(parseGroupName(name)).toEqual(id);
  });

  it.each(['tag:', 'archive:0', 'archive:1.5', 'archive:x', 'sitemap-tags:-1', 'page:1', 'main:1', ''])('refuse the name %j', (name) => {
    expect(parseGroupName(name)).toBeUndefined();
  });

  it.each(GROUPS.map((id) => [groupName(id), id] as const))('%s: own each file they write, and only theirs', (_name, id) => {
    for (const key of groupFiles(id)) expect(groupOfSiteKey(key), key).toEqual(id);
  });

  it('own no page and no media', () => {
    expect([pageKey('budget-vote'), 'media/photo.jpg', 'feed.xsl', 'tags/q-a/other.html'].map(groupOfSiteKey)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("are written so that a reader following any link finds its target: fixed files, shards, the index, archives, tags, the site's feeds", () => {
    // Act
    const order = [...GROUPS].reverse().sort((a, b) => groupOrder(a) - groupOrder(b));

    // Assess
    expect(order.map(groupName)).toEqual(['static', 'news', 'sitemap-tags:1', 'sitemap-articles:2', 'sitemap', 'archive:3', 'tag:politics', 'main']);
  });
});

describe('state keys', () => {
  it('name a content key by a short, stable, path-safe hash', () => {
    // Act
    const h = keyHash('articles/budget-vote.md');

    // Assess
    expect(h).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(keyHash('articles/budget-vote.md')).toBe(h);
    expect(keyHash('articles/budget-vote-2.md')).not.toBe(h);
  });

  it('keep an ETag to the characters a file name can hold', () => {
    expect([etagPart('"9b2cf535f27731c974343645a3985328"'), etagPart('W/"abc/def"'), etagPart('"a-b_c"')]).toEqual(['9b2cf535f27731c974343645a3985328', 'Wabcdef', 'a-b_c']);
    expect(STATE.seen('h1', '"abc"')).toBe('seen/h1.abc');
  });

  it("put any group's name, a tag's with a colon or a slash too, in one path segment", () => {
    expect(STATE.group('tag:q/a b')).toBe('groups/tag%3Aq%2Fa%20b.json');
    expect(STATE.id('tag:news.test,2025-03-14:budget-vote')).toBe(`ids/${keyHash('tag:news.test,2025-03-14:budget-vote')}.json`);
    expect(STATE.timelineChunk(tagTimeline('q-a'), 2)).toBe('timeline/tag-q-a/2.json');
  });
});
