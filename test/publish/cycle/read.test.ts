import { describe, expect, it } from 'vitest';
import { parseHere } from '../../../functions/publish/cycle/read.ts';
import { articleText, testSettings } from '../../helpers/content.ts';

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
