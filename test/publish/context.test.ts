import { describe, expect, it } from 'vitest';
import { ArticleError, FeedCheckError, Notice } from '../../functions/core/errors.ts';
import { addResults, type CycleResult, emptyResult } from '../../functions/publish/context.ts';

const result = (fields: Partial<CycleResult>): CycleResult => ({ ...emptyResult(), ...fields });

describe("adding up a publish's cycles", () => {
  it('reports a key written by either cycle once, sorted, and a key deleted then written again as written only', () => {
    // Prepare: the first cycle deletes a page the second writes back (a slug taken by another file)
    const first = result({ written: ['feed.json', 'articles/a/index.html'], deleted: ['articles/b/index.html', 'tags/x/feed.json'] });
    const second = result({ written: ['feed.json', 'articles/b/index.html'], deleted: ['tags/x/feed.json'] });
    // Act
    const total = addResults(first, second);
    // Assess
    expect(total.written).toEqual(['articles/a/index.html', 'articles/b/index.html', 'feed.json']);
    expect(total.deleted).toEqual(['tags/x/feed.json']);
  });

  it('keeps every rejection, feed failure and notice, counts the rendered, and is full if either was', () => {
    const a = result({ rendered: 2, rejected: [new ArticleError('articles/a.md', 'no title')], notices: [new Notice('articles/n.md', 'tag spelt two ways')] });
    const b = result({ full: true, rendered: 3, feedFailures: [new FeedCheckError('feed.json', 'an item has no id')] });
    const total = addResults(a, b);
    expect(total.full).toBe(true);
    expect(total.rendered).toBe(5);
    expect(total.rejected.map((e) => e.file)).toEqual(['articles/a.md']);
    expect(total.feedFailures.map((e) => e.file)).toEqual(['feed.json']);
    expect(total.notices?.map((e) => e.file)).toEqual(['articles/n.md']);
    expect(addResults(emptyResult(), emptyResult()).full).toBe(false);
    expect(emptyResult(true).full).toBe(true);
  });
});
