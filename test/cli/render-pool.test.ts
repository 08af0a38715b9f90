import { afterEach, describe, expect, it } from 'vitest';
import { RenderPool } from '../../functions/cli/render-pool.ts';
import { parsePublishable } from '../../functions/core/article/article-output.ts';
import { ArticleError } from '../../functions/core/errors.ts';
import type { Settings } from '../../functions/core/settings.ts';
import { articleText, testSettings } from '../helpers/content.ts';

// RenderPool with real worker threads (functions/cli/render-worker.js), against parsing on this thread.

const settings = testSettings();
const bytes = (n: number) => Buffer.from(articleText({ title: `Story ${n}: "Q&A" <live> — café ${'🗞️'.repeat(n % 3)}`, date: '2026-11-20', tags: [`Desk ${n % 2}`] }, `Paragraph *${n}* & more.\n`));
/** The calling thread's first articles (the pool parses them itself, starting no thread). */
const IN_THREAD = 8;

const pools: RenderPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

function newPool(size: number): RenderPool {
  const pool = new RenderPool(size);
  pools.push(pool);
  return pool;
}

describe('the render pool', () => {
  it('gives every article, on whichever thread, exactly what parsing it here gives, each to its own caller', async () => {
    // Prepare
    const pool = newPool(2);
    const numbers = Array.from({ length: 24 }, (_, i) => i + 1);

    // Act: all at once, as a batch's reads complete together
    const articles = await Promise.all(numbers.map((n) => pool.parse(`articles/story-${n}.md`, bytes(n), settings)));

    // Assess
    expect(articles).toEqual(numbers.map((n) => parsePublishable(`articles/story-${n}.md`, bytes(n), settings)));
  });

  it("rejects an article a thread refuses with an ArticleError naming its file and problem, as this thread's parse would", async () => {
    // Prepare: the calling thread's share used up, so the next parse goes to a thread
    const pool = newPool(1);
    for (let n = 1; n <= IN_THREAD; n++) await pool.parse(`articles/story-${n}.md`, bytes(n), settings);
    const broken = Buffer.from(articleText({ title: 'Bad date', date: 'next Tuesday' }));
    const here = (() => {
      try {
        parsePublishable('articles/bad-date.md', broken, settings);
      } catch (err) {
        return err as ArticleError;
      }
    })();

    // Act
    const refused = await pool.parse('articles/bad-date.md', broken, settings).catch((err: unknown) => err);
    const next = await pool.parse('articles/story-9.md', bytes(9), settings);

    // Assess
    expect(refused).toBeInstanceOf(ArticleError);
    expect(refused).toMatchObject({ file: 'articles/bad-date.md', problem: here?.problem, message: here?.message });
    expect(next.title).toBe(parsePublishable('articles/story-9.md', bytes(9), settings).title); // the thread goes on
  });

  it("parses the first eight articles on the calling thread, and the ninth on a thread, whose crash comes back with the thread's stack", async () => {
    // Prepare: settings that make the renderer itself throw (no url), not reject the article
    const pool = newPool(1);
    const broken = {} as Settings;
    const crash = (n: number) => pool.parse(`articles/story-${n}.md`, bytes(n), broken).catch((err: unknown) => err);

    // Act
    const here: unknown[] = [];
    for (let n = 1; n <= IN_THREAD; n++) here.push(await crash(n));
    const there = await crash(IN_THREAD + 1);
    const after = await pool.parse('articles/story-10.md', bytes(10), settings);

    // Assess
    for (const err of here) expect(err).toBeInstanceOf(TypeError); // thrown on this thread, as it is
    expect(there).not.toBeInstanceOf(TypeError);
    expect(there).toBeInstanceOf(Error);
    expect((there as Error).message).toMatch(/^TypeError: Invalid URL\n\s+at /);
    expect(after.title).toMatch(/^Story 10/); // the thread goes on
  });

  it('lets its threads go when closed, settles a parse left waiting, and starts them again for the next parse', async () => {
    // Prepare: threads running (the calling thread's share used up)
    const pool = newPool(2);
    for (let n = 1; n <= IN_THREAD; n++) await pool.parse(`articles/story-${n}.md`, bytes(n), settings);
    await pool.parse('articles/story-9.md', bytes(9), settings);

    // Act: one parse in flight as the threads go, then more after
    const waiting = pool.parse('articles/story-10.md', bytes(10), settings).then(
      (article) => article.title,
      (err: unknown) => err,
    );
    await pool.close();
    const left = await waiting;
    const after = await Promise.all([11, 12, 13].map((n) => pool.parse(`articles/story-${n}.md`, bytes(n), settings)));

    // Assess: the waiting parse ended one way or the other (never hangs); the next ones are parsed as here
    expect(left === parsePublishable('articles/story-10.md', bytes(10), settings).title || (left instanceof Error && /closed/.test(left.message))).toBe(true);
    expect(after).toEqual([11, 12, 13].map((n) => parsePublishable(`articles/story-${n}.md`, bytes(n), settings)));
  });
});
