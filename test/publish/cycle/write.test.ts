import { describe, expect, it } from 'vitest';
import { isEmptyWork, noSiteWork, type SiteWork, writeInOrder } from '../../../functions/publish/cycle/write.ts';
import { MemoryStore } from '../../../functions/stores/memory-store.ts';
import { RecordingStore, span } from '../../helpers/recording-store.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);

/** A cycle's site work touching every kind of key, groups in the order the plan gives them. */
function work(): SiteWork {
  return {
    mediaPut: ['media/harbour.jpg', 'media/missing.jpg'],
    mediaDelete: ['media/old.jpg'],
    pages: new Map([
      ['articles/a/index.html', '<p>a</p>'],
      ['articles/b/index.html', '<p>b</p>'],
    ]),
    groups: [
      {
        id: { kind: 'archive', n: 1 },
        files: new Map([
          ['archive/1/rss.xml', '<rss/>'],
          ['archive/1/feed.html', '<p>archive</p>'],
        ]),
      },
      {
        id: { kind: 'tag', slug: 'port' },
        files: new Map([
          ['tags/port/feed.json', '{}'],
          ['tags/port/index.html', '<p>port</p>'],
          ['tags/port/feed.html', '<p>view</p>'],
        ]),
      },
      {
        id: { kind: 'main' },
        files: new Map([
          ['feed.json', '{}'],
          ['rss.xml', '<rss/>'],
          ['index.html', '<p>front</p>'],
        ]),
      },
    ],
    deletes: ['articles/old/index.html', 'tags/port/feed.json'],
  };
}

async function written(): Promise<{ log: string[]; site: MemoryStore; result: { written: string[]; deleted: string[] } }> {
  const content = new MemoryStore();
  await content.put('media/harbour.jpg', JPEG, { contentType: 'image/jpeg' });
  const site = new MemoryStore();
  for (const key of ['articles/old/index.html', 'media/old.jpg']) await site.put(key, 'old', { contentType: 'text/html' });
  const recorded = new RecordingStore(site, 'site');
  const result = await writeInOrder(recorded, content, work(), 4);
  return { log: recorded.log, site, result };
}

describe("writing a cycle's site work", () => {
  it('writes in an order every link a reader follows resolves in: media, pages, each group lists before feeds, the site feeds last, deletions after', async () => {
    // Act
    const { log } = await written();
    // Assess
    const at = (...keys: string[]) => span(log, (e) => keys.some((k) => e.endsWith(` ${k}`)));
    const order = [
      at('media/harbour.jpg'),
      at('articles/a/index.html', 'articles/b/index.html'),
      at('archive/1/feed.html'),
      at('archive/1/rss.xml'),
      at('tags/port/index.html', 'tags/port/feed.html'),
      at('tags/port/feed.json'),
      at('index.html'),
      at('feed.json', 'rss.xml'),
      at('articles/old/index.html', 'media/old.jpg'),
    ];
    for (let i = 1; i < order.length; i++) expect(order[i - 1]!.last, `step ${i} before step ${i + 1}`).toBeLessThan(order[i]!.first);
    expect(log.filter((e) => e.startsWith('site delete'))).toEqual(['site delete articles/old/index.html', 'site delete media/old.jpg']);
  });

  it('never deletes a key it wrote in the same work, and reports what it wrote and deleted, sorted', async () => {
    const { site, result } = await written();
    expect(result.deleted).toEqual(['articles/old/index.html', 'media/old.jpg']);
    expect(result.written).toEqual([
      'archive/1/feed.html',
      'archive/1/rss.xml',
      'articles/a/index.html',
      'articles/b/index.html',
      'feed.json',
      'index.html',
      'media/harbour.jpg',
      'rss.xml',
      'tags/port/feed.html',
      'tags/port/feed.json',
      'tags/port/index.html',
    ]);
    expect(await site.get('tags/port/feed.json')).toBeDefined();
  });

  it('copies a lead image with its stored type, and skips one that is gone from the content without failing', async () => {
    const { site, result } = await written();
    const image = await site.get('media/harbour.jpg');
    expect(Buffer.from(image!.body).equals(JPEG)).toBe(true);
    expect(image!.contentType).toBe('image/jpeg');
    expect(result.written).not.toContain('media/missing.jpg');
    expect(await site.get('media/missing.jpg')).toBeUndefined();
  });

  it('serves pages and feeds with their own content types', async () => {
    const { site } = await written();
    expect((await site.head('articles/a/index.html'))?.contentType).toBe('text/html; charset=utf-8');
    expect((await site.head('feed.json'))?.contentType).toBe('application/feed+json; charset=utf-8');
  });

  it('calls work empty only when it writes and deletes nothing (a group with no changed file is nothing)', () => {
    const empty = noSiteWork();
    empty.groups.push({ id: { kind: 'main' }, files: new Map() });
    expect(isEmptyWork(empty)).toBe(true);
    expect(isEmptyWork({ ...noSiteWork(), deletes: ['articles/a/index.html'] })).toBe(false);
    expect(isEmptyWork({ ...noSiteWork(), mediaDelete: ['media/a.jpg'] })).toBe(false);
    expect(isEmptyWork(work())).toBe(false);
  });
});
