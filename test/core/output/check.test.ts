import { describe, expect, it } from 'vitest';
import { FeedCheckError } from '../../../functions/core/errors.ts';
import { checkFeed, checkFeeds, countItems } from '../../../functions/core/output/check.ts';
import { buildFeeds } from '../../../functions/core/output/feeds.ts';
import { feeds, plain, settings } from '../../helpers/feed-fixture.ts';

// check.ts: every generated feed is parsed back before it is written; a failure keeps the previous good feed.

/** The FeedCheckError a call throws (the test fails if it throws nothing, or something else). */
function refusal(act: () => unknown): FeedCheckError {
  try {
    act();
  } catch (err) {
    expect(err).toBeInstanceOf(FeedCheckError);
    return err as FeedCheckError;
  }
  throw new Error('expected a FeedCheckError');
}

describe('the parse-back check before writing', () => {
  it('accepts the feeds it is given and counts their items', () => {
    for (const [key, body] of Object.entries(feeds)) expect(() => checkFeed(key, body, 2)).not.toThrow();
  });

  it('refuses XML that is not well-formed, and a feed that lost items', () => {
    expect(() => checkFeed('rss.xml', feeds['rss.xml'].replace('<channel>', '<channel>\u0001'), 2)).toThrow(FeedCheckError);
    expect(() => checkFeed('atom.xml', feeds['atom.xml'], 3)).toThrow(/2 items instead of 3/);
    expect(() => checkFeed('feed.json', '{"version":"https://jsonfeed.org/version/1","items":[]}', 0)).toThrow(/not JSON Feed 1.1/);
  });
});

describe('a feed read back on its own', () => {
  it('names the feed and what is wrong, and says the previous one was kept', () => {
    // Act
    const error = refusal(() => checkFeed('tags/politics/feed.json', '{"version":"https://jsonfeed.org/version/1.1","items":[{"id":""}]}', 1));

    // Assess
    expect(error.file).toBe('tags/politics/feed.json');
    expect(error.detail).toBe('an item has no id');
    expect(error.message).toBe('tags/politics/feed.json: the generated feed is invalid (an item has no id); the previous one was kept');
  });

  it.each([
    ['text that is not JSON', '{"version":', /^not JSON: /],
    ['a document without an items array', '{"version":"https://jsonfeed.org/version/1.1","items":{}}', /^no items array$/],
    ['an item without an id', '{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"a"},{"title":"b"}]}', /^an item has no id$/],
  ])('refuses as JSON Feed %s', (_what, body, detail) => {
    expect(refusal(() => countItems('feed.json', body)).detail).toMatch(detail);
  });

  it.each([
    ['an entity XML does not define', '<rss version="2.0"><channel><title>A&nbsp;B</title></channel></rss>', /^not well-formed XML: /],
    ['a tag never closed', '<rss version="2.0"><channel><item></channel></rss>', /^not well-formed XML: /],
    ['a control character', '<rss version="2.0"><channel><title>\u0007</title></channel></rss>', /^not well-formed XML: /],
    ['an HTML page', '<html><body>Not a feed</body></html>', /^neither an RSS 2.0 nor an Atom document$/],
    ['a <feed> outside the Atom namespace', '<feed><entry/></feed>', /^neither an RSS 2.0 nor an Atom document$/],
  ])('refuses as XML %s', (_what, body, detail) => {
    expect(refusal(() => countItems('rss.xml', body)).detail).toMatch(detail);
  });

  it("counts only the channel's items and the feed's own entries, not elements of the same name deeper down", () => {
    // Prepare
    const rss = '<rss version="2.0"><channel><item><x:y xmlns:x="urn:x"><item/></x:y></item><item/></channel></rss>';
    const atom = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml"><entry/></content></entry></feed>';

    // Act + Assess
    expect(countItems('rss.xml', rss)).toBe(2);
    expect(countItems('atom.xml', atom)).toBe(1);
  });
});

describe('the feeds of a group read back together', () => {
  it('accepts three formats of a folder that agree, and skips the pages beside them', () => {
    // Prepare
    const files = new Map([...Object.entries(feeds), ['feed.html', '<!doctype html><p>not XML at all'], ['index.html', '<p>']]);

    // Act + Assess
    expect(() => checkFeeds(files)).not.toThrow();
  });

  it('refuses a format that holds a different number of items from the others of its folder, naming it', () => {
    // Prepare: the Atom document of another build, one item short
    const short = buildFeeds([plain], settings);
    const files = new Map([
      ['tags/x/rss.xml', feeds['rss.xml']],
      ['tags/x/atom.xml', short['atom.xml']],
      ['tags/x/feed.json', feeds['feed.json']],
    ]);

    // Act
    const error = refusal(() => checkFeeds(files));

    // Assess
    expect(error.file).toBe('tags/x/atom.xml');
    expect(error.detail).toBe('1 items where the other formats have 2');
  });

  it('lets feeds of different folders hold different numbers of items', () => {
    // Prepare
    const short = buildFeeds([plain], settings);
    const files = new Map([...Object.entries(feeds), ...Object.entries(short).map(([key, body]) => [`archive/1/${key}`, body] as [string, string])]);

    // Act + Assess
    expect(() => checkFeeds(files)).not.toThrow();
  });
});
