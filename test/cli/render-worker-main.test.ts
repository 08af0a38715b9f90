import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublishable } from '../../functions/core/article/article-output.ts';
import { ArticleError } from '../../functions/core/errors.ts';
import { articleText, testSettings } from '../helpers/content.ts';

// A render thread as RenderPool starts it (render-worker.js loads render-worker-main.ts), spoken to directly:
// one message per article, one reply per message, carrying the message's id.

const settings = testSettings();
let worker: Worker;

beforeAll(() => {
  worker = new Worker(new URL('../../functions/cli/render-worker.js', import.meta.url));
});

afterAll(async () => {
  await worker?.terminate();
});

/** Post one message and wait for the reply to it. */
async function ask(message: { id: number; file: string; bytes: Uint8Array; settings: unknown }): Promise<Record<string, unknown>> {
  worker.postMessage(message);
  const [reply] = (await once(worker, 'message')) as [Record<string, unknown>];
  return reply;
}

describe('a render thread', () => {
  it('answers an article with the article, as parsing it here gives it, under the id it was sent', async () => {
    // Prepare
    const bytes = Buffer.from(articleText({ title: 'Budget & "tax" <vote> — ü 漢字', date: '2026-11-20', tags: ['Politics'] }, 'The *vote* is tonight.\n'));

    // Act
    const reply = await ask({ id: 41, file: 'articles/budget.md', bytes, settings });

    // Assess
    expect(reply).toEqual({ id: 41, article: parsePublishable('articles/budget.md', bytes, settings) });
  });

  it("answers a rejected article with its file and problem, as this thread's ArticleError has them", async () => {
    // Prepare
    const bytes = Buffer.from('---\ntitle: [unclosed\n---\nBody\n');
    let here: ArticleError | undefined;
    try {
      parsePublishable('articles/broken.md', bytes, settings);
    } catch (err) {
      here = err as ArticleError;
    }

    // Act
    const reply = await ask({ id: 42, file: 'articles/broken.md', bytes, settings });

    // Assess
    expect(here).toBeInstanceOf(ArticleError);
    expect(reply).toEqual({ id: 42, file: 'articles/broken.md', problem: here?.problem });
  });

  it('answers an unexpected error with its stack, and goes on answering', async () => {
    // Prepare: settings without a url make the renderer itself throw
    const bytes = Buffer.from(articleText({ title: 'Fine', date: '2026-11-20' }));

    // Act
    const crashed = await ask({ id: 43, file: 'articles/fine.md', bytes, settings: {} });
    const next = await ask({ id: 44, file: 'articles/fine.md', bytes, settings });

    // Assess
    expect(crashed).toEqual({ id: 43, crash: expect.stringMatching(/^TypeError: Invalid URL\n\s+at /) });
    expect(next).toEqual({ id: 44, article: expect.objectContaining({ title: 'Fine' }) });
  });
});
