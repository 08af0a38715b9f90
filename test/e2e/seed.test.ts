import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { captureIo, readText, seedContent, tempDir } from '../helpers/content.ts';
import { nodeText, parseAtom, parseJsonFeed, parseRss, textOf } from '../helpers/feeds.ts';

// The first stored article is the seed news report, as faithful data: every line of the wire report
// (a copy kept in test/fixtures) must reach readers word for word. Its first two lines are the headline
// and the standfirst; "• Updated" is the source page's label (no time, no change named), kept out of
// the body, as the article file says. The seed is built alone, so new stories never change the result.
const SEED = new URL('../fixtures/seed-article.txt', import.meta.url);
const SLUG = 'iran-missiles-us-bases-iraq';

let lines: string[];
let out: string;
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

beforeAll(async () => {
  lines = (await readFile(SEED, 'utf8')).split('\n').map(squash).filter(Boolean);
  const dir = await tempDir();
  out = path.join(dir, 'dist');
  const content = await seedContent(path.join(dir, 'content'));
  expect(await main(['build', '--content', content, '--out', out], captureIo())).toBe(0);
});

describe('the seed report', () => {
  it('is headed by its headline and standfirst, dated 2020-01-08 with no time made up', async () => {
    const json = parseJsonFeed(await readText(out, 'feed.json'));
    const item = json.items[0];
    expect(item?.title).toBe(lines[0]);
    expect(item?.summary).toBe(lines[1]);
    expect(item?.date_published).toBe('2020-01-08T00:00:00Z');
    expect(item?.authors).toBeUndefined();
    expect(item?.image).toBeUndefined();
    const page = await readText(out, 'articles', SLUG, 'index.html');
    expect(page).toContain('<time datetime="2020-01-08">January 8, 2020</time>');
  });

  it('keeps every paragraph, subhead, caption and related-story line word for word in every feed and its page', async () => {
    const body = lines.slice(2).filter((l) => l !== '• Updated');
    expect(body).toHaveLength(15); // 7 paragraphs, 4 subheads, 2 caption lines, 2 related-story lines
    const rss = parseRss(await readText(out, 'rss.xml')).xml.rss.channel.item[0];
    const atom = parseAtom(await readText(out, 'atom.xml')).xml.feed.entry[0];
    const json = parseJsonFeed(await readText(out, 'feed.json')).items[0];
    const page = await readText(out, 'articles', SLUG, 'index.html');
    const texts = {
      rss: textOf(nodeText(rss['content:encoded']) ?? ''),
      atom: textOf(nodeText(atom.content) ?? ''),
      json: textOf(json?.content_html ?? ''),
      page: textOf(page),
    };
    for (const [where, text] of Object.entries(texts)) {
      for (const line of body) expect(text, `${where} is missing: ${line}`).toContain(line);
    }
  });

  it('has its subheads as headings', async () => {
    const page = await readText(out, 'articles', SLUG, 'index.html');
    const headings = [...page.matchAll(/<h2>(.*?)<\/h2>/g)].map((m) => m[1]);
    expect(headings).toEqual(['Attack follows Trump refusal to withdraw troops from Iraq', 'IRGC serves warning to American allies', 'All is well, tweets Trump', 'Lindsey Graham sternly warns Iran']);
  });

  it("invents no URL: every link in its page and feeds is the site's own", async () => {
    const json = parseJsonFeed(await readText(out, 'feed.json'));
    const hrefs = [...(json.items[0]?.content_html ?? '').matchAll(/(?:href|src)="([^"]+)"/g)];
    expect(hrefs).toEqual([]);
  });
});
