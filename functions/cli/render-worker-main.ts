import { parentPort } from 'node:worker_threads';
import { parsePublishable } from '../core/article/article-output.ts';
import { ArticleError } from '../core/errors.ts';
import type { Settings } from '../core/settings.ts';

// Each message is one article to parse and render; the reply is the article, or its one problem.
parentPort?.on('message', ({ id, file, bytes, settings }: { id: number; file: string; bytes: Uint8Array; settings: Settings }) => {
  try {
    parentPort?.postMessage({ id, article: parsePublishable(file, bytes, settings) });
  } catch (err) {
    if (err instanceof ArticleError) parentPort?.postMessage({ id, file: err.file, problem: err.problem });
    else parentPort?.postMessage({ id, crash: String((err as Error).stack ?? err) });
  }
});
