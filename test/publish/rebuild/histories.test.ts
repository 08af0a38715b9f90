import { beforeEach, describe, expect, it } from 'vitest';
import { STATE, type TagDir } from '../../../functions/core/state/state.ts';
import type { LeaseTiming } from '../../../functions/publish/protocol/lease.ts';
import { ask, type Request } from '../../../functions/publish/protocol/requests.ts';
import { publish } from '../../../functions/publish/publish.ts';
import { MemoryStore } from '../../../functions/stores/memory-store.ts';
import type { Store, Stores } from '../../../functions/stores/store.ts';
import { leaseClocks } from '../../helpers/clock.ts';
import { articleText, NOW } from '../../helpers/content.ts';
import { memorySite, objectsOf } from '../../helpers/engine.ts';
import { parseAtom, parseJsonFeed, parseRss } from '../../helpers/feeds.ts';
import { mulberry32 } from '../../helpers/random.ts';

// Issue 18: a full rebuild and the ordinary cycle give the same site for the same content. Each seed makes a
// random newsroom history (creates, edits, deletes, drafts, embargoes, renames, copies, broken files), published as the
// Lambda publishes it (a cycle per event's keys, the minute tick, now and then a scan) while the clock moves on.
// Then the site so published (A) is set beside the same content rebuilt in full over A's own state (B), and
// rebuilt from no state at all (C).

let LIVE: LeaseTiming;
beforeEach(() => {
  ({ LIVE } = leaseClocks());
});

const SEEDS = [1, 2, 3, 20261125, 424242, 9001];
const STEPS = 25;
/** Small, so a short history fills several archive pages. */
const FEED_SIZE = 3;
const MINUTE = 60_000;

// ------------------------------------------------------------------------------------------------
// Histories: each step is concrete (files written or deleted, and how the change is published), so a
// history can be replayed, or replayed in part to shrink a failing one.
// ------------------------------------------------------------------------------------------------

interface Write {
  /** The content key. */
  key: string;
  /** The file's text; null deletes it. */
  text: string | null;
}

interface Step {
  /** What the newsroom did, for the failure message. */
  what: string;
  /** Minutes the clock moves before the step (the minute tick runs then). */
  advance: number;
  writes: Write[];
  /** One event naming every key written; one event per write, each published before the next write; or a scan. */
  publish: 'event' | 'events' | 'scan';
}

interface Story {
  title: string;
  date: string;
  tags: string[];
  body: string;
  updated?: string;
  draft?: boolean;
  slug?: string;
  /** The file holds broken front matter (its fields are what the next good version starts from). */
  broken?: boolean;
  /** Made by copying another file's front matter, slug included: two files claim one slug. */
  copy?: boolean;
}

const TITLES = ['Budget vote passes', 'Tom & Jerry return', '"Quoted" minister resigns', 'Why </div> breaks', 'It’s <b>bold</b> news', 'Storm & surge', 'Port 2 & “more”', 'A < B > C'];
const BODIES = [
  'A paragraph of news.\n',
  'With **bold**, _emphasis_ and a [link](https://example.org/?a=1&b=2).\n',
  'Raw <em>HTML</em> and <script>alert(1)</script> that the sanitiser drops.\n',
  '## A heading\n\n- one & two\n- "three"\n',
];
/** A small set, spelt several ways: one tag per slug, titled by the spelling most of its articles use. */
const TAGS = ['Port', 'port', 'PORT', 'Élection', 'election', 'C#', 'C++', 'Weather & Storms'];
const BROKEN = ['---\ntitle: [unclosed\n---\nBody\n', '---\ntittle: A typo in a field name\ndate: 2026-11-20\n---\nBody\n'];

/** An instant as the front matter has it, to the minute. */
const minute = (ms: number) => new Date(Math.floor(ms / MINUTE) * MINUTE).toISOString().replace(':00.000Z', ':00Z');

function fileText(story: Story, broken: number): string {
  if (story.broken) return BROKEN[broken % BROKEN.length] as string;
  const { title, date, tags, updated, draft, slug } = story;
  return articleText({ title, date, tags, ...(updated ? { updated } : {}), ...(draft ? { draft } : {}), ...(slug ? { slug } : {}) }, story.body);
}

