import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../functions/cli.ts';
import { startServer, type LocalServer } from '../functions/serve.ts';
import { captureIo, seedContent, tempDir } from './helpers/content.ts';

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
    await link.waitFor({ state: 'visible', timeout: 10_000 });
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

  it('shows a person who opens the RSS or Atom feed a readable page with the URL to copy', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const feed of ['rss.xml', 'atom.xml']) {
      await page.goto(new URL(feed, server.url).href);
      await page.getByText('This is a web feed.').waitFor({ state: 'visible', timeout: 10_000 });
      await expect(page.locator('#feed-url').innerText()).resolves.toBe(new URL(feed, server.url).href);
      await expect(page.getByRole('link', { name: /Inching closer to war\?/ }).isVisible()).resolves.toBe(true);
      await page.screenshot({ path: path.join(shots, `${feed}.png`) });
    }
    await page.close();
  });

  it('still gives a feed reader (not a navigation) the feed with its own type', async () => {
    const res = await fetch(new URL('rss.xml', server.url), { headers: { Accept: 'application/rss+xml' } });
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    await res.arrayBuffer();
  });
});
