import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Io } from '../../functions/cli/usage.ts';
import { parseSettings, type Settings } from '../../functions/core/settings.ts';

/** A fixed "now" for every test: the build is pure, so no fake clock is needed. */
export const NOW = new Date('2026-11-25T12:00:00Z');

export const SITE_SETTINGS = {
  title: 'Test Wire',
  description: 'Reports for the test suite',
  url: 'https://news.test/',
  language: 'en-GB',
};

export function testSettings(overrides: Record<string, unknown> = {}): Settings {
  return parseSettings(Buffer.from(stringify({ ...SITE_SETTINGS, ...overrides })));
}

export async function tempDir(name = 'wirefeed-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), name));
}

/** An article file: YAML front matter from `fields`, then the Markdown body. */
export function articleText(fields: Record<string, unknown>, body = 'A paragraph of news.\n'): string {
  return `---\n${stringify(fields)}---\n\n${body}`;
}

/** A content folder: site.yaml and articles/<name>, each a string or raw bytes. */
export async function writeContent(dir: string, articles: Record<string, string | Uint8Array>, site: Record<string, unknown> | string = SITE_SETTINGS): Promise<string> {
  await mkdir(path.join(dir, 'articles'), { recursive: true });
  await writeFile(path.join(dir, 'site.yaml'), typeof site === 'string' ? site : stringify(site));
  for (const [name, text] of Object.entries(articles)) await writeFile(path.join(dir, 'articles', name), text);
  return dir;
}

/** An Io that records what the CLI prints, with a fixed clock. */
export function captureIo(now: Date = NOW, env: NodeJS.ProcessEnv = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), env, now: () => now, stdout, stderr };
}

export async function readText(...parts: string[]): Promise<string> {
  return readFile(path.join(...parts), 'utf8');
}

/** Every file under a folder, as sorted relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}

/** The repository's own site.yaml and seed article, the only stored article tests rely on. */
const SEED_ARTICLE = 'iran-missiles-us-bases-iraq.md';
const REPO_CONTENT = new URL('../../content/', import.meta.url);

/**
 * A content folder holding only the repository's site.yaml and seed article: tests that show the seed
 * build this, never the live content/, so a newsroom's new stories never change what they see.
 */
export async function seedContent(dir: string): Promise<string> {
  await mkdir(path.join(dir, 'articles'), { recursive: true });
  await copyFile(new URL('site.yaml', REPO_CONTENT), path.join(dir, 'site.yaml'));
  await copyFile(new URL(`articles/${SEED_ARTICLE}`, REPO_CONTENT), path.join(dir, 'articles', SEED_ARTICLE));
  return dir;
}