/**
 * A random history of `count` steps, starting at NOW: the same seed gives the same history. `mend` is one
 * step more, which leaves no file broken and no slug claimed twice (see the rebuild from no state, below).
 */
function history(seed: number, count: number): { steps: Step[]; mend: Step } {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const chance = (p: number) => random() < p;
  const stories = new Map<string, Story>();
  let clock = NOW.getTime();
  let made = 0;
  const slugOf = (file: string) => file.replace(/\.md$/, '').toLowerCase().replace(/ /g, '-');
  const steps: Step[] = [];
  const date = () => (chance(0.2) ? minute(clock - Math.floor(random() * 3) * 86_400_000).slice(0, 10) : minute(clock - Math.floor(random() * 3 * 86_400_000)));
  const tags = () => Array.from({ length: Math.floor(random() * 3) }, () => pick(TAGS));
  const fresh = (): Story => ({ title: `${pick(TITLES)} ${made}`, date: date(), tags: tags(), body: pick(BODIES) });
  const newName = () => {
    made++;
    return chance(0.3) ? `Wire Story ${made}.md` : `story-${made}.md`;
  };
  /** A valid updated: a correction after the date (a later date edit drops one it would now precede). */
  const correct = (s: Story) => {
    const from = Date.parse(s.date.length === 10 ? `${s.date}T00:00:00Z` : s.date);
    if (from < clock) s.updated = minute(from + Math.floor(random() * (clock - from)));
  };
  const keepValid = (s: Story) => {
    if (s.updated && Date.parse(s.updated) < Date.parse(s.date.length === 10 ? `${s.date}T00:00:00Z` : s.date)) delete s.updated;
  };
  for (let i = 0; i < count; i++) {
    const advance = 1 + Math.floor(random() * 15);
    clock += advance * MINUTE;
    const names = [...stories.keys()].sort();
    const publishAs = (): Step['publish'] => (chance(0.15) ? 'scan' : chance(0.3) ? 'events' : 'event');
    const write = (name: string, s: Story | null): Write => ({ key: `articles/${name}`, text: s ? fileText(s, made) : null });
    const kind = names.length < 3 ? 'create' : pick(['create', 'create', 'edit', 'edit', 'edit', 'delete', 'draft', 'embargo', 'lift', 'rename', 'rename', 'copy', 'broken', 'fix']);
    const name = pick(names);
    const story = stories.get(name) as Story;
    let step: Omit<Step, 'advance' | 'publish'>;
    if (kind === 'create' || names.length === 0) {
      const n = newName();
      const s = fresh();
      if (chance(0.15)) s.date = minute(clock + (5 + Math.floor(random() * 40)) * MINUTE); // filed under embargo
      if (chance(0.1)) s.draft = true;
      stories.set(n, s);
      step = { what: `create ${n}`, writes: [write(n, s)] };
    } else if (kind === 'edit') {
      const field = pick(['title', 'body', 'tags', 'date', 'updated'] as const);
      if (field === 'title') story.title = `${pick(TITLES)} (edited ${i})`;
      if (field === 'body') story.body = pick(BODIES);
      if (field === 'tags') story.tags = tags();
      if (field === 'date') story.date = date();
      if (field === 'updated') correct(story);
      keepValid(story);
      story.broken = false;
      step = { what: `edit ${field} of ${name}`, writes: [write(name, story)] };
    } else if (kind === 'delete') {
      stories.delete(name);
      step = { what: `delete ${name}`, writes: [write(name, null)] };
    } else if (kind === 'draft') {
      story.draft = !story.draft;
      story.broken = false;
      step = { what: `${story.draft ? 'draft' : 'undraft'} ${name}`, writes: [write(name, story)] };
    } else if (kind === 'embargo') {
      story.date = minute(clock + (5 + Math.floor(random() * 40)) * MINUTE);
      keepValid(story);
      story.broken = false;
      step = { what: `embargo ${name} until ${story.date}`, writes: [write(name, story)] };
    } else if (kind === 'lift') {
      story.date = minute(clock - Math.floor(random() * 30) * MINUTE);
      keepValid(story);
      story.broken = false;
      step = { what: `lift ${name}'s embargo: dated ${story.date}`, writes: [write(name, story)] };
    } else if (kind === 'rename') {
      // The file moves; its URL stays (its slug kept in the front matter) or follows the new name.
      const n = newName();
      const moved: Story = { ...story, broken: false };
      if (chance(0.5)) moved.slug = story.slug ?? slugOf(name);
      else delete moved.slug;
      stories.delete(name);
      stories.set(n, moved);
      const writes = [write(n, moved), write(name, null)];
      step = { what: `rename ${name} to ${n}${moved.slug ? ` keeping slug ${moved.slug}` : ''}`, writes: chance(0.7) ? writes : writes.reverse() };
    } else if (kind === 'copy') {
      // Copied front matter, slug and all: the slug's holder keeps it, the copy is refused until it is free.
      const n = newName();
      const copied: Story = { ...story, tags: [...story.tags], broken: false, copy: true, slug: story.slug ?? slugOf(name) };
      stories.set(n, copied);
      step = { what: `copy ${name} to ${n}, slug ${copied.slug} and all`, writes: [write(n, copied)] };
    } else if (kind === 'broken') {
      const n = chance(0.5) ? name : newName();
      const s = stories.get(n) ?? fresh();
      s.broken = true;
      stories.set(n, s);
      step = { what: `break ${n}`, writes: [write(n, s)] };
    } else {
      const broken = names.filter((n) => stories.get(n)?.broken);
      const n = broken.length > 0 ? pick(broken) : name;
      const s = stories.get(n) as Story;
      s.broken = false;
      step = { what: `fix ${n}`, writes: [write(n, s)] };
    }
    steps.push({ ...step, advance, publish: publishAs() });
  }
  const writes: Write[] = [];
  for (const [name, story] of [...stories].sort(([x], [y]) => (x < y ? -1 : 1))) {
    if (story.copy) writes.push({ key: `articles/${name}`, text: null });
    else if (story.broken) writes.push({ key: `articles/${name}`, text: fileText({ ...story, broken: false }, 0) });
  }
  return { steps, mend: { what: 'mend every broken file, delete every copy', advance: 1, writes, publish: 'event' } };
}

