import type { Article, Media } from './core/article.ts';
import type { Site } from './core/site.ts';
import type { Store } from './stores/store.ts';

export const MEDIA_PREFIX = 'media/';
const MEDIA_CACHE = 'public, max-age=86400, stale-while-revalidate=604800';

/**
 * A lead image kept in the content bucket under media/ is published beside the pages, and its real
 * MIME type and byte length come from the stored object (the Content-Type the store reports: S3 keeps
 * it, the filesystem store reads it from the file's bytes), never from the file extension. Other images
 * keep what the front matter
 * declares; without both, feeds carry no enclosure.
 */
export async function publishMedia(article: Article, site: Site, content: Store, out: Store): Promise<Article> {
  const key = mediaKey(article.image, site);
  if (!article.image || key === undefined) return article;
  const info = await content.head(key);
  const type = info?.contentType;
  if (!type?.startsWith('image/')) return article;
  const object = await content.get(key);
  if (!object) return article;
  const published = await out.head(key);
  if (published?.etag !== object.etag) await out.put(key, object.body, { contentType: type, cacheControl: MEDIA_CACHE });
  return { ...article, image: { ...article.image, type, length: object.body.byteLength } };
}

/** The content key of an image on this site under /media/, or undefined for any other URL. */
export function mediaKey(image: Media | undefined, site: Site): string | undefined {
  if (!image) return undefined;
  const base = new URL(MEDIA_PREFIX, site.url).href;
  if (!image.url.startsWith(base)) return undefined;
  const rest = decodeURIComponent(new URL(image.url).pathname).slice(new URL(base).pathname.length);
  if (rest === '' || rest.split('/').some((part) => part === '' || part === '.' || part === '..')) return undefined;
  return `${MEDIA_PREFIX}${rest}`;
}
