import type { Article } from '../core/article/article.ts';
import type { ArticleError, FeedCheckError, Notice } from '../core/errors.ts';
import type { Settings } from '../core/settings.ts';
import type { Lease } from './protocol/lease.ts';

/** Parse and render one article, its output checked (article-output.ts); a RenderPool spreads this over worker threads. */
export type Parse = (file: string, bytes: Uint8Array, settings: Settings) => Promise<Article>;

/** What every phase of a cycle or a rebuild is given, beside the stores (whose site and state writes go through the lease's guard). */
export interface CycleContext {
  settings: Settings;
  now: Date;
  parse: Parse;
  /** A rebuild's render step is over: what `parse` holds may go (the command line's render threads). */
  releaseParse?: () => Promise<void>;
  /** Parallel store requests. */
  concurrency: number;
  lease: Lease;
}

/** What one cycle did. */
export interface CycleResult {
  full: boolean;
  rendered: number;
  /** Articles refused, each named with its problem. */
  rejected: ArticleError[];
  /** Feeds that failed their parse-back and were kept as they were (a bug, never the newsroom's input). */
  feedFailures: FeedCheckError[];
  /** Published as they are, but worth a line (a tag spelt two ways). */
  notices?: Notice[];
  written: string[];
  deleted: string[];
}

export const emptyResult = (full = false): CycleResult => ({ full, rendered: 0, rejected: [], feedFailures: [], written: [], deleted: [] });

export function addResults(a: CycleResult, b: CycleResult): CycleResult {
  return {
    full: a.full || b.full,
    rendered: a.rendered + b.rendered,
    rejected: [...a.rejected, ...b.rejected],
    feedFailures: [...a.feedFailures, ...b.feedFailures],
    notices: [...(a.notices ?? []), ...(b.notices ?? [])],
    written: [...new Set([...a.written, ...b.written])].sort(),
    deleted: [...new Set([...a.deleted, ...b.deleted])].filter((k) => !b.written.includes(k)).sort(),
  };
}
