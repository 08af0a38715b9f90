import { createHash } from 'node:crypto';

/**
 * A tag's URL segment: lower case ASCII letters, digits and hyphens ("Côte d'Ivoire" -> "cote-d-ivoire").
 * A tag with no such characters at all ("東京") gets a short stable hash instead of an empty path.
 */
export function tagSlug(tag: string): string {
  const slug = tag
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug || `t-${createHash('sha256').update(tag).digest('hex').slice(0, 10)}`;
}

export const tagFolder = (slug: string): string => `tags/${slug}/`;
