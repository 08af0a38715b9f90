import { describe, expect, it } from 'vitest';
import { etagPart, keyHash } from '../../../functions/core/keys.ts';
import {
  fileOfStateKey,
  type Head,
  listedAs,
  MAX_TOUCHED,
  noteTouched,
  type RebuildProgress,
  readState,
  STATE,
  STATE_VERSION,
  StateError,
  type StateKey,
  timelineDir,
  trustedFile,
} from '../../../functions/core/state/state.ts';
import { memorySite } from '../../helpers/engine.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);

/** A head as this version writes it. */
const head = { v: STATE_VERSION, settings: 'abc', generation: 3, nextSeq: 2, nextTagSeq: 1, public: 2 };

/** What a read of `bytes` at `key` throws, or undefined when it reads. */
function refusal(key: StateKey<unknown>, bytes: string): Error | undefined {
  try {
    readState(key, bytes);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

describe('the state table', () => {
  it('reads back every object a publish leaves, each found by listing its folder, as its own kind', async () => {
    // Prepare: a site with tags, a lead image, a draft and an embargo, so every kind of object is written
    const s = await memorySite();
    await s.content.put('media/harbour.jpg', JPEG, { contentType: 'image/jpeg' });
    await s.article('harbour.md', { title: 'Harbour', date: '2026-11-25T08:00:00Z', tags: ['Port', 'Élection'], image: { url: '/media/harbour.jpg', alt: 'The harbour' } });
    await s.article('vote.md', { title: 'Vote', date: '2026-11-24T20:00:00Z', tags: ['Élection'] });
    await s.article('notes.md', { title: 'Notes', date: '2026-11-22', draft: true });
    await s.article('budget.md', { title: 'Budget', date: '2026-12-24T06:00:00Z' });
    await s.publish();
    /** Every object under a kind's folder, found by listing it and read as that kind. */
    const listed = async <T>(kind: (...args: never[]) => StateKey<T>, folder: string): Promise<T[]> => {
      const found: T[] = [];
      for (const info of await s.state.list(folder)) found.push(readState(listedAs(kind, info.key), (await s.state.get(info.key))!.body));
      return found;
    };
    // Act
    const read = {
      records: await listed(STATE.record, STATE.records),
      slugs: await listed(STATE.slug, STATE.slugs),
      ids: await listed(STATE.id, STATE.ids),
      archivePages: await listed(STATE.archivePage, STATE.archivePages),
      sitemapShards: await listed(STATE.sitemapShard, STATE.sitemapShards),
      tagShards: await listed(STATE.tagShard, STATE.tagShards),
      media: await listed(STATE.media, STATE.mediaRefs),
      groups: await listed(STATE.group, STATE.groups),
      // Directories and chunks share the folder: each key's own shape is checked
      timelines: await listed(STATE.timelineChunk, STATE.timelines),
    };
    const timelines = await s.state.list(STATE.timelines);
    // Assess: every kind was there to read, and the fixed objects read too
    for (const [folder, objects] of Object.entries(read)) expect(objects.length, folder).toBeGreaterThan(0);
    expect(read.records.map((r) => r.article.title).sort()).toEqual(['Budget', 'Harbour', 'Notes', 'Vote']);
    expect(read.media.map((r) => r.key)).toEqual(['media/harbour.jpg']);
    expect(timelines.map((i) => i.key)).toContain(STATE.tagDir('election'));
    expect(readState(STATE.mainDir, (await s.state.get(STATE.mainDir))!.body).count).toBe(2);
    expect(readState(STATE.head, (await s.state.get(STATE.head))!.body).public).toBe(2);
    expect(readState(STATE.schedule, (await s.state.get(STATE.schedule))!.body).drafts.map((d) => d.key)).toEqual(['articles/notes.md']);
    expect(readState(STATE.news, (await s.state.get(STATE.news))!.body).items.map((i) => i.title)).toEqual(['Harbour', 'Vote']);
    expect(readState(STATE.tagDir('election'), (await s.state.get(STATE.tagDir('election')))!.body).name).toBe('Élection');
  });

  it('refuses an object cut short, naming its key and saying it is not JSON', () => {
    // Prepare
    const key = STATE.record(keyHash('articles/a.md'));
    // Act
    const err = refusal(key, '{"key":"articles/a.md","etag":"\\"12');
    // Assess
    expect(err).toBeInstanceOf(StateError);
    expect(err?.message).toBe(`${key}: is not JSON (truncated or overwritten?)`);
    expect((err as StateError).file).toBe(key);
  });

  it("refuses another kind's object at a key, naming the key: a slug claim where a record should be", () => {
    const key = STATE.record(keyHash('articles/a.md'));
    const err = refusal(key, JSON.stringify({ key: 'articles/a.md' }));
    expect(err).toBeInstanceOf(StateError);
    expect(err?.message).toBe(`${key}: does not have the shape this version of wirefeed writes`);
  });

  it('refuses JSON that is no object at all (null, a number, a string) at every fixed key', () => {
    for (const key of [STATE.head, STATE.schedule, STATE.news, STATE.mainDir]) {
      for (const body of ['null', '42', '"head"', '[]']) expect(refusal(key, body), `${key} holding ${body}`).toBeInstanceOf(StateError);
    }
  });

  it('refuses a head an older version wrote, so an older state is rebuilt rather than misread', () => {
    expect(refusal(STATE.head, JSON.stringify(head))).toBeUndefined();
    expect(refusal(STATE.head, JSON.stringify({ ...head, v: STATE_VERSION - 1 }))).toBeInstanceOf(StateError);
    // Version 4 named a journal's site deletions otherwise, and rechecks were one object, not a list
    expect(refusal(STATE.head, JSON.stringify({ ...head, recheck: { key: 'journal/x.json', after: '2026-11-25T12:02:00.000Z' } }))).toBeInstanceOf(StateError);
    const journal = { generation: 4, state: [], site: { mediaPut: [], mediaDelete: [], pages: [], groups: [], deletes: [] } };
    expect(refusal(STATE.journal('x.json'), JSON.stringify(journal))).toBeUndefined();
    const { deletes, ...older } = journal.site;
    expect(refusal(STATE.journal('x.json'), JSON.stringify({ ...journal, site: { ...older, delete: deletes } }))).toBeInstanceOf(StateError);
  });

  it("reads the main timeline's directory without a title, and refuses a tag's that has none", () => {
    const dir = { chunks: [], next: 0, count: 0 };
    expect(refusal(STATE.mainDir, JSON.stringify(dir))).toBeUndefined();
    expect(refusal(STATE.tagDir('politics'), JSON.stringify(dir))).toBeInstanceOf(StateError);
    expect(refusal(STATE.tagDir('politics'), JSON.stringify({ ...dir, name: 'Politics', seq: 0 }))).toBeUndefined();
    expect(timelineDir('main')).toBe(STATE.mainDir);
    expect(timelineDir('tag-politics')).toBe(STATE.tagDir('politics'));
  });

  it('gives back the object as it was written, unknown fields and key order kept, so an unchanged object is seen as unchanged', () => {
    const bytes = JSON.stringify({ generation: 3, v: STATE_VERSION, public: 2, nextTagSeq: 1, nextSeq: 2, settings: 'abc', later: 'a field a newer version added' });
    expect(JSON.stringify(readState(STATE.head, bytes))).toBe(bytes);
  });

  it('keeps a key made from hostile names one object in its own folder, and reads it back when listed', () => {
    // Prepare: an id with slashes, dots and quotes, a media key with spaces and unicode, a group named by a tag
    const id = STATE.id('https://news.test/a/../b?x="1"&y=<2>');
    const media = STATE.media('media/été 2026/harbour (1).jpg');
    const group = STATE.group('tag:a/b?c');
    const claim = { key: 'articles/a.md' };
    const ref = { key: 'media/été 2026/harbour (1).jpg', etag: '"e"', users: ['h'] };
    const files = { files: { 'tags/a/rss.xml': 'hash' } };
    // Act
    const listed = [
      [id, STATE.ids, readState(listedAs(STATE.id, id as string), JSON.stringify(claim)), claim],
      [media, STATE.mediaRefs, readState(listedAs(STATE.media, media as string), JSON.stringify(ref)), ref],
      [group, STATE.groups, readState(listedAs(STATE.group, group as string), JSON.stringify(files)), files],
    ] as const;
    // Assess
    for (const [key, folder, value, written] of listed) {
      expect(key.startsWith(folder), key).toBe(true);
      expect(key.slice(folder.length), key).not.toContain('/');
      expect(value).toEqual(written);
    }
    expect(STATE.id('urn:a')).not.toBe(STATE.id('urn:b'));
  });

  it('says a key no kind of object is kept at is a bug, not lost state', () => {
    const err = refusal(listedAs(STATE.record, 'lease.json'), '{}');
    expect(err).not.toBeInstanceOf(StateError);
    expect(err?.message).toBe('no state object is kept at lease.json');
  });
});

describe('the file a record or marker key is for', () => {
  it("is read back from the names STATE makes, with the marker's ETag part, and from no other key", () => {
    // Prepare
    const h = keyHash('articles/a.b.md');
    // Assess
    expect(fileOfStateKey(STATE.record(h))).toEqual({ h });
    expect(fileOfStateKey(STATE.seen(h, '"1-2-3.4"'))).toEqual({ h, etag: etagPart('"1-2-3.4"') });
    for (const other of [STATE.slug(h), STATE.archivePage(1), STATE.head, `${STATE.seenPrefix}${h}`]) expect(fileOfStateKey(other)).toBeUndefined();
  });
});

describe('the files a publish changes during a rebuild', () => {
  const whole: Head = { ...head, v: STATE_VERSION };
  const rebuilding: Head = { ...whole, rebuild: { step: 'render', settings: 'def', batches: 1, done: 0, from: 3 } };
  const write = (key: string) => ({ key, body: '{}', expect: '' });
  const [a, b] = [keyHash('articles/a.md'), keyHash('articles/b.md')];

  it('are noted by hash from the records and markers it writes (nothing else), so the rebuild trusts its batches for every other file', () => {
    // Act
    const noted = noteTouched(rebuilding, [write(STATE.record(b)), write(STATE.seen(a, '"e1"')), write(STATE.slug('a')), write(STATE.archivePage(1))]);
    const again = noteTouched(noted, [{ key: STATE.record(a), body: null, expect: '"x"' }]);
    // Assess
    expect(noted.rebuild?.touched).toEqual([a, b].sort());
    expect(again).toEqual(noted);
    expect(trustedFile(noted.rebuild as RebuildProgress, a)).toBe(false);
    expect(trustedFile(noted.rebuild as RebuildProgress, keyHash('articles/c.md'))).toBe(true);
  });

  it('make it trust no batch once there are more than MAX_TOUCHED, and are not noted without a rebuild that trusts its batches', () => {
    // Act
    const many = noteTouched(
      rebuilding,
      Array.from({ length: MAX_TOUCHED + 1 }, (_, i) => write(STATE.record(keyHash(`articles/${i}.md`)))),
    );
    const { from: _from, ...untrusting } = rebuilding.rebuild as RebuildProgress;
    // Assess
    expect(many.rebuild?.touched).toBe('all');
    expect(trustedFile(many.rebuild as RebuildProgress, keyHash('articles/c.md'))).toBe(false);
    expect(noteTouched(whole, [write(STATE.record(a))])).toEqual(whole);
    expect(noteTouched({ ...whole, rebuild: untrusting }, [write(STATE.record(a))])).toEqual({ ...whole, rebuild: untrusting });
  });
});
