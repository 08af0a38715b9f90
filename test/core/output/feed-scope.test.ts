import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { feedId, feedUpdated, feedUrls, siteScope } from '../../../functions/core/output/feed-scope.ts';
import { buildFeeds } from '../../../functions/core/output/feeds.ts';
import { parseSettings } from '../../../functions/core/settings.ts';
import { testSettings } from '../../helpers/content.ts';
import { article, corrected, plain } from '../../helpers/feed-fixture.ts';
import { nodeText, parseAtom } from '../../helpers/feeds.ts';

// feed-scope.ts: where a set of feeds lives, what its Atom id is, and when it last changed.

describe('feed identity', () => {
  const yaml = { title: 'Wire', description: 'News', url: 'https://news.test/' };
  const local = parseSettings(Buffer.from(stringify(yaml)), 'http://localhost:8080/');
  const deployed = parseSettings(Buffer.from(stringify(yaml)), 'https://d111.cloudfront.test/');

  it("gives the Atom feed the same id locally and deployed: site.yaml's url, not SITE_URL", () => {
    const ids = [local, deployed].map((s) => nodeText(parseAtom(buildFeeds([], s)['atom.xml']).xml.feed.id));
    expect(ids).toEqual(['https://news.test/', 'https://news.test/']);
    const self = parseAtom(buildFeeds([], local)['atom.xml']).xml.feed.link.find((l: Record<string, string>) => l['@_rel'] === 'self');
    expect(self['@_href']).toBe('http://localhost:8080/atom.xml'); // links follow SITE_URL
  });

  it("gives a folder's feeds an id under site.yaml's url and addresses under SITE_URL", () => {
    // Act
    const ids = [local, deployed].map((s) => feedId(s, 'tags/politics/'));
    const urls = feedUrls(local, 'tags/politics/');

    // Assess
    expect(ids).toEqual(['https://news.test/tags/politics/', 'https://news.test/tags/politics/']);
    expect(urls).toEqual({
      rss: 'http://localhost:8080/tags/politics/rss.xml',
      atom: 'http://localhost:8080/tags/politics/atom.xml',
      json: 'http://localhost:8080/tags/politics/feed.json',
    });
  });
});

describe("the site's own scope", () => {
  it('places the feeds under the path of a site that is not at the root of its host', () => {
    // Prepare
    const nested = testSettings({ url: 'https://example.org/news' });

    // Act
    const scope = siteScope(nested);

    // Assess
    expect(scope).toEqual({
      id: 'https://example.org/news/',
      title: 'Test Wire',
      description: 'Reports for the test suite',
      homeUrl: 'https://example.org/news/',
      self: { rss: 'https://example.org/news/rss.xml', atom: 'https://example.org/news/atom.xml', json: 'https://example.org/news/feed.json' },
    });
    expect(feedUrls(nested, 'archive/3/').json).toBe('https://example.org/news/archive/3/feed.json');
  });
});

describe('when a feed last changed', () => {
  it('is its newest first publication or correction, whatever the order of the articles', () => {
    // Prepare: corrected was published 2025-03-14 and corrected 2025-03-15; a later story from the 16th
    const later = article('later', { title: 'Later', date: '2025-03-16T07:00:00Z' });

    // Act + Assess
    expect(feedUpdated([plain, corrected])).toBe('2025-03-15T08:00:00Z');
    expect(feedUpdated([corrected, plain])).toBe('2025-03-15T08:00:00Z');
    expect(feedUpdated([corrected, later, plain])).toBe('2025-03-16T07:00:00Z');
  });
});
