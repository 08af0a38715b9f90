// The reference point for the build bench: Hugo (Debian's `hugo` package) building, from the same generated
// corpus, the site wirefeed's local build makes as far as Hugo's built-in kinds go:
// - a page per article (/articles/SLUG/index.html: title, date, the rendered Markdown);
// - the front page (the newest 50, title, date and summary each) and the main RSS 2.0 feed (/index.xml), the
//   newest 50 (services.rss.limit), each item with its summary and its full content in content:encoded, as
//   wirefeed's RSS carries them;
// - the `tags` taxonomy: a page per tag (/tags/TAG/index.html, its newest 50) and that tag's RSS 2.0 feed
//   (/tags/TAG/index.xml, the newest 50, same item template);
// - the sitemap (/sitemap.xml: every page above, one file; Hugo does not shard it).
// What it does not build, and wirefeed does (so the ratio flatters Hugo): no Atom or JSON Feed (main or per
// tag), no RFC 5005 archive documents, no feed browser views (feed.html), no Google News sitemap, robots.txt
// or 404 page, no per-article one-item feeds parsed back and no feed parsed back before it is written, no
// HTML sanitising, no state kept for incremental publishing (Hugo starts from scratch every time). The
// taxonomy list (/tags/) and the section list (/articles/) are switched off: wirefeed makes neither.
// The articles are hard-linked (or copied) into workDir/content/articles untouched: Hugo reads their YAML front
// matter (title, date, summary, tags, authors) as it is, and ignores what it does not use (`updated`).
//
// `hugo --quiet --destination OUT` runs in a child process; wall time is spawn to exit, as for wirefeed, and the
// peak RSS comes from `/usr/bin/time -v` ("Maximum resident set size"), or, without it, from polling
// /proc/PID/status (VmHWM) until the process exits. The output is then checked (checkOutput), outside the timing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const TIME = '/usr/bin/time';
const BASE_URL = 'https://bench.example/';
const FEED_SIZE = 50;

const HUGO_TOML = `baseURL = "${BASE_URL}"
title = "Bench Wire"
languageCode = "en"
disableKinds = ["taxonomy", "section", "robotsTXT", "404"]
# Hugo logs disabling "taxonomy" (the /tags/ list) as an error since 0.73, in case "term" was meant: it was not.
ignoreErrors = ["error-disable-taxonomy"]

[taxonomies]
tag = "tags"

[outputs]
home = ["HTML", "RSS"]
term = ["HTML", "RSS"]
page = ["HTML"]

[services.rss]
limit = ${FEED_SIZE}
`;

const SINGLE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title></head>
<body><article><h1>{{ .Title }}</h1><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
<ul>{{ range .Params.tags }}<li><a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>
{{ .Content }}</article></body></html>
`;

/** The front page and each tag's page: the newest 50 of PAGES, title, date and summary. */
const listHtml = (title: string, pages: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
{{ with .OutputFormats.Get "RSS" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}</head>
<body><h1>${title}</h1><ul>
{{ range first ${FEED_SIZE} ${pages} }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Summary }}</p></li>
{{ end }}</ul></body></html>
`;
const INDEX_HTML = listHtml('{{ .Site.Title }}', '.Site.RegularPages.ByDate.Reverse');
const TERM_HTML = listHtml('{{ .Title }} - {{ .Site.Title }}', '.Pages.ByDate.Reverse');

/**
 * Hugo 0.111's built-in RSS template (pages chosen and limited the same way), each item also carrying the full
 * content in content:encoded, since wirefeed's feeds carry full content.
 */
