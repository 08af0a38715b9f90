import { describe, expect, it } from 'vitest';
import type { ArticleError } from '../../../functions/core/errors.ts';
import { STATE } from '../../../functions/core/state/state.ts';
import { type Claimant, settleClaims } from '../../../functions/publish/cycle/claims.ts';
import { MemoryStore } from '../../../functions/stores/memory-store.ts';

const JSON_TYPE = { contentType: 'application/json' };
const file = (name: string, slug: string, id = `urn:${name}`): Claimant => ({ key: `articles/${name}.md`, article: { slug, id } });

describe("a full rebuild's slug and id claims", () => {
  it('gives a slug two files want to the first by key, and rejects the other naming the file that has it', async () => {
    // Prepare
    const rejected: ArticleError[] = [];
    const candidates = [file('b', 'story'), file('a', 'story'), file('c', 'other')];
    // Act
    const settled = await settleClaims(candidates, new MemoryStore(), rejected);
    // Assess
    expect(settled.kept.map((c) => c.key)).toEqual(['articles/a.md', 'articles/c.md']);
    expect(settled.losers.map((c) => c.key)).toEqual(['articles/b.md']);
    expect(rejected.map((e) => e.message)).toEqual(['articles/b.md: slug "story" is already used by articles/a.md; set a different slug: in the front matter']);
    expect(settled.slugOwners).toEqual(
      new Map([
        ['story', 'articles/a.md'],
        ['other', 'articles/c.md'],
      ]),
    );
  });

  it('leaves a published URL with the file the old state says has it, even when another comes first by key', async () => {
    const state = new MemoryStore();
    await state.put(STATE.slug('story'), JSON.stringify({ key: 'articles/z.md' }), JSON_TYPE);
    const rejected: ArticleError[] = [];
    const settled = await settleClaims([file('a', 'story'), file('z', 'story')], state, rejected);
    expect(settled.kept.map((c) => c.key)).toEqual(['articles/z.md']);
    expect(rejected.map((e) => e.file)).toEqual(['articles/a.md']);
  });

  it('settles ids after slugs: a copied id is rejected naming its owner, and its file loses its slug too', async () => {
    const state = new MemoryStore();
    await state.put(STATE.id('urn:shared'), JSON.stringify({ key: 'articles/b.md' }), JSON_TYPE);
    const rejected: ArticleError[] = [];
    const settled = await settleClaims([file('a', 'first', 'urn:shared'), file('b', 'second', 'urn:shared')], state, rejected);
    expect(settled.kept.map((c) => c.key)).toEqual(['articles/b.md']);
    expect(settled.slugOwners).toEqual(new Map([['second', 'articles/b.md']]));
    expect(rejected.map((e) => e.message)).toEqual([
      'articles/a.md: id "urn:shared" is already used by articles/b.md (copied front matter, or two files of one name?); give this article an id of its own, or remove the line',
    ]);
  });

  it('takes an unreadable old claim for no claim (the rebuild may be running because of it)', async () => {
    const state = new MemoryStore();
    await state.put(STATE.slug('story'), '{"key": "articles/z', JSON_TYPE);
    const rejected: ArticleError[] = [];
    const settled = await settleClaims([file('z', 'story'), file('a', 'story')], state, rejected);
    expect(settled.kept.map((c) => c.key)).toEqual(['articles/a.md']);
  });

  it('gives a slug only one file wants to that file, whatever an old claim says', async () => {
    const state = new MemoryStore();
    await state.put(STATE.slug('story'), JSON.stringify({ key: 'articles/elsewhere.md' }), JSON_TYPE);
    const rejected: ArticleError[] = [];
    const settled = await settleClaims([file('a', 'story')], state, rejected);
    expect(settled.kept.map((c) => c.key)).toEqual(['articles/a.md']);
    expect(rejected).toEqual([]);
  });
});