// ------------------------------------------------------------------------------------------------
// Publishing and comparing
// ------------------------------------------------------------------------------------------------

interface Published {
  stores: Stores;
  now: Date;
  /** The steps, numbered, as the failure message shows them. */
  log: string[];
}

/** Replay a history as the Lambda publishes it: the minute tick as the clock moves, then the step's own events. */
async function incrementally(steps: readonly Step[]): Promise<Published> {
  const s = await memorySite({ feed_size: FEED_SIZE });
  const stores: Stores = { content: s.content, site: s.site, state: s.state };
  let clock = NOW.getTime();
  const run = (request: Request) => publish(stores, { now: new Date(clock), request, lease: LIVE });
  await run(ask.scan());
  const log: string[] = [];
  for (const [i, step] of steps.entries()) {
    clock += step.advance * MINUTE;
    log.push(`${i + 1}. +${step.advance} min: ${step.what} (${step.publish})`);
    await run(ask.keys());
    for (const w of step.writes) {
      if (w.text === null) await s.content.delete(w.key);
      else await s.content.put(w.key, w.text, { contentType: 'text/markdown' });
      if (step.publish === 'events') await run(ask.keys([w.key]));
    }
    if (step.publish === 'event') await run(ask.keys(step.writes.map((w) => w.key)));
    if (step.publish === 'scan') await run(ask.scan());
  }
  await run(ask.keys());
  return { stores, now: new Date(clock), log };
}

async function copy(from: Store): Promise<MemoryStore> {
  const to = new MemoryStore();
  for (const { key, contentType } of await from.list('')) {
    const object = await from.get(key);
    if (object) await to.put(key, object.body, { contentType: contentType ?? 'application/octet-stream' });
  }
  return to;
}

