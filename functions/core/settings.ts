import * as z from 'zod/mini';
import { parseYaml } from './article/front-matter.ts';
import { fieldsAt, httpUrl, languageTag, person, text } from './article/schema-parts.ts';
import { decodeText } from './article/text.ts';
import { ArticleError, listIssues, SettingsError } from './errors.ts';
import { SITE_FILE } from './keys.ts';

const SettingsSchema = z.strictObject({
  title: text(1, 500),
  description: text(1, 2000),
  url: httpUrl,
  language: z._default(languageTag, 'en'),
  author: z.optional(person),
  copyright: z.optional(text(1, 500)),
  /** How many of the newest articles each feed holds. */
  feed_size: z._default(z.int().check(z.gte(1), z.lte(1000)), 50),
  /** full: the whole article in every feed; summary: the summary only, for sites that want the click. */
  feed_content: z._default(z.enum(['full', 'summary']), 'full'),
  /** Square image (512x512 or so): JSON Feed icon, RSS image, Atom logo when there is no logo. */
  icon: z.optional(text(1, 2000)),
  /** Small square image (64x64 or so): JSON Feed favicon, Atom icon. */
  favicon: z.optional(text(1, 2000)),
  /** Wide image (2:1): Atom logo, RSS image. */
  logo: z.optional(text(1, 2000)),
  /** A WebSub hub to announce every feed change to; off when unset. */
  websub_hub: z.optional(httpUrl),
});
type SettingsFile = z.infer<typeof SettingsSchema>;

/** The settings every part of the build reads, with `url` normalised to end in '/'. */
export interface Settings {
  title: string;
  description: string;
  url: string;
  /** The domain in default article ids: site.yaml's own url, so SITE_URL or a new domain never changes ids. */
  idAuthority: string;
  /** site.yaml's own url (normalised), never SITE_URL: the base of the feeds' Atom ids. */
  idUrl: string;
  language: string;
  author?: { name: string; url?: string; email?: string };
  copyright?: string;
  feedSize: number;
  feedContent: 'full' | 'summary';
  /** Absolute URLs; a path in site.yaml is resolved against `url`. */
  icon?: string;
  favicon?: string;
  logo?: string;
  hub?: string;
}

/**
 * Parse site.yaml. `urlOverride` is SITE_URL (deployments) or the local server's address: the shell
 * passes it, so the core reads no environment.
 */
export function parseSettings(bytes: Uint8Array | undefined, urlOverride?: string): Settings {
  if (bytes === undefined) throw new SettingsError(SITE_FILE, 'is missing: create it with at least title, description and url');
  let data: unknown;
  try {
    data = parseYaml(SITE_FILE, decodeText(SITE_FILE, bytes), { subject: '' });
  } catch (err) {
    if (err instanceof ArticleError) throw new SettingsError(SITE_FILE, err.problem, { cause: err });
    throw err;
  }
  const configured = SettingsSchema.shape.url.safeParse((data as { url?: unknown } | null)?.url);
  if (urlOverride !== undefined && data !== null && typeof data === 'object') data = { ...data, url: urlOverride };
  const result = SettingsSchema.safeParse(data ?? {});
  if (!result.success) {
    const fromEnv = urlOverride !== undefined && result.error.issues.some((i) => i.path[0] === 'url') ? ' (the url came from SITE_URL)' : '';
    throw new SettingsError(SITE_FILE, listIssues(result.error.issues, data, (at) => fieldsAt(SettingsSchema, at)) + fromEnv);
  }
  const s = result.data;
  checkUrls(s, configured.success ? configured.data : undefined, urlOverride !== undefined);
  const url = normalUrl(new URL(s.url));
  return {
    title: s.title,
    description: s.description,
    url,
    idAuthority: new URL(configured.success ? configured.data : url).hostname,
    idUrl: configured.success ? normalUrl(new URL(configured.data)) : url,
    language: s.language,
    ...(s.author ? { author: s.author } : {}),
    ...(s.copyright ? { copyright: s.copyright } : {}),
    feedSize: s.feed_size,
    feedContent: s.feed_content,
    ...imageUrls(s, url),
    ...(s.websub_hub ? { hub: new URL(s.websub_hub).href } : {}),
  };
}

/** A base URL: no query, no fragment, a path ending in '/'. */
function normalUrl(url: URL): string {
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** Loopback hosts, the only ones a hub may be reached on over plain http (a hub run on the same machine). */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * What the schema cannot say: the site's url is in every link of every feed and page, so credentials in it
 * (https://user:pass@host/) would be published; the hub is told about every feed change and its link is
 * published too, so it must be https (http only on this machine) and carry no credentials either.
 */
function checkUrls(s: SettingsFile, configuredUrl: string | undefined, overridden: boolean): void {
  const hasCredentials = (value: string) => {
    const u = new URL(value);
    return u.username !== '' || u.password !== '';
  };
  const credentials = 'must not carry a user name or password (user:pass@): it would be published in every link';
  if (configuredUrl !== undefined && hasCredentials(configuredUrl)) throw new SettingsError(SITE_FILE, `"url" ${credentials}`);
  if (hasCredentials(s.url)) throw new SettingsError(SITE_FILE, `"url" ${credentials}${overridden ? ' (the url came from SITE_URL)' : ''}`);
  if (s.websub_hub === undefined) return;
  const hub = new URL(s.websub_hub);
  if (hasCredentials(s.websub_hub)) throw new SettingsError(SITE_FILE, `"websub_hub" ${credentials}`);
  if (hub.protocol !== 'https:' && !LOOPBACK.has(hub.hostname)) {
    throw new SettingsError(SITE_FILE, `"websub_hub" must be an https URL (http only for localhost, 127.0.0.1 or [::1]); got ${JSON.stringify(s.websub_hub)}`);
  }
}

function imageUrls(s: SettingsFile, base: string): Pick<Settings, 'icon' | 'favicon' | 'logo'> {
  const out: Pick<Settings, 'icon' | 'favicon' | 'logo'> = {};
  for (const name of ['icon', 'favicon', 'logo'] as const) {
    const value = s[name];
    if (value === undefined) continue;
    const url = new URL(value, base);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SettingsError(SITE_FILE, `"${name}" must be an http(s) URL or a path (got ${JSON.stringify(value)})`);
    out[name] = url.href;
  }
  return out;
}
