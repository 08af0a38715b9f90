import { createHash } from 'node:crypto';
import { tagFolder } from '../keys.ts';
import { slugOf, stripAccents } from './slugs.ts';

/** The longest tag slug. */
const MAX_TAG_SLUG = 80;
/** A cut slug's suffix: a hyphen and 8 hex digits of its whole slug's hash. */
const CUT_SUFFIX = 9;

/**
 * A tag's URL segment: lower case ASCII letters, digits and hyphens ("Côte d'Ivoire" -> "cote-d-ivoire",
 * "C#" -> "c-sharp", "C++" -> "c-plus-plus"), at most 80 characters. A tag with no such characters at all
 * ("東京") gets a short stable hash instead of an empty path.
 */
export function tagSlug(tag: string): string {
  const plain = stripAccents(tag);
  // A tag wirefeed could always spell (its letters and digits ASCII once accents are gone, no "#" or "+")
  // keeps the slug it always had, punctuation and all ("Women’s sport" -> "women-s-sport"): its feed URL
  // is in subscribers' readers. Only the others (ß, Cyrillic, C#) go through the slug library.
  const letters = plain.replace(/[^\p{L}\p{N}]/gu, '');
  const whole = /^[a-zA-Z0-9]*$/.test(letters) && !/[#+]/.test(plain) ? asciiSlug(plain, Infinity) : slugOf(tag, Infinity);
  if (whole === '') return `t-${createHash('sha256').update(tag).digest('hex').slice(0, 10)}`;
  if (whole.length <= MAX_TAG_SLUG) return whole;
  // Cut to its first 80 characters alone, two long tags that agree that far were one tag, and an
  // article's second one vanished. A hash of the whole slug keeps them apart, while spellings that
  // differ only in case or accents, which have one whole slug, still share it.
  const head = whole.slice(0, MAX_TAG_SLUG - CUT_SUFFIX).replace(/-+$/, '');
  return `${head}-${createHash('sha256')
    .update(whole)
    .digest('hex')
    .slice(0, CUT_SUFFIX - 1)}`;
}

/** wirefeed's first tag slugs: every run of anything but a-z and 0-9 is one hyphen. */
function asciiSlug(text: string, maxLength: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
}

/** How many public articles use each spelling of one tag (its slug). */
export type Spellings = Record<string, number>;

/** Count spellings in and out: +1 for each article now carrying `add`, -1 for each that no longer carries `remove`. */
export function countSpellings(before: Spellings | undefined, add: readonly string[], remove: readonly string[]): Spellings {
  const next: Spellings = { ...before };
  for (const t of add) next[t] = (next[t] ?? 0) + 1;
  for (const t of remove) {
    const n = (next[t] ?? 0) - 1;
    if (n > 0) next[t] = n;
    else delete next[t];
  }
  return Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The one title of a tag spelt several ways ("Élection", "election"): the spelling most articles use;
 * on a tie, one with capitals or accents over an all-lower-case one, then code-point order. It depends
 * only on the public articles, so an incremental publish and a full rebuild always agree.
 */
export function tagTitle(spellings: Spellings, fallback: string): string {
  const plain = (t: string) => (t === t.toLowerCase() && t === stripAccents(t) ? 1 : 0);
  const ranked = Object.entries(spellings).sort(([a, n], [b, m]) => m - n || plain(a) - plain(b) || (a < b ? -1 : a > b ? 1 : 0));
  return ranked[0]?.[0] ?? fallback;
}

/** Tags' titles by slug, as the state holds them (TagDir.name): what the site calls each tag, however an article spells it. */
export type TagTitles = ReadonlyMap<string, string>;

/**
 * An article's tags as the site shows them: each one's title, the one its tag page and tag feeds show
 * (`tagTitle`), else the article's own spelling. Feeds' categories come from here, so a reader that groups
 * by category sees "Politics" once, never beside "politics".
 */
export function shownTags(tags: readonly string[], titles: TagTitles): string[] {
  return tags.map((t) => titles.get(tagSlug(t)) ?? t);
}

/** What `check` and `build` say when one tag is spelt several ways (a notice, not a rejection). */
export const spellingNotice = (spelling: string, title: string, slug: string): string =>
  `tag "${spelling}" is shown as "${title}", the same tag (${tagFolder(slug)}): spell it so everywhere to silence this notice`;