const objects = (store: Store) => objectsOf(store);

/** A feed as a reader sees it, item by item (undefined for any other key, or a feed that does not parse). */
function readable(key: string, text: string): string | undefined {
  try {
    if (key.endsWith('feed.json')) {
      const feed = parseJsonFeed(text);
      return [
        `${feed.title} (next_url ${feed.next_url ?? 'none'})`,
        ...feed.items.map((i) => `${i.id} | ${i.title} | ${i.date_published} | ${i.date_modified ?? '-'} | ${(i.tags ?? []).join(', ')}`),
      ].join('\n');
    }
    if (key.endsWith('rss.xml') || key.endsWith('atom.xml')) {
      const { feed } = key.endsWith('rss.xml') ? parseRss(text) : parseAtom(text);
      const when = (d: Date | null) => d?.toISOString() ?? '-';
      return [
        `${feed.title} (updated ${when(feed.updated)})`,
        ...feed.items.map((i) => `${i.id} | ${i.title} | ${when(i.published)} | ${when(i.updated)} | ${i.categories.map((c) => c.label ?? c.term).join(', ')}`),
      ].join('\n');
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Where two texts first differ, with some context from each. */
function excerpt(a: string, b: string): string {
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  const from = Math.max(0, a.lastIndexOf('\n', at - 200) + 1);
  return `  ${a.slice(from, at + 300)}\n  ---- the other has ----\n  ${b.slice(from, at + 300)}`;
}

/** Every key on which two stores differ (those `excluded` aside), the first one shown: the feeds as read back where that tells the difference. */
function differences(names: [string, string], a: Record<string, string>, b: Record<string, string>, excluded: (key: string) => boolean = () => false): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !excluded(k) && a[k] !== b[k]).sort();
  const [key] = keys;
  if (key === undefined) return undefined;
  const [x, y] = [a[key], b[key]];
  const all = `${names[0]} and ${names[1]} differ on ${keys.length} key(s): ${keys.join(', ')}\nthe first, ${key}: `;
  if (x === undefined || y === undefined) return `${all}only ${x === undefined ? names[1] : names[0]} has it:\n${(readable(key, (x ?? y) as string) ?? x ?? y)?.slice(0, 1500)}`;
  const [rx, ry] = [readable(key, x), readable(key, y)];
  const [ex, ey] = rx !== undefined && ry !== undefined && rx !== ry ? [rx, ry] : [x, y];
  return `${all}${names[0]} first, then ${names[1]}:\n${excerpt(ex, ey)}`;
}

/**
 * The site and state as far as they do not depend on the order in which articles were first published.
 * That order is the history's, not the content's: by design (README "Known limits") archive pages follow it;
 * a full rebuild over a state keeps each article's place (`places` compares them exactly), and one from none
 * gives places by date (index.ts), so
 * - archive documents are left out here and compared by what they hold, page aside (`archived`);
 * - the site's own feeds are compared with their link to the newest archive page unnumbered (a history whose
 *   deletions left a page short or empty has more pages than the same articles placed afresh);
 * - tags have places too, in tag-creation order (a rebuild gives them in slug order): their sitemaps are
 *   compared by the URLs they hold, shard aside (a shard whose tags are all gone is kept, empty), and the
 *   sitemap index without them;
 * - records lose their place (`seq`), tag directories theirs (`seq`), the head its counters of places given, when it last reconciled,
 *   and commits made, and the state of archive pages and tag shards, and the hashes of the groups whose files
 *   are compared above as read, are left out;
 * - timelines are compared entry by entry in order: which chunk holds an entry, and the chunks' ids, are the
 *   history's (a chunk emptied is dropped, its id never given again).
 * Claims lose `waiting` too: the files each one refused are the history's (a file since deleted stays named),
 * and a full rebuild names those it refuses itself (rebuild.test.ts proves the one waiting is published when
 * the holder goes).
 */
function comparable(site: Record<string, string>, state: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(site)) {
    if (key.startsWith('archive/') || /^sitemap-tags-\d+\.xml$/.test(key)) continue;
    if (['rss.xml', 'atom.xml', 'feed.json'].includes(key)) out[`site: ${key}`] = text.replace(/^.*archive\/\d+\/.*\n/gm, '');
    else if (key === 'sitemap.xml') out[`site: ${key}`] = text.replace(/^.*sitemap-tags-\d+\.xml.*\n/gm, '');
    else out[`site: ${key}`] = text;
  }
  // The tag sitemaps' URLs, whichever shard each is in
  const tagUrls = Object.entries(site)
    .filter(([key]) => /^sitemap-tags-\d+\.xml$/.test(key))
    .flatMap(([, text]) => [...text.matchAll(/<url>[\s\S]*?<\/url>/g)].map((m) => m[0]))
    .sort();
  out['site: sitemap-tags-*.xml, URLs in any shard'] = tagUrls.join('\n');
  const without = (text: string, ...fields: string[]) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(text) as object).filter(([k]) => !fields.includes(k))));
  for (const [key, text] of Object.entries(state)) {
    if (/^(archive|sitemap-tags)\/|^groups\/(archive|sitemap-tags)%3A|^groups\/(main|sitemap)\.json$|^timeline\//.test(key)) continue;
    if (key === STATE.head) out[`state: ${key}`] = without(text, 'generation', 'nextSeq', 'nextTagSeq', 'journal', 'openArchive', 'reconciled', 'media');
    else if (key.startsWith(STATE.records)) out[`state: ${key}`] = without(text, 'seq');
    else if (key.startsWith(STATE.slugs) || key.startsWith(STATE.ids)) out[`state: ${key}`] = without(text, 'waiting');
    else out[`state: ${key}`] = text;
  }
  // Each timeline's entries in order, whichever chunks hold them; its directory without its chunks
  for (const [key, text] of Object.entries(state)) {
    const name = /^timeline\/(.+)\/dir\.json$/.exec(key)?.[1];
    if (name === undefined) continue;
    const dir = JSON.parse(text) as TagDir;
    out[`state: timeline/${name}, entries`] = dir.chunks
      .flatMap((c) => JSON.parse(state[`timeline/${name}/${c.c}.json`] ?? '[]') as unknown[])
      .map((e) => JSON.stringify(e))
      .join('\n');
    out[`state: ${key}`] = without(text, 'chunks', 'next', 'seq');
  }
  // The archive pages' members, whichever page each is on
  const members = Object.entries(state)
    .filter(([key]) => key.startsWith('archive/'))
    .flatMap(([, text]) => (JSON.parse(text) as { members: unknown[] }).members.map((m) => JSON.stringify(m)))
    .sort();
  out['state: archive/*.json, members in any page'] = members.join('\n');
  return out;
}

