/** What the `wirefeed` command line says: its usage, its exit codes, the I/O it is given. */
const CONTENT = ['--content DIR', 'the content folder: site.yaml, articles/, media/ (default content/)'] as const;
const FULL = ['--full', 're-render and rewrite everything, not only what changed'] as const;
const STATE_DIR = ['--state DIR', "the publisher's private state (default .wirefeed/state/ beside the content folder; never inside --out)"] as const;
const JSON_FLAG = ['--json', 'print one JSON object on stdout instead of the summary lines (below)'] as const;

export const COMMANDS = {
  build: {
    synopsis: 'wirefeed build   [--content DIR] [--out DIR] [--state DIR] [--full] [--json]',
    what: 'build the feeds and pages (default content/ into dist/); only changed articles are re-rendered',
    options: [CONTENT, ['--out DIR', 'where to write (default dist/)'], STATE_DIR, FULL, JSON_FLAG],
  },
  check: {
    synopsis: 'wirefeed check   [--content DIR] [--json] [FILE...]',
    what: 'validate every article, or only the named article FILEs (with the site.yaml of --content); write nothing',
    options: [CONTENT, ['FILE...', 'article files to check, in or outside the content folder (default: every article)'], JSON_FLAG],
  },
  serve: {
    synopsis: 'wirefeed serve   [--content DIR] [--out DIR] [--port N]',
    what: 'build into .wirefeed/preview/ beside the content folder, serve it on localhost, rebuild on change',
    options: [
      CONTENT,
      ['--out DIR', 'where to build the preview (default .wirefeed/preview/ beside the content folder, never dist/)'],
      ['--port N', 'the local port (default: PORT, else 8080; 0 takes any free port)'],
    ],
  },
  publish: {
    synopsis: 'wirefeed publish --content s3://BUCKET[/PREFIX] --site s3://BUCKET[/PREFIX] [--state s3://…] [--full [--distributed]] [--json]',
    what: 'publish from S3 to S3, exactly as the Lambda does (AWS_ENDPOINT_URL_S3: an S3-compatible server)',
    options: [
      ['--content URL', 'the content bucket, s3://BUCKET or s3://BUCKET/PREFIX'],
      ['--site URL', 'the site bucket, likewise'],
      ['--state URL', "the publisher's private state (default: the content location's .wirefeed/, as the Lambda without STATE_BUCKET)"],
      FULL,
      ['--distributed', 'with --full: render and write the records on the state machine REBUILD_STATE_MACHINE names, and wait, printing its progress'],
      JSON_FLAG,
    ],
  },
} as const;
export type Command = keyof typeof COMMANDS;

const optionLines = (options: readonly (readonly [string, string])[]) => options.map(([flag, text]) => `  ${flag.padEnd(14)} ${text}`).join('\n');

const OUTPUT = `Output: each rejected article on stderr as FILE: PROBLEM (and each notice, which rejects nothing, as
FILE: notice: …, such as a tag spelt two ways); on stdout one summary line, and a second when
there are drafts or embargoed articles: "2 drafts, 1 embargoed (next goes live 2026-12-24T06:00:00Z: content/articles/budget.md)".`;

const JSON_SHAPE = `With --json, stdout holds one JSON object whatever the outcome (a usage error aside), and stderr
carries no FILE: PROBLEM lines (they are only in the object):
  {"exit": 1, "published": 3, "rendered": 1,
   "rejected": [{"file": "content/articles/bad.md", "problem": "\\"date\\" must be a date such as 2020-01-08 …"}],
   "drafts": ["content/articles/notes.md"],
   "embargoed": [{"file": "content/articles/budget.md", "goes_live": "2026-12-24T06:00:00Z"}],
   "written": 9, "deleted": 0, "ms": 70}
  published: public articles after the run (check: that would be); rendered: articles parsed and rendered;
  written, deleted: how many site files (check: 0); embargoed: soonest first; "file": named as on stderr;
  "notices": [{"file": …, "notice": …}] only when there are any.
  On exit 2 or 3: {"exit": 3, "error": {"file": "s3://bucket/site.yaml", "problem": "could not be read (…)"}, "ms": 12}`;

const EXIT_STATUS = `Exit status:
  0  every article published (check: every article valid)
  1  some articles rejected, each named; the others were published
  2  a usage or site.yaml error; nothing was written
  3  the content or site store failed (unreachable, listing error, access denied), named on stderr in one
     line with its cause; nothing more was written and the previous site stays`;

const SERVE_EXIT = `Exit status: 0 once stopped (Ctrl+C, SIGTERM, SIGHUP, or the process that started it gone, as when
npm start is killed); 2 a usage error.`;

export const USAGE = `Usage:
${Object.values(COMMANDS)
  .map((c) => `  ${c.synopsis}\n      ${c.what}`)
  .join('\n')}
  wirefeed COMMAND --help    that command's usage (also -h)
  wirefeed --version         the version

Options:
${optionLines([
  CONTENT,
  ['--out DIR', 'where to write: build default dist/; serve default .wirefeed/preview/ beside the content folder'],
  FULL,
  JSON_FLAG,
  ['--port N', 'serve: the local port (default: PORT, else 8080; 0 takes any free port)'],
  STATE_DIR,
  ['--site URL', 'publish: the site bucket; --content is then the content bucket (s3://BUCKET[/PREFIX])'],
  ['-h, --help', 'print the usage and exit 0'],
])}

${OUTPUT}

${JSON_SHAPE}

${EXIT_STATUS}`;

/** One command's usage: what `wirefeed build --help` prints. */
export function commandUsage(command: Command): string {
  const c = COMMANDS[command];
  return [
    `Usage: ${c.synopsis.replace(/ {2,}/, ' ')}\n  ${c.what}`,
    `Options:\n${optionLines([...c.options, ['-h, --help', 'print this usage and exit 0']])}`,
    // Every command but serve prints a report, and takes --json.
    ...(command === 'serve' ? [SERVE_EXIT] : [OUTPUT, JSON_SHAPE, EXIT_STATUS]),
  ].join('\n\n');
}

/** Exit codes, as USAGE documents them. */
export const EXIT = { ok: 0, rejected: 1, usage: 2, store: 3 } as const;

/** Wrong arguments: print the usage, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => Date;
}

export const defaultIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env, now: () => new Date() };
