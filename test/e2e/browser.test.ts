import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { type LocalServer, startServer } from '../../functions/cli/serve.ts';
import { captureIo, seedContent, tempDir } from '../helpers/content.ts';
import { parseRss } from '../helpers/feeds.ts';

// Debian's Chromium, driven by playwright-core (`npx playwright install` cannot download here).
// .ci/run installs it; where it is missing these tests skip and say so.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!haveChromium)('in a real browser', () => {
  let browser: Browser;
  let server: LocalServer;
  let shots: string;

  beforeAll(async () => {
    const dir = await tempDir();
    shots = path.join(dir, 'screenshots');
    const out = path.join(dir, 'dist');
    // The seed article alone, built as `npm start` builds it: links point at the local server.
    const content = await seedContent(path.join(dir, 'content'));
    server = await startServer({ dir: out, port: 0 });
    expect(await main(['build', '--content', content, '--out', out], captureIo(new Date(), { SITE_URL: server.url }))).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the front page with the newest story, and the story when a person clicks it', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
    await page.goto(server.url);
    const link = page.getByRole('link', { name: /Inching closer to war\?/ });
    await link.waitFor({ state: 'visible', timeout: 0 }); // no clock of its own: the test's timeout bounds it (a busy machine: slower, never wrong)
    await page.screenshot({ path: path.join(shots, 'front-phone.png'), fullPage: true });
    await link.click();
    await page.waitForURL(/\/articles\/iran-missiles-us-bases-iraq\/$/);
    await expect(page.locator('h1').innerText()).resolves.toBe('Inching closer to war? Iran pounds American military bases with ballistic missiles');
    await expect(page.getByText('All is well! Missiles launched from Iran').isVisible()).resolves.toBe(true);
    // Readable on a phone: nothing wider than the screen.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(shots, 'article-phone.png'), fullPage: true });
    await page.close();
  });

  it('shows a person who opens the RSS or Atom feed its HTML view with the URL to copy, and no XSLT anywhere', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const console: string[] = [];
    page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => console.push(`error: ${e.message}`));
    for (const [feed, kind] of [
      ['rss.xml', 'rss'],
      ['atom.xml', 'atom'],
    ] as const) {
      const response = await page.goto(new URL(feed, server.url).href);
      // The address bar keeps the feed's URL; what came back is the pre-rendered page, not XML to transform.
      expect(page.url()).toBe(new URL(feed, server.url).href);
      expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
      await expect(page.evaluate('document.contentType')).resolves.toBe('text/html');
      await page.getByText('This is a web feed.').waitFor({ state: 'visible', timeout: 0 }); // no clock of its own: the test's timeout bounds it (a busy machine: slower, never wrong)
      await expect(page.locator('h1').innerText()).resolves.toBe('wirefeed news');
      await expect(page.title()).resolves.toBe('wirefeed news (web feed)');
      await expect(page.locator(`#feed-url-${kind}`).innerText()).resolves.toBe(new URL(feed, server.url).href);
      await expect(page.getByRole('link', { name: /Inching closer to war\?/ }).isVisible()).resolves.toBe(true);
      // No stylesheet processing instruction reached the browser, so no XSLT deprecation banner or warning.
      await expect(page.evaluate('[...document.childNodes].some((n) => n.nodeType === 7)')).resolves.toBe(false);
      await page.screenshot({ path: path.join(shots, `${feed}.png`) });
    }
    expect(console.filter((line) => /xslt|xsl|stylesheet/i.test(line))).toEqual([]);
    await page.close();
  });

  it('still gives a feed reader (not a navigation) the same URL as the feed itself', async () => {
    const res = await fetch(new URL('rss.xml', server.url), { headers: { Accept: 'application/rss+xml' } });
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const rss = parseRss(await res.text());
    expect(rss.feed.items.map((i) => i.url)).toEqual([new URL('articles/iran-missiles-us-bases-iraq/', server.url).href]);
  });
});