/**
 * Every article's first-publication place, and what follows from it: each record's `seq`, the archive pages
 * (state and documents), the article sitemap shards, and the next place to give; and each tag's (the order of
 * its first use), with the tag sitemap shards. A rebuild over a state keeps them all.
 */
function places(site: Record<string, string>, state: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(site)) if (key.startsWith('archive/') || /^sitemap(-tags)?-\d+\.xml$/.test(key) || key === 'sitemap.xml') out[`site: ${key}`] = text;
  for (const [key, text] of Object.entries(state)) {
    if (key.startsWith(STATE.records) || /^timeline\/tag-.+\/dir\.json$/.test(key)) out[`state: ${key}, seq`] = String((JSON.parse(text) as { seq?: number }).seq);
    else if (/^(archive|sitemap|sitemap-tags)\//.test(key)) out[`state: ${key}`] = text;
  }
  const head = JSON.parse(state[STATE.head] ?? '{}') as { nextSeq?: number; nextTagSeq?: number };
  out['state: head, nextSeq and nextTagSeq'] = `${head.nextSeq} ${head.nextTagSeq}`;
  return out;
}

/**
 * What a reader who backfills finds: every item of the site's JSON feed and of every archive document reached
 * from it through `next_url`, by id, whatever its page (which page, and whether the site's feed lists it
 * too, follow the order of first publication). Each archive page holds at most `feed_size` items, an item is
 * on one archive page only, and an article listed twice reads the same in both.
 */