const RSS_XML = `{{- $pctx := . -}}
{{- if .IsHome -}}{{ $pctx = .Site }}{{- end -}}
{{- $pages := slice -}}
{{- if or $.IsHome $.IsSection -}}{{- $pages = $pctx.RegularPages -}}{{- else -}}{{- $pages = $pctx.Pages -}}{{- end -}}
{{- $pages = $pages.ByDate.Reverse | first ${FEED_SIZE} -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\" standalone=\\"yes\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>{{ if eq .Title .Site.Title }}{{ .Site.Title }}{{ else }}{{ .Title }} - {{ .Site.Title }}{{ end }}</title>
<link>{{ .Permalink }}</link>
<description>Recent content{{ if not .IsHome }} in {{ .Title }}{{ end }} on {{ .Site.Title }}</description>
<language>en</language>
{{ if not .Date.IsZero }}<lastBuildDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</lastBuildDate>{{ end }}
{{- with .OutputFormats.Get "RSS" -}}{{ printf "<atom:link href=%q rel=\\"self\\" type=%q />" .Permalink .MediaType | safeHTML }}{{- end }}
{{ range $pages }}<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<guid>{{ .Permalink }}</guid>
<description>{{ .Summary | html }}</description>
<content:encoded>{{ printf "<![CDATA[%s]]>" .Content | safeHTML }}</content:encoded>
</item>
{{ end }}</channel>
</rss>
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
 * Builds the Hugo site for corpusDir (as written by writeCorpus) in workDir, and checks its output (checkOutput):
 * a broken or partial Hugo build is a broken bench, not a figure.
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
  await writeFile(path.join(site, 'layouts', '_default', 'term.html'), TERM_HTML);
  await writeFile(path.join(site, 'layouts', '_default', 'rss.xml'), RSS_XML);
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
  await checkOutput(out, path.join(corpusDir, 'articles'), names);
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

/**
 * One OUT/articles/SLUG/index.html per article; OUT/index.xml with the newest 50 as items; for every tag the
 * corpus uses, OUT/tags/TAG/index.html and OUT/tags/TAG/index.xml with min(50, its articles) items; and
 * OUT/sitemap.xml listing every article's page.
 */
async function checkOutput(out: string, corpusArticles: string, names: readonly string[]): Promise<void> {
  const pages = new Set((await readdir(path.join(out, 'articles'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name));
  const missing = names.filter((name) => !pages.has(name.replace(/\.md$/, '')));
  if (missing.length > 0) throw new Error(`hugo: ${missing.length} articles without a page, e.g. ${missing[0]}`);
  for (const slug of pages) {
    if (!existsSync(path.join(out, 'articles', slug, 'index.html'))) throw new Error(`hugo: no ${slug}/index.html`);
  }
  const items = async (file: string) => (await readFile(file, 'utf8')).split('<item>').length - 1;
  const mainItems = await items(path.join(out, 'index.xml'));
  if (mainItems !== Math.min(FEED_SIZE, names.length)) throw new Error(`hugo: index.xml has ${mainItems} items, expected ${Math.min(FEED_SIZE, names.length)}`);

  // The tags as the generator writes them: one flow sequence on one line, `tags: [a, b c]`.
  const perTag = new Map<string, number>();
  for (const name of names) {
    const text = await readFile(path.join(corpusArticles, name), 'utf8');
    const line = /^tags: \[(.*)\]$/m.exec(text);
    if (!line?.[1]) continue;
    for (const tag of line[1].split(',')) {
      const slug = tag.trim().toLowerCase().replace(/\s+/g, '-'); // Hugo's urlize, for the ASCII tags generate.ts uses
      perTag.set(slug, (perTag.get(slug) ?? 0) + 1);
    }
  }
  if (perTag.size === 0) throw new Error('hugo: the corpus has no tags to check');
  for (const [slug, count] of perTag) {
    const dir = path.join(out, 'tags', slug);
    if (!existsSync(path.join(dir, 'index.html'))) throw new Error(`hugo: no tags/${slug}/index.html`);
    if (!existsSync(path.join(dir, 'index.xml'))) throw new Error(`hugo: no tags/${slug}/index.xml`);
    const tagItems = await items(path.join(dir, 'index.xml'));
    if (tagItems !== Math.min(FEED_SIZE, count)) throw new Error(`hugo: tags/${slug}/index.xml has ${tagItems} items, expected ${Math.min(FEED_SIZE, count)}`);
  }

  const sitemap = await readFile(path.join(out, 'sitemap.xml'), 'utf8');
  const listed = new Set([...sitemap.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1]));
  const unlisted = names.filter((name) => !listed.has(`${BASE_URL}articles/${name.replace(/\.md$/, '')}/`));
  if (unlisted.length > 0) throw new Error(`hugo: sitemap.xml lacks ${unlisted.length} article pages, e.g. ${unlisted[0]}`);
}
