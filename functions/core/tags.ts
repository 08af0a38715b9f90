import { createHash } from 'node:crypto';
import { slugOf, stripAccents } from './slugs.ts';

/**
 * A tag's URL segment: lower case ASCII letters, digits and hyphens ("Côte d'Ivoire" -> "cote-d-ivoire",
 * "C#" -> "c-sharp", "C++" -> "c-plus-plus"). A tag with no such characters at all ("東京") gets a short
 * stable hash instead of an empty path.
 */
export function tagSlug(tag: string): string {
  return slugOf(tag, 80) || `t-${createHash('sha256').update(tag).digest('hex').slice(0, 10)}`;
}

/**
 * Two spellings of one tag (case, accents, spacing and punctuation only: "Élection" and "election")
 * fold to the same key; different tags ("C#", "C") do not.
 */
export function tagKey(tag: string): string {
  return stripAccents(tag).toLowerCase().replace(/[^\p{L}\p{N}#+]+/gu, ' ').trim();
}

export const tagFolder = (slug: string): string => `tags/${slug}/`;