function reachable(site: Record<string, string>, feedSize: number): Record<string, string> {
  const out: Record<string, string> = {};
  const main = parseJsonFeed(site['feed.json'] ?? '');
  for (const item of main.items) out[item.id] = JSON.stringify(item, null, 1);
  const archived = new Set<string>();
  let url = main.next_url;
  for (let pages = 0; url !== undefined; pages++) {
    const key = new URL(url).pathname.slice(1);
    const text = site[key];
    expect(text, `${key}, linked, is on the site`).toBeDefined();
    expect(pages, 'the archive links end').toBeLessThan(100);
    const page = parseJsonFeed(text as string);
    expect(page.items.length, `${key} holds at most feed_size items`).toBeLessThanOrEqual(feedSize);
    for (const item of page.items) {
      expect(archived.has(item.id), `${item.id} is on one archive page only`).toBe(false);
      archived.add(item.id);
      const json = JSON.stringify(item, null, 1);
      expect(out[item.id] ?? json, `${item.id} reads the same in ${key} as in feed.json`).toBe(json);
      out[item.id] = json;
    }
    url = page.next_url;
  }
  return out;
}

/** Fails with the first difference, read back, and the history that made it. */
function agree(difference: string | undefined, seed: number, log: readonly string[]): void {
  if (difference !== undefined) expect.fail(`${difference}\n\nThe history (seed ${seed}, ${STEPS} steps):\n${log.join('\n')}`);
}

describe.each(SEEDS)('a random newsroom history (seed %i), published as events and ticks come', (seed) => {
  it('is the site and state a full rebuild over its own state gives: broken files at their last good version, each slug with its first holder, each article in its place', async () => {
    // Prepare: the history published as the Lambda publishes it (A)
    const { steps } = history(seed, STEPS);
    const a = await incrementally(steps);
    const [siteA, stateA] = [await objects(a.stores.site), await objects(a.stores.state)];
    const b: Stores = { content: a.stores.content, site: await copy(a.stores.site), state: await copy(a.stores.state) };
    // Act: the same content rebuilt in full over A's state, at the same time (B)
    const report = await publish(b, { now: a.now, request: ask.full(), lease: LIVE });
    // Assess
    expect(report.mode).toBe('full');
    expect(report.public, 'the history left public articles to compare').toBeGreaterThan(0);
    const [siteB, stateB] = [await objects(b.site), await objects(b.state)];
    agree(differences(['A', 'B'], comparable(siteA, stateA), comparable(siteB, stateB)), seed, a.log);
    agree(differences(['A', 'B'], places(siteA, stateA), places(siteB, stateB)), seed, a.log);
    agree(differences(['A', 'B'], reachable(siteA, FEED_SIZE), reachable(siteB, FEED_SIZE)), seed, a.log);
  });

  it('is, once no file is broken or copied, the site and state a full rebuild from no state gives, places aside', async () => {
    // Prepare: the history and its mending published as the Lambda publishes them (A)
    const { steps, mend } = history(seed, STEPS);
    const a = await incrementally([...steps, mend]);
    const [siteA, stateA] = [await objects(a.stores.site), await objects(a.stores.state)];
    // Act: the same content published into fresh stores, at the same time (C)
    const c: Stores = { content: a.stores.content, site: new MemoryStore(), state: new MemoryStore() };
    const report = await publish(c, { now: a.now, lease: LIVE });
    // Assess
    expect(report.mode).toBe('full');
    expect(report.rejected).toEqual([]);
    const [siteC, stateC] = [await objects(c.site), await objects(c.state)];
    agree(differences(['A', 'C'], comparable(siteA, stateA), comparable(siteC, stateC)), seed, a.log);
    agree(differences(['A', 'C'], reachable(siteA, FEED_SIZE), reachable(siteC, FEED_SIZE)), seed, a.log);
  });
});
