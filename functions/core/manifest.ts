import { createHash } from 'node:crypto';
import type { Article } from './article.ts';
import type { Site } from './site.ts';

/** In the site bucket, under a dot-folder that neither the CDN nor the local server serves. */
export const MANIFEST_KEY = '.wirefeed/manifest.json';
/** Bump when rendering changes, so the next publish rebuilds every page. */
export const RENDER_VERSION = 1;

/** What the last publish knew about one content file. */
export interface Entry {
  /** The content object's ETag when it was read: unchanged ETag, nothing to re-render. */
  etag: string;
  /** The article without its HTML, which is kept only while the article is in the main feed. */
  article: Omit<Article, 'html'> & { html?: string };
  /** Whether it was public at the last publish: a change means an embargo lifted or it expired. */
  public: boolean;
  /** Hash of its written page, so an identical page is not written again. */
  page?: string;
}

/**
 * The per-article facts for the whole archive, so a publish reads and writes O(changed) objects.
 * Replaced with a conditional write; see publish.ts.
 */
export interface Manifest {
  version: 2;
  /** Hash of the settings and renderer that made these entries: a mismatch means a full rebuild. */
  settings: string;
  entries: Record<string, Entry>;
  /** Per output group (main feeds, each tag, each archive page, sitemap, fixed files): what was last written. */
  outputs: Record<string, GroupRecord>;
}

export interface GroupRecord {
  /** Everything the group's bytes depend on: unchanged, nothing to build. */
  signature: string;
  /** Each file written, with the hash of its bytes. */
  files: Record<string, string>;
}

export function settingsHash(site: Site): string {
  return hash(JSON.stringify({ site, RENDER_VERSION }));
}

export function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** undefined when the bytes are not a manifest this version wrote: the caller rebuilds in full. */
export function parseManifest(bytes: Uint8Array): Manifest | undefined {
  try {
    const data = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Manifest>;
    if (data.version !== 2 || typeof data.settings !== 'string' || typeof data.entries !== 'object' || typeof data.outputs !== 'object') return undefined;
    return data as Manifest;
  } catch {
    return undefined;
  }
}

export function serializeManifest(manifest: Manifest): string {
  return JSON.stringify(manifest);
}
