import { describe, expect, it } from 'vitest';
import { MAX_ARTICLE_BYTES } from '../../../functions/core/article/article.ts';
import { ArticleError } from '../../../functions/core/errors.ts';
import { type Outcome, parseHere, readArticle, readOutcomes } from '../../../functions/publish/cycle/read.ts';
import { StateView } from '../../../functions/publish/cycle/state-view.ts';
import { articleText, NOW, testSettings } from '../../helpers/content.ts';
import { type MemorySite, memorySite } from '../../helpers/engine.ts';

describe("parsing on the publisher's own thread", () => {
  it("parses one article at a time and lets other work (the lease's renewal) run between two articles", async () => {
    // Prepare: three articles read at once, as a batch's reads complete together
    const settings = testSettings();
    const events: string[] = [];
    const bytes = (n: number) => Buffer.from(articleText({ title: `Story ${n}`, date: '2026-11-20' }, `Paragraph ${n}.\n`));
    // Act
    const parses = [1, 2, 3].map((n) => parseHere(`articles/story-${n}.md`, bytes(n), settings).then((a) => events.push(`parsed ${a.title}`)));
    setImmediate(() => events.push('a timer of the lease'));
    await Promise.all(parses);
    // Assess: the waiting callback ran before the second parse, not after the last; the parses kept their order
    expect(events.slice(0, events.indexOf('parsed Story 2'))).toContain('a timer of the lease');
    expect(events.filter((e) => e.startsWith('parsed'))).toEqual(['parsed Story 1', 'parsed Story 2', 'parsed Story 3']);
  });

  it('goes on with the next article after one is rejected', async () => {
    const settings = testSettings();
    const broken = parseHere('articles/broken.md', Buffer.from('---\ntitle: [unclosed\n---\nBody'), settings);
    const good = parseHere('articles/good.md', Buffer.from(articleText({ title: 'Good news', date: '2026-11-20' })), settings);
    await expect(broken).rejects.toThrow(/articles\/broken\.md/);
    expect((await good).title).toBe('Good news');
  });
});

describe('reading the named files against what was processed', () => {
  const read = (s: MemorySite, keys: string[], now = NOW) => readOutcomes(s.content, new StateView(s.state), keys, { settings: testSettings(), now, parse: parseHere, concurrency: 4 });
  const kinds = (outcomes: Outcome[]) => outcomes.map((o) => [o.key, o.kind]);

  it('tells apart a file unchanged, edited, gone, new, broken, and one whose time came, and says nothing of a key with no file and no record', async () => {
    // Prepare
    const s = await memorySite();
    for (const name of ['same', 'edited', 'gone', 'broken']) await s.article(`${name}.md`, { title: name, date: '2026-11-20' });
    await s.article('embargo.md', { title: 'Embargo', date: '2026-11-25T13:00:00Z' });
    await s.publish();
    await s.article('edited.md', { title: 'Edited', date: '2026-11-20' });
    await s.remove('gone.md');
    await s.article('new.md', { title: 'New', date: '2026-11-21' });
    await s.content.put('articles/broken.md', '---\ntitle: [unclosed\n---\nBody', { contentType: 'text/markdown' });
    const names = ['same', 'edited', 'gone', 'new', 'broken', 'embargo', 'never'].map((n) => `articles/${n}.md`);
    // Act: an hour on, the embargo has lifted
    const outcomes = await read(s, names, new Date('2026-11-25T13:00:00Z'));
    // Assess: in key order
    expect(kinds(outcomes)).toEqual([
      ['articles/broken.md', 'rejected'],
      ['articles/edited.md', 'parsed'],
      ['articles/embargo.md', 'time'],
      ['articles/gone.md', 'removed'],
      ['articles/new.md', 'parsed'],
      ['articles/same.md', 'unchanged'],
    ]);
    const broken = outcomes.find((o) => o.kind === 'rejected');
    expect(broken?.kind === 'rejected' && broken.record?.article.title).toBe('broken'); // its last good version, to keep
    expect(outcomes.find((o) => o.key === 'articles/new.md')).not.toHaveProperty('record');
  });

  it('refuses a file over the 2 MB limit by the size the store reports', async () => {
    const s = await memorySite();
    const huge = await s.article('huge.md', { title: 'Huge', date: '2026-11-20' }, 'x'.repeat(MAX_ARTICLE_BYTES));
    const size = (await s.content.head(huge))!.size;
    expect(await readArticle(s.content, huge)).toEqual(new ArticleError(huge, `is ${size} bytes; the limit is ${MAX_ARTICLE_BYTES}`));
    const [outcome] = await read(s, [huge]);
    expect(outcome?.kind === 'rejected' && outcome.error.message).toBe(`${huge}: is ${size} bytes; the limit is ${MAX_ARTICLE_BYTES}`);
  });
});
