import { ArticleError } from '../../core/errors.ts';

import { readState, type SlugClaim, STATE, StateError, type StateKey } from '../../core/state/state.ts';

import type { Store } from '../../stores/store.ts';

/**
 * One slug and one id per article file, in a full rebuild (the incremental publish checks the same
 * claims in apply.ts, one article at a time). When several files want one, the file the old state's
 * claim names keeps it, so a rebuild never moves a published URL or id to another file; without such a
 * claim, the first file by key. The others are rejected, naming the file that has it.
 */
export interface Claimant {
  key: string;
  article: { slug: string; id: string };
}

/** Refused files a claim remembers (a bound: a claim stays one small object). */
export const MAX_WAITING = 20;

export const slugTaken = (slug: string, owner: string): string => `slug "${slug}" is already used by ${owner}; set a different slug: in the front matter`;
export const idTaken = (id: string, owner: string): string =>
  `id "${id}" is already used by ${owner} (copied front matter, or two files of one name?); give this article an id of its own, or remove the line`;

/** `refused`: by claim key, the files it turned away, by key: they wait on it, as in a cycle (apply.ts). */
export async function settleClaims<T extends Claimant>(
  candidates: readonly T[],
  state: Store,
  rejected: ArticleError[],
): Promise<{ kept: T[]; losers: T[]; slugOwners: Map<string, string>; refused: Map<string, string[]> }> {
  const refused = new Map<string, string[]>();
  const bySlug = await settle(candidates, (c) => c.article.slug, STATE.slug, slugTaken, state, rejected, refused);
  const byId = await settle(bySlug, (c) => c.article.id, STATE.id, idTaken, state, rejected, refused);
  const kept = new Set(byId);
  return { kept: byId, losers: candidates.filter((c) => !kept.has(c)), slugOwners: new Map(bySlug.filter((c) => kept.has(c)).map((c) => [c.article.slug, c.key])), refused };
}

async function settle<T extends Claimant>(
  candidates: readonly T[],
  claimOf: (c: T) => string,
  stateKey: (claim: string) => StateKey<SlugClaim>,
  taken: (claim: string, owner: string) => string,
  state: Store,
  rejected: ArticleError[],
  refused: Map<string, string[]>,
): Promise<T[]> {
  // The first claimant of each claim by key, and the others only where there are others: a list per claim
  // was two hundred thousand arrays at 100,000 articles.
  const first = new Map<string, T>();
  const others = new Map<string, T[]>();
  for (const c of [...candidates].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const claim = claimOf(c);
    const more = others.get(claim);
    if (!first.has(claim)) first.set(claim, c);
    else if (more) more.push(c);
    else others.set(claim, [c]);
  }
  const kept: T[] = [];
  for (const [claim, firstByKey] of first) {
    let owner = firstByKey;
    const rest = others.get(claim);
    if (rest) {
      const list = [firstByKey, ...rest];
      const before = await previousClaim(state, stateKey(claim));
      owner = list.find((c) => c.key === before) ?? owner;
      for (const c of list) if (c !== owner) rejected.push(new ArticleError(c.key, taken(claim, owner.key)));
      refused.set(
        stateKey(claim),
        list.filter((c) => c !== owner).map((c) => c.key),
      );
    }
    kept.push(owner);
  }
  return kept;
}

/** The file an old claim names; an unreadable claim is none (the rebuild may be running because of it), a store failure a failure. */
async function previousClaim(state: Store, key: StateKey<SlugClaim>): Promise<string | undefined> {
  const object = await state.get(key);
  if (!object) return undefined;
  try {
    return readState(key, object.body).key;
  } catch (err) {
    if (err instanceof StateError) return undefined;
    throw err;
  }
}
