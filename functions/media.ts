import type { Article, Media } from './core/article.ts';
import { ArticleError } from './core/errors.ts';
import type { Site } from './core/site.ts';
import type { Store } from './stores/store.ts';

export const MEDIA_PREFIX = 'media/';
const MEDIA_CACHE = 'public, max-age=86400, stale-while-revalidate=604800';

/**
 * A lead image kept in the content bucket under media/ is published beside the pages, and its real
 * MIME type and byte length come from the stored object (the Content-Type the store reports: S3 keeps
 * it, the filesystem store reads it from the file's bytes), never from the file extension. Other images
 * keep what the front matter declares; without both, feeds carry no enclosure.
 *
 * Throws ArticleError when the image's URL is under the site's /media/ but no image is there: a missing
 * file (a typo, or the upload forgotten) or one that is not an image would otherwise publish the article
 * without its picture, and nobody would be told.
 */
export async function publishMedia(article: Article, site: Site, content: Store, out: Store): Promise<Article> {
  if (!article.image || !isUnderMedia(article.image, site)) return article;
  const key = mediaKey(article.image, site);
  if (key === undefined) {
    throw new ArticleError(article.file, `"image.url" (${article.image.url}) does not name a file in media/: give the image's file name, such as /media/harbour.jpg`);
  }
  const missing = () =>
    new ArticleError(article.file, `"image.url" points to ${key}, which is not in the content store (looked for ${content.describe(key)}): upload the image there, or correct the url`);
  const info = await content.head(key);
  if (!info) throw missing();
  const type = info.contentType;
  if (!type?.startsWith('image/')) {
    const found = type ? `its type is ${type}` : 'its type cannot be told from its bytes';
    throw new ArticleError(article.file, `"image.url" points to ${key}, which is not an image (${found}): use a JPEG, PNG, GIF, WebP or AVIF file`);
  }
  const object = await content.get(key);
  if (!object) throw missing(); // deleted between the two reads
  const published = await out.head(key);
  if (published?.etag !== object.etag) await out.put(key, object.body, { contentType: type, cacheControl: MEDIA_CACHE });
  return { ...article, image: { ...article.image, type, length: object.body.byteLength } };
}

function isUnderMedia(image: Media, site: Site): boolean {
  return image.url.startsWith(new URL(MEDIA_PREFIX, site.url).href);
}

/** The content key of an image on this site under /media/, or undefined for any other URL. */
export function mediaKey(image: Media | undefined, site: Site): string | undefined {
  if (!image) return undefined;
  const base = new URL(MEDIA_PREFIX, site.url).href;
  if (!image.url.startsWith(base)) return undefined;
  let rest: string;
  try {
    rest = decodeURIComponent(new URL(image.url).pathname).slice(new URL(base).pathname.length);
  } catch {
    return undefined; // a stray "%" (/media/100%.jpg) names no key; it must not stop the whole publish
  }
  if (rest === '' || rest.split('/').some((part) => part === '' || part === '.' || part === '..')) return undefined;
  return `${MEDIA_PREFIX}${rest}`;
}
