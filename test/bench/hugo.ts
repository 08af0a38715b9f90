// The reference point for the build bench: Hugo (Debian's `hugo` package) building a minimal site from the same
// generated corpus: one page per article, a home page listing the newest 50, and Hugo's built-in RSS template
// for the home feed, limited to the newest 50. Taxonomies, terms and section lists are switched off, so Hugo
// renders nothing the issue does not ask of wirefeed. The articles are hard-linked (or copied) into
// workDir/content/articles untouched: Hugo reads their YAML front matter (title, date, summary, tags, authors)
// as it is, and ignores what it does not use (`updated`).
//
// `hugo --quiet --destination OUT` runs in a child process; wall time is spawn to exit, as for wirefeed, and the
// peak RSS comes from `/usr/bin/time -v` ("Maximum resident set size"), or, without it, from polling
// /proc/PID/status (VmHWM) until the process exits.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const TIME = '/usr/bin/time';

const HUGO_TOML = `baseURL = "https://bench.example/"
title = "Bench Wire"
languageCode = "en"
disableKinds = ["taxonomy", "term", "section"]

[outputs]
home = ["HTML", "RSS"]

[services.rss]
limit = 50
`;

const SINGLE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title></head>
<body><article><h1>{{ .Title }}</h1><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Content }}</article></body></html>
`;

const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><h1>{{ .Site.Title }}</h1><ul>
{{ range first 50 .Site.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Summary }}</p></li>
{{ end }}</ul></body></html>
`;

/** `hugo version`'s first line, or undefined when hugo is not on PATH (or does not run). */
export function hugoVersion(): string | undefined {
  const result = spawnSync('hugo', ['version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim().split('\n')[0];
}

export interface HugoRun {
  wallS: number;
  peakRssMb: number;
}

/**
 * Builds the minimal Hugo site for corpusDir (as written by writeCorpus) in workDir, and checks the output:
 * one index.html per article and an index.xml with 50 items (or every article, under 50).
 */
export async function buildHugoSite(corpusDir: string, workDir: string): Promise<HugoRun> {
  const site = path.join(workDir, 'site');
  const out = path.join(workDir, 'public');
  const articles = path.join(site, 'content', 'articles');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(articles, { recursive: true });
  await mkdir(path.join(site, 'layouts', '_default'), { recursive: true });
  await writeFile(path.join(site, 'hugo.toml'), HUGO_TOML);
  await writeFile(path.join(site, 'layouts', '_default', 'single.html'), SINGLE_HTML);
  await writeFile(path.join(site, 'layouts', 'index.html'), INDEX_HTML);

  const names = (await readdir(path.join(corpusDir, 'articles'))).filter((n) => n.endsWith('.md'));
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < names.length) {
        const name = names[next++] as string;
        const from = path.join(corpusDir, 'articles', name);
        const to = path.join(articles, name);
        await link(from, to).catch(() => copyFile(from, to));
      }
    }),
  );

  const run = await runMeasured('hugo', ['--quiet', '--destination', out], site);
  if (run.code !== 0) throw new Error(`hugo exited ${run.code}:\n${run.output}`);
  await checkOutput(out, names);
  return { wallS: run.wallMs / 1000, peakRssMb: run.peakRssKb / 1024 };
}

interface Measured {
  wallMs: number;
  peakRssKb: number;
  code: number;
  output: string;
}

/** Runs COMMAND ARGS in cwd: wall time from spawn to exit, and peak RSS (KB). */
function runMeasured(command: string, args: readonly string[], cwd: string): Promise<Measured> {
  const viaTime = existsSync(TIME);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = viaTime ? spawn(TIME, ['-v', command, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let wallMs = 0;
    let polledKb = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const poll = viaTime
      ? undefined
      : setInterval(() => {
          readFile(`/proc/${child.pid}/status`, 'utf8')
            .then((status) => {
              const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
              if (hwm) polledKb = Math.max(polledKb, Number(hwm[1]));
            })
            .catch(() => {});
        }, 20);
    child.once('error', (error) => {
      if (poll) clearInterval(poll);
      reject(error);
    });
    child.once('exit', () => (wallMs = performance.now() - started));
    child.once('close', (code) => {
      if (poll) clearInterval(poll);
      let peakRssKb = polledKb;
      if (viaTime) {
        const max = /Maximum resident set size \(kbytes\): (\d+)/.exec(output);
        if (!max) {
          reject(new Error(`${command}: no "Maximum resident set size" from ${TIME} -v (code ${code})\n${output}`));
          return;
        }
        peakRssKb = Number(max[1]);
        output = output.slice(0, output.lastIndexOf('\tCommand being timed:')).trim();
      }
      resolve({ wallMs, peakRssKb, code: code ?? -1, output });
    });
  });
}

/** One OUT/articles/SLUG/index.html per article, and OUT/index.xml with the newest 50 as items. */
async function checkOutput(out: string, names: readonly string[]): Promise<void> {
  const pages = new Set((await readdir(path.join(out, 'articles'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name));
  const missing = names.filter((name) => !pages.has(name.replace(/\.md$/, '')));
  if (missing.length > 0) throw new Error(`hugo: ${missing.length} articles without a page, e.g. ${missing[0]}`);
  for (const slug of pages) {
    if (!existsSync(path.join(out, 'articles', slug, 'index.html'))) throw new Error(`hugo: no ${slug}/index.html`);
  }
  const rss = await readFile(path.join(out, 'index.xml'), 'utf8');
  const items = rss.split('<item>').length - 1;
  const expected = Math.min(50, names.length);
  if (items !== expected) throw new Error(`hugo: index.xml has ${items} items, expected ${expected}`);
}
