import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { articleText, tempDir, writeContent } from './helpers/content.ts';
import { parseJsonFeed } from './helpers/feeds.ts';

const BIN = new URL('../functions/bin/wirefeed.js', import.meta.url).pathname;

it('`wirefeed serve` builds, serves on its own localhost URL, and rebuilds when an article is saved', async () => {
  // Prepare
  const dir = await tempDir();
  const content = await writeContent(path.join(dir, 'content'), { 'first.md': articleText({ title: 'First', date: '2025-03-14' }) });
  const child = spawn(process.execPath, [BIN, 'serve', '--content', content, '--out', path.join(dir, 'dist'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /Serving .* at (http:\/\/localhost:\d+\/)/.exec(seen);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${seen}`)));
    });
    const feed = async () => parseJsonFeed(await (await fetch(new URL('feed.json', url))).text());
    expect((await feed()).feed_url).toBe(`${url}feed.json`);
    expect((await feed()).items.map((i) => i.title)).toEqual(['First']);

    // Act
    await writeFile(path.join(content, 'articles', 'second.md'), articleText({ title: 'Second', date: '2025-03-15' }));

    // Assess: the watcher rebuilds within moments
    let titles: (string | undefined)[] = [];
    for (let i = 0; i < 50 && titles.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      titles = (await feed()).items.map((item) => item.title);
    }
    expect(titles).toEqual(['Second', 'First']);
  } finally {
    child.kill('SIGTERM');
  }
});
