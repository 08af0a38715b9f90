import { describe, expect, it } from 'vitest';
import type { FeedCheckError } from '../../../functions/core/errors.ts';
import { keyHash, pageKey } from '../../../functions/core/keys.ts';
import { type ArticleRecord, type Head, readState, STATE, StateError } from '../../../functions/core/state/state.ts';
import { buildGroup, buildGroups, buildPages } from '../../../functions/publish/cycle/build.ts';
import { StateView } from '../../../functions/publish/cycle/state-view.ts';
import { testSettings } from '../../helpers/content.ts';
import { type MemorySite, memorySite } from '../../helpers/engine.ts';
import { parseJsonFeed } from '../../helpers/feeds.ts';

const settings = testSettings();
const JSON_TYPE = { contentType: 'application/json' };

async function stateOf<T>(s: MemorySite, key: Parameters<typeof readState<T>>[0]): Promise<T> {
  return readState(key, (await s.state.get(key))!.body);
}

/** Two stories published, one tagged Port; the state's head. */
async function published(): Promise<{ s: MemorySite; head: Head }> {
  const s = await memorySite();
  await s.article('a.md', { title: 'Story A', date: '2026-11-20', tags: ['Port'] });
  await s.article('b.md', { title: 'Story B', date: '2026-11-21' });
  await s.publish();
  return { s, head: await stateOf(s, STATE.head) };
}

/** Replace a stored record's article fields, as a bug in an earlier version might have left them. */
async function tamper(s: MemorySite, file: string, change: Partial<ArticleRecord['article']>): Promise<void> {
  const key = STATE.record(keyHash(file));
  const record = await stateOf(s, key);
  await s.state.put(key, JSON.stringify({ ...record, article: { ...record.article, ...change } }), JSON_TYPE);
}

describe('building groups and pages from the state', () => {
  it('builds a feed from the versions the state knows, never from a newer file not yet processed', async () => {
    // Prepare: story B is edited in the content; its event has not been handled
    const { s, head } = await published();
    await s.article('b.md', { title: 'Story B, not yet processed', date: '2026-11-21' });
    // Act
    const files = await buildGroup(new StateView(s.state), { kind: 'main' }, settings, head, 4);
    // Assess
    expect(parseJsonFeed(files.get('feed.json')!).items.map((i) => i.title)).toEqual(['Story B', 'Story A']);
  });

  it('builds nothing for a tag that is gone', async () => {
    const { s, head } = await published();
    expect(await buildGroup(new StateView(s.state), { kind: 'tag', slug: 'nobody' }, settings, head, 4)).toEqual(new Map());
    expect([...(await buildGroup(new StateView(s.state), { kind: 'tag', slug: 'port' }, settings, head, 4)).keys()]).toContain('tags/port/feed.json');
  });

  it('keeps a whole group as it was when one of its feeds fails its parse-back, and reports the feed', async () => {
    // Prepare: story B's record holds an empty id, which the JSON feed's parse-back refuses
    const { s, head } = await published();
    const hashesBefore = await stateOf(s, STATE.group('main'));
    await tamper(s, 'articles/b.md', { id: '' });
    const view = new StateView(s.state);
    const failed: FeedCheckError[] = [];
    // Act
    const [built, tag] = await buildGroups(view, [{ kind: 'main' }, { kind: 'tag', slug: 'port' }], settings, head, 4, false, failed);
    // Assess: no file of the group is written (its front page and feed view list what its feeds list),
    // its hashes stay those of the files on the site, and the other group is built
    expect(failed.map((e) => e.message)).toEqual(['feed.json: the generated feed is invalid (an item has no id); the previous one was kept']);
    expect(built!.files.size).toBe(0);
    expect(built!.changed).toEqual([]);
    expect(await view.read(STATE.group('main'))).toEqual(hashesBefore);
    expect(view.writes().map((w) => w.key)).not.toContain(STATE.group('main'));
    expect(tag!.files.has('tags/port/feed.json')).toBe(true);
  });

  it('names only the files whose bytes changed, unless forced to rewrite them all (a repair)', async () => {
    // Prepare: story A, in the tag, gets a new title in its record
    const { s, head } = await published();
    await tamper(s, 'articles/a.md', { title: 'Story A, corrected' });
    // Act
    const [tag] = await buildGroups(new StateView(s.state), [{ kind: 'tag', slug: 'port' }], settings, head, 4);
    const [same] = await buildGroups(new StateView(s.state), [{ kind: 'static' }], settings, head, 4);
    const [forced] = await buildGroups(new StateView(s.state), [{ kind: 'static' }], settings, head, 4, true);
    // Assess
    expect(tag!.changed.sort()).toEqual(['tags/port/atom.xml', 'tags/port/feed.html', 'tags/port/feed.json', 'tags/port/index.html', 'tags/port/rss.xml']);
    expect(same!.changed).toEqual([]);
    expect(forced!.changed.sort()).toEqual(['404.html', 'robots.txt']);
  });

  it('stops with a StateError naming the record an index names but the state lacks', async () => {
    const { s, head } = await published();
    await s.state.delete(STATE.record(keyHash('articles/a.md')));
    await expect(buildGroup(new StateView(s.state), { kind: 'main' }, settings, head, 4)).rejects.toThrow(new StateError(STATE.record(keyHash('articles/a.md')), 'is named by an index but missing'));
  });

  it('renders a page only when its bytes differ from the page last written, and records the page it stands for', async () => {
    // Prepare
    const { s } = await published();
    const h = keyHash('articles/a.md');
    const view = new StateView(s.state);
    const record = (await view.base(STATE.record(h)))!;
    // Act
    const unchanged = buildPages(view, new Map([[h, record]]), settings);
    const forced = buildPages(view, new Map([[h, record]]), settings, true);
    const retitled = buildPages(view, new Map([[h, { ...record, article: { ...record.article, title: 'Story A, corrected' } }]]), settings);
    // Assess
    expect(unchanged).toEqual(new Map());
    expect([...forced.keys()]).toEqual([pageKey('a')]);
    expect(retitled.get(pageKey('a'))).toContain('Story A, corrected');
    expect(view.peek(STATE.record(h))?.page).not.toBe(record.page);
  });
});
