import path from 'node:path/posix';
import * as z from 'zod/mini';
import { ArticleError, listIssues } from '../errors.ts';
import { pageFolder } from '../keys.ts';
import type { Settings } from '../settings.ts';
import { DATE_HINT, looksLikeWhen, noSuchMoment, parseWhen, toIso, type When } from './dates.ts';
import { splitFrontMatter } from './front-matter.ts';
import { absoluteUrl, excerpt, renderArticleHtml } from './html.ts';
import { fieldsAt, type Person, person, text } from './schema-parts.ts';
import { slugOf } from './slugs.ts';
import { tagSlug } from './tags.ts';
import { decodeText } from './text.ts';

/** Larger than any real wire report by far; a bigger file is a mistake or an attack. Stores read no more of one (publish/read.ts). */
export const MAX_ARTICLE_BYTES = 2 * 1024 * 1024;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_SLUG = 120;

/** A date or a zoned time: the wrong form gets the hint; a day that does not exist is named as such. */
const when = z.string({ error: (issue) => (issue.input === undefined ? undefined : DATE_HINT) }).check(
  z.refine(looksLikeWhen, { error: DATE_HINT, abort: true }),
  z.refine((value) => parseWhen(value) !== undefined, {
    error: (issue) => noSuchMoment(String(issue.input)) ?? DATE_HINT,
    params: { namesValue: true },
  }),
);

const FrontMatter = z.strictObject({
  title: text(1, 500),
  date: when,
  updated: z.optional(when),
  summary: z.optional(text(1, 2000)),
  tags: z._default(z.array(text(1, 100)).check(z.maxLength(50)), []),
  authors: z._default(
    z
      .array(
        z.union(
          [
            z.pipe(
              text(1, 200),
              z.transform((name: string) => ({ name })),
            ),
            person,
          ],
          {
            error: 'must be a name such as Ada Lovelace, or {name, url, email}',
          },
        ),
      )
      .check(z.maxLength(50)),
    [],
  ),
  image: z.optional(
    z.strictObject({
      url: text(1, 2000),
      alt: text(0, 1000),
      /** The image's real MIME type and size, for enclosures; read from the content bucket when it is there. */
      type: z.optional(z.string().check(z.regex(/^image\/[a-z0-9.+-]+$/, 'must be an image MIME type such as image/jpeg'))),
      length: z.optional(z.int().check(z.positive())),
    }),
  ),
  slug: z.optional(z.string().check(z.regex(SLUG, 'may hold only a-z, 0-9 and single hyphens, such as "budget-vote"'), z.maxLength(MAX_SLUG))),
  id: z.optional(z.string().check(z.trim(), z.refine(isStableUri, 'must be an absolute URI such as tag:example.com,2020-01-08:budget-vote or urn:uuid:…'))),
  draft: z._default(z.boolean(), false),
  expires: z.optional(when),
  correction: z.optional(text(1, 2000)),
});

/** A lead image. Feeds carry it as an enclosure only when type and length are known, never guessed. */
export interface Media {
  url: string;
  alt: string;
  type?: string;
  length?: number;
}

/** One article, parsed, validated and rendered: everything the feeds and pages need. Plain data (JSON-safe). */
export interface Article {
  /** Key in the content store, such as articles/budget-vote.md. */
  file: string;
  id: string;
  slug: string;
  /** The article page's absolute URL (ends in '/'). */
  url: string;
  title: string;
  /** Given, or the first paragraph's text. */
  summary: string;
  /** The summary as the author wrote it (shown as the standfirst); absent when derived. */
  standfirst?: string;
  published: When;
  updated?: When;
  expires?: When;
  tags: string[];
  authors: Person[];
  image?: Media;
  draft: boolean;
  correction?: string;
  /** Sanitised HTML with absolute links. */
  html: string;
}

/** The rejection of an article file over the limit, whether its bytes were read or only its size. */
export function articleTooLarge(file: string, size: number): ArticleError {
  return new ArticleError(file, `is ${size} bytes; the limit is ${MAX_ARTICLE_BYTES}`);
}

