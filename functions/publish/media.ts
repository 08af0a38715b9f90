import type { Article, Media } from '../core/article/article.ts';
import { ArticleError } from '../core/errors.ts';
import { isSafeMediaKey, MEDIA_PREFIX } from '../core/keys.ts';
import type { Settings } from '../core/settings.ts';
import type { Store } from '../stores/store.ts';

const MEDIA_CACHE = 'public, max-age=86400, stale-while-revalidate=604800';

/** A lead image under the site's /media/, as the content store has it. */
export interface MediaFacts {
  key: string;
  etag: string;
}

/**
 * The article with its lead image's real type and size when the image lives in the content store's
 * media/ (read with one HEAD; nothing is written: the image reaches the site only while the article is
 * public). Throws ArticleError for a missing file or one that is not an image, as publishMedia does.
 */
export async function readMedia(article: Article, settings: Settings, content: Store): Promise<{ article: Article; media?: MediaFacts }> {
  if (!article.image || !isUnderMedia(article.image, settings)) return { article };
  const key = mediaKey(article.image, settings);
  if (key === undefined) {
    throw new ArticleError(article.file, `"image.url" (${article.image.url}) does not name a file in media/: give the image's file name, such as /media/harbour.jpg`);
  }
  if (!isSafeMediaKey(key)) {
    throw new ArticleError(
      article.file,
      `"image.url" (${article.image.url}) names ${JSON.stringify(key)}, which is not a usable media file name: use letters, digits, spaces and . _ - only (no backslash, control character or leading dot)`,
    );
  }
  const info = await content.head(key);
  if (!info) {
    throw new ArticleError(article.file, `"image.url" points to ${key}, which is not in the content store (looked for ${content.describe(key)}): upload the image there, or correct the url`);
  }
  // A stored Content-Type is a value like any other: only a plain image type reaches the feeds.
  const type = info.contentType?.split(';')[0]?.trim().toLowerCase();
  if (!type || !/^image\/[a-z0-9.+-]+$/.test(type)) {
    const shown = info.contentType && /^[\w.+/; =-]+$/.test(info.contentType) ? info.contentType : JSON.stringify(info.contentType);
    const found = info.contentType ? `its type is ${shown}` : 'its type cannot be told from its bytes';
    throw new ArticleError(article.file, `"image.url" points to ${key}, which is not an image (${found}): use a JPEG, PNG, GIF, WebP or AVIF file`);
  }
  return { article: { ...article, image: { ...article.image, type, length: info.size } }, media: { key, etag: info.etag } };
}

/** Copy a lead image from the content store to the same key on the site; false when it is gone from the content. */
export async function copyMedia(key: string, content: Store, site: Store): Promise<boolean> {
  const object = await content.get(key);
  if (!object) return false;
  const type = object.contentType ?? (await content.head(key))?.contentType ?? 'application/octet-stream';
  await site.put(key, object.body, { contentType: type, cacheControl: MEDIA_CACHE });
  return true;
}

function isUnderMedia(image: Media, settings: Settings): boolean {
  return image.url.startsWith(new URL(MEDIA_PREFIX, settings.url).href);
}

/** The content key of an image on this site under /media/, or undefined for any other URL. */
function mediaKey(image: Media | undefined, settings: Settings): string | undefined {
  if (!image) return undefined;
  const base = new URL(MEDIA_PREFIX, settings.url).href;
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
