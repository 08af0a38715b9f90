import type { ArticleError, Notice } from '../core/errors.ts';
import type { Settings } from '../core/settings.ts';
import type { Store } from '../stores/store.ts';
import type { Parse } from './cycle/read.ts';
import type { Lease } from './protocol/lease.ts';

/** The three stores a publish works with; `site` and `state` writes go through the lease's guard. */
export interface PublishIo {
  content: Store;
  site: Store;
  state: Store;
}

/** What every phase of one cycle is given. */
export interface CycleContext {
  settings: Settings;
  now: Date;
  parse: Parse;
  /** Parallel store requests. */
  limit: number;
  lease: Lease;
}

/** What one cycle did. */
export interface CycleResult {
  full: boolean;
  rendered: number;
  rejected: ArticleError[];
  /** Published as they are, but worth a line (a tag spelt two ways). */
  notices?: Notice[];
  written: string[];
  deleted: string[];
}

export const emptyResult = (full = false): CycleResult => ({ full, rendered: 0, rejected: [], written: [], deleted: [] });

export function addResults(a: CycleResult, b: CycleResult): CycleResult {
  return {
    full: a.full || b.full,
    rendered: a.rendered + b.rendered,
    rejected: [...a.rejected, ...b.rejected],
    notices: [...(a.notices ?? []), ...(b.notices ?? [])],
    written: [...new Set([...a.written, ...b.written])].sort(),
    deleted: [...new Set([...a.deleted, ...b.deleted])].filter((k) => !b.written.includes(k)).sort(),
  };
}