/** Parse one stored article. Throws ArticleError naming the file and every problem found. */
export function parseArticle(file: string, bytes: Uint8Array, settings: Settings): Article {
  if (bytes.byteLength > MAX_ARTICLE_BYTES) throw articleTooLarge(file, bytes.byteLength);
  const { data, body } = splitFrontMatter(file, decodeText(file, bytes));
  const result = FrontMatter.safeParse(data ?? {});
  if (!result.success)
    throw new ArticleError(
      file,
      listIssues(result.error.issues, data, (at) => fieldsAt(FrontMatter, at)),
    );
  const fm = result.data;

  const slug = fm.slug ?? slugFromFile(file);
  const published = parseWhen(fm.date) as When; // the schema checked it
  const updated = fm.updated === undefined ? undefined : (parseWhen(fm.updated) as When);
  const expires = fm.expires === undefined ? undefined : (parseWhen(fm.expires) as When);
  if (updated && updated.iso < published.iso) {
    throw new ArticleError(file, `"updated" (${fm.updated}) is before "date" (${fm.date}); a correction comes after first publication`);
  }
  const url = new URL(pageFolder(slug), settings.url).href;
  const html = renderArticleHtml(body, url);
  let image: Article['image'];
  if (fm.image) {
    const imageUrl = absoluteUrl(fm.image.url, url);
    if (imageUrl === undefined || !/^https?:/.test(imageUrl)) {
      throw new ArticleError(file, `"image.url" must be an http(s) URL or a path (got ${JSON.stringify(fm.image.url)})`);
    }
    image = { url: imageUrl, alt: fm.image.alt, ...(fm.image.type ? { type: fm.image.type } : {}), ...(fm.image.length ? { length: fm.image.length } : {}) };
  }
  return {
    file,
    id: fm.id ?? defaultId(settings, published, file),
    slug,
    url,
    title: fm.title,
    summary: fm.summary ?? excerpt(html),
    ...(fm.summary ? { standfirst: fm.summary } : {}),
    published,
    ...(updated ? { updated } : {}),
    ...(expires ? { expires } : {}),
    tags: uniqueTags(fm.tags),
    authors: fm.authors,
    ...(image ? { image } : {}),
    draft: fm.draft,
    ...(fm.correction ? { correction: fm.correction } : {}),
    html,
  };
}

/**
 * The slug a file gets when its front matter names none: its name made a slug ("Budget vote 2025.md" ->
 * "budget-vote-2025", "ärticle with spaces.md" -> "article-with-spaces"); a name that is already a slug
 * is kept as it is, so no published URL moves.
 */
function slugFromFile(file: string): string {
  const stem = path.basename(file).replace(/\.md$/i, '');
  if (SLUG.test(stem)) return stem; // whatever its length: a published URL never moves
  const slug = slugOf(stem, MAX_SLUG);
  if (!SLUG.test(slug)) {
    throw new ArticleError(file, `no slug can be made from the file name ${JSON.stringify(stem)} (it has no letters or digits in a-z, 0-9): set slug: in the front matter`);
  }
  return slug;
}

/**
 * A tag URI (RFC 4151) from the site's own domain, the first-publication day and the file name: it
 * survives edits to the title and the slug, so readers never see a story twice. Set `id` to pin it.
 */
function defaultId(settings: Settings, published: When, file: string): string {
  const stem = path.basename(file).replace(/\.md$/i, '');
  return `tag:${settings.idAuthority},${published.iso.slice(0, 10)}:${encodeURIComponent(stem)}`;
}

function isStableUri(value: string): boolean {
  try {
    // `feed` passes Atom ids through new URL(): one it would rewrite (or reject) is refused here instead.
    return /^[a-z][a-z0-9+.-]*:/i.test(value) && new URL(value).href === value;
  } catch {
    return false;
  }
}

/** One tag once: two spellings of one tag slug in one article keep the first. */
function uniqueTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((t) => {
    const key = tagSlug(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Public now: not a draft, its time has come, and it has not expired. */
export function isPublic(article: Pick<Article, 'draft' | 'published' | 'expires'>, now: Date): boolean {
  const at = toIso(now.getTime()); // the same format as the stored dates, so strings compare as times
  return !article.draft && article.published.iso <= at && (article.expires === undefined || article.expires.iso > at);
}

/** Newest first by first publication (a correction never moves a story), then by id for a stable order. */
export function newestFirst(a: Pick<Article, 'published' | 'id'>, b: Pick<Article, 'published' | 'id'>): number {
  return a.published.iso < b.published.iso ? 1 : a.published.iso > b.published.iso ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
