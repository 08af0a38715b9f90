import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Article } from '../core/article/article.ts';
import { ArticleError } from '../core/errors.ts';
import type { Parse } from '../publish/context.ts';
import { parseHere } from '../publish/cycle/read.ts';

/**
 * The first articles of a publish are parsed on the calling thread: a rebuild of one saved article (the
 * usual local build) then starts no thread at all, which cost it about a second (each thread loads the
 * loader and the renderer); a full build starts the threads at the first article past these.
 */
const IN_THREAD_FIRST = 8;

type Reply = { id: number; article: Article } | { id: number; file: string; problem: string } | { id: number; crash: string };

/**
 * Worker threads that parse and render articles (YAML, Markdown, sanitising: most of a full build's
 * CPU), so a large local build uses every core while the main thread does the I/O and the feeds.
 */
export class RenderPool {
  readonly #size: number;
  /** Started on demand (see IN_THREAD_FIRST). */
  #workers: Worker[] = [];
  readonly #waiting = new Map<number, { resolve: (a: Article) => void; reject: (e: Error) => void }>();
  #calls = 0;
  #next = 0;
  #turn = 0;

  constructor(size = Math.max(1, os.availableParallelism())) {
    this.#size = size;
  }

  readonly parse: Parse = (file, bytes, settings) => {
    if (this.#calls++ < IN_THREAD_FIRST) return parseHere(file, bytes, settings);
    if (this.#workers.length === 0) this.#start();
    return new Promise<Article>((resolve, reject) => {
      const id = this.#next++;
      this.#waiting.set(id, { resolve, reject });
      const worker = this.#workers[this.#turn++ % this.#workers.length] as Worker;
      worker.postMessage({ id, file, bytes, settings });
    });
  };

  #start(): void {
    this.#workers = Array.from({ length: this.#size }, () => {
      const worker = new Worker(new URL('./render-worker.js', import.meta.url));
      worker.on('message', (reply: Reply) => this.#settle(reply));
      worker.on('error', (err) => this.#failAll(err));
      return worker;
    });
  }

  /**
   * Lets the threads go (each holds a heap and a renderer of its own), failing any parse still waiting; a
   * later parse starts them again. Called when a rebuild's render step is over, and at the end.
   */
  async close(): Promise<void> {
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
    this.#failAll(new Error('the render threads were closed'));
  }

  #settle(reply: Reply): void {
    const waiting = this.#waiting.get(reply.id);
    if (!waiting) return;
    this.#waiting.delete(reply.id);
    if ('article' in reply) waiting.resolve(reply.article);
    else if ('problem' in reply) waiting.reject(new ArticleError(reply.file, reply.problem));
    else waiting.reject(new Error(reply.crash));
  }

  #failAll(err: Error): void {
    for (const { reject } of this.#waiting.values()) reject(err);
    this.#waiting.clear();
  }
}
