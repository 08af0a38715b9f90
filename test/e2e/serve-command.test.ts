import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { articleText, captureIo, listFiles, readText, tempDir, writeContent } from '../helpers/content.ts';
import { parseJsonFeed } from '../helpers/feeds.ts';
import { freePort } from '../helpers/ports.ts';

const BIN = new URL('../../functions/bin/wirefeed.js', import.meta.url).pathname;
const REPO = new URL('../..', import.meta.url).pathname;

// Each child leads its own process group, so whatever it started, orphans included, is killed after the test.
const started: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
});

function start(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcessWithoutNullStreams {
  const child = spawn(command, args, { cwd: options.cwd ?? REPO, env: { ...process.env, ...options.env }, detached: true, stdio: 'pipe' });
  started.push(child);
  return child;
}

/** The server's URL, once the command prints its "Serving … at URL" line. */
function serving(child: ChildProcessWithoutNullStreams): Promise<{ url: string; folder: string }> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /Serving (.*) at (http:\/\/localhost:\d+\/)/.exec(seen);
      if (match?.[1] && match[2]) resolve({ folder: match[1], url: match[2] });
    });
    child.stderr.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${seen}`)));
  });
}

/**
 * Whether the server answers in full; a connection it closes mid-answer (it is stopping) is no answer. A
 * stopped server refuses at once: the timeout is only for one that hangs, and generous for a busy machine.
 */
const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(15_000) })
    .then(async (res) => {
      await res.arrayBuffer();
      return true;
    })
    .catch(() => false);

/**
 * Ask again every 100 ms until `done` says so, however long that takes: the test's own timeout is the only
 * bound, so a busy machine makes the test slower, never wrong.
 */
async function until(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((r) => setTimeout(r, 100));
}

/** The titles of a served feed.json, newest first. */
const feedTitles = async (url: string) => parseJsonFeed(await (await fetch(new URL('feed.json', url))).text()).items.map((item) => item.title);

const story = (title: string, date: string) => articleText({ title, date });

describe('wirefeed serve', () => {
  it('builds, serves on its own localhost URL, and rebuilds when an article is saved', async () => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'first.md': story('First', '2025-03-14') });
    const child = start(process.execPath, [BIN, 'serve', '--content', content, '--out', path.join(dir, 'dist'), '--port', '0']);
    const { url } = await serving(child);
    const feed = async () => parseJsonFeed(await (await fetch(new URL('feed.json', url))).text());
    expect((await feed()).feed_url).toBe(`${url}feed.json`);
    expect((await feed()).items.map((i) => i.title)).toEqual(['First']);

    // Act
    await writeFile(path.join(content, 'articles', 'second.md'), story('Second', '2025-03-15'));

    // Assess: the watcher rebuilds
    await until(async () => (await feedTitles(url)).length >= 2);
    expect(await feedTitles(url)).toEqual(['Second', 'First']);
  });

  it('names an article file over 2 GiB saved while it runs, keeps serving, and publishes the next article saved', async () => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'first.md': story('First', '2025-03-14') });
    const child = start(process.execPath, [BIN, 'serve', '--content', content, '--out', path.join(dir, 'dist'), '--port', '0']);
    const { url } = await serving(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const huge = path.join(content, 'articles', 'huge.md');

    // Act: a 2 GiB + 1 byte file (sparse: no disk, no time) lands in the watched folder
    await writeFile(huge, '');
    await truncate(huge, 2 * 1024 ** 3 + 1);

    // Assess: the rebuild names it (or the process died, and its stderr says how)
    await until(async () => stderr.includes(`${huge}: is`) || child.exitCode !== null);
    expect(stderr).toContain(`${huge}: is ${2 * 1024 ** 3 + 1} bytes; the limit is ${2 * 1024 * 1024}`);
    await writeFile(path.join(content, 'articles', 'second.md'), story('Second', '2025-03-15'));
    await until(async () => (await feedTitles(url)).length >= 2);
    expect(await feedTitles(url)).toEqual(['Second', 'First']);
  });

  it('publishes an article saved the moment it says it is serving, and one saved while its first build runs', async () => {
    // Prepare: in this process, so the saves land at exactly those moments
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'first.md': story('First', '2025-03-14') });
    const io = captureIo();
    const save = (name: string, title: string, date: string) => writeFileSync(path.join(content, 'articles', name), story(title, date));
    let url: string | undefined;
    let builds = 0;
    const out = (line: string) => {
      // The first build's summary: it has read the folder, and has yet to return
      if (line.includes(' published, ') && builds++ === 0) save('during.md', 'During', '2025-03-15');
      const match = /Serving .* at (http:\/\/localhost:\d+\/)/.exec(line);
      if (match) {
        save('second.md', 'Second', '2025-03-16');
        url = match[1];
      }
      io.out(line);
    };

    // Act
    const served = main(['serve', '--content', content, '--out', path.join(dir, 'preview'), '--port', '0'], { ...io, out });

    // Assess: both are published, however long that takes (no clock: the test's timeout bounds it)
    await until(async () => url !== undefined && (await feedTitles(url)).length >= 3);
    expect(await feedTitles(url as string)).toEqual(['Second', 'During', 'First']);
    process.emit('SIGHUP'); // serve's own stop; no real signal reaches this test process
    expect(await served).toBe(0);
    expect(io.stderr).toEqual([]);
  });

  it('exits 2 naming a content folder that does not exist, serving nothing', async () => {
    // Prepare
    const missing = path.join(await tempDir(), 'content');
    const io = captureIo();

    // Act
    const code = await main(['serve', '--content', missing, '--port', '0'], io);

    // Assess
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toContain(`there is no content folder ${missing}`);
    expect(io.stdout).toEqual([]);
  });

  it('previews into .wirefeed/preview/ beside the content folder, so `wirefeed build` into dist/ never breaks its links', async () => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'first.md': story('First', '2025-03-14') });
    const child = start(process.execPath, [BIN, 'serve', '--content', 'content', '--port', '0'], { cwd: dir });
    const { url, folder } = await serving(child);

    // Act: an editor builds the site while the preview runs
    expect(await main(['build', '--content', content, '--out', path.join(dir, 'dist')], captureIo())).toBe(0);

    // Assess
    expect(folder).toBe(path.join(dir, '.wirefeed', 'preview'));
    expect(await listFiles(folder)).toContain('feed.json');
    expect(parseJsonFeed(await (await fetch(new URL('feed.json', url))).text()).feed_url).toBe(`${url}feed.json`);
    expect(parseJsonFeed(await readText(dir, 'dist', 'feed.json')).feed_url).toBe('https://news.test/feed.json');
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('stops serving and exits 0 on %s', async (signal) => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'first.md': story('First', '2025-03-14') });
    const child = start(process.execPath, [BIN, 'serve', '--content', content, '--port', '0']);
    const { url } = await serving(child);
    expect(await answers(url)).toBe(true);

    // Act
    const exited = once(child, 'exit');
    child.kill(signal);

    // Assess
    expect(await exited).toEqual([0, null]);
    expect(await answers(url)).toBe(false);
  });

  it('stops serving when the process that started it goes away, even if no signal reaches it', async () => {
    // Prepare: a shell that waits for serve (the `; true` keeps any sh from exec-ing it), as npm's does
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'first.md': story('First', '2025-03-14') });
    const shell = start('sh', ['-c', `"${process.execPath}" "${BIN}" serve --content "${content}" --port 0; true`]);
    const { url } = await serving(shell);

    // Act: SIGKILL reaches only the shell; serve is left behind
    shell.kill('SIGKILL');

    // Assess
    await until(async () => !(await answers(url)));
    expect(await answers(url)).toBe(false);
  });
});

describe('npm start', () => {
  it('stops serving when npm is sent SIGTERM (kill <pid of npm start>)', async () => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'first.md': story('First', '2025-03-14') });
    const port = await freePort();
    const npm = start(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start', '--', '--content', content], { env: { PORT: String(port) } });
    const { url, folder } = await serving(npm);
    expect(url).toBe(`http://localhost:${port}/`);
    expect(folder).toBe(path.join(dir, '.wirefeed', 'preview'));
    expect(await answers(url)).toBe(true);

    // Act
    const exited = once(npm, 'exit');
    npm.kill('SIGTERM');

    // Assess
    await exited;
    await until(async () => !(await answers(url)));
    expect(await answers(url)).toBe(false);
  });
});
