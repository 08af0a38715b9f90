import { createHash } from 'node:crypto';
import type { Article } from './article/article.ts';
import type { Settings } from './settings.ts';

/**
 * Bump when rendering changes, so the next publish rebuilds every page and feed. 4: a tag whose slug is
 * cut ends in a hash, so its feeds move and the state's tag timelines must be built again.
 */
const RENDER_VERSION = 4;

/** Everything the state was built with: a mismatch means a full rebuild. */
export function settingsHash(settings: Settings): string {
  return hash(JSON.stringify({ site: settings, RENDER_VERSION }));
}

/**
 * What an article's parse depends on: the renderer and the two settings that reach its record (the site's
 * URL, in its page URL and absolute links, and the id authority, in its default id). A record made under the
 * same fingerprint from the same file (ETag) is what parsing it again would give, so a rebuild after any
 * other settings change reuses it.
 */
export function renderHash(settings: Pick<Settings, 'url' | 'idAuthority'>): string {
  return hash(JSON.stringify({ url: settings.url, idAuthority: settings.idAuthority, RENDER_VERSION }));
}

/**
 * A record's `page`: what its page is made from besides the settings (the article as rendered), not the page's
 * bytes. Under one set of settings it changes exactly when the page does; a rebuild for new settings writes
 * every page anyway, and an unchanged article's record stays as it was, so the rebuild need not write it.
 */
export function pageHash(article: Article): string {
  return hash(JSON.stringify(article));
}

export function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
