// A deterministic corpus of wire reports for the benchmarks: the same N articles, byte for byte, on every
// machine and every run. Each article has its own seeded PRNG (mulberry32), so article i does not depend on
// how many others were generated, and article N can be "the next one in" for an incremental publish.
//
// An article is 3-4 KB: YAML front matter (title, RFC 3339 date with time and Z, summary, 1-3 tags from a
// fixed list, 0-2 authors, some with e-mail, sometimes `updated`), then 6-10 paragraphs of news prose put
// together from phrase lists, 1-2 `## ` subheads, and now and then a link (relative or absolute), a block
// quote or a list. Every date is before BENCH_LATEST, so with any "now" after it every article is public.
//
//   npx tsx test/bench/generate.ts DIR [N]    writes DIR/site.yaml and DIR/articles/*.md (default N 1,000)
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 } from '../helpers/random.ts';

/** The site.yaml of every bench corpus. */
export const siteYaml = `# wirefeed benchmark corpus (test/bench/generate.ts)
title: Bench Wire
description: Generated wire reports for the wirefeed benchmarks.
url: https://bench.example/
language: en
feed_size: 50
`;

/** Dates are spread over [BENCH_EARLIEST, BENCH_LATEST); every `updated` is before BENCH_LATEST too. */
const BENCH_EARLIEST = Date.UTC(2021, 0, 1);
export const BENCH_LATEST = Date.UTC(2026, 10, 20); // 2026-11-20T00:00:00Z

// ---------------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------------

type Rng = () => number;

/** One independent stream per (article, purpose), so the title does not shift when the body changes. */
function rngFor(i: number, stream: number): Rng {
  let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b) ^ 0x5eed;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return mulberry32(h ^ (h >>> 16));
}

const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;
function pickSome<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(rng() * pool.length), 1)[0] as T);
  return chosen;
}
const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

// ---------------------------------------------------------------------------------------------------
// Phrase lists (ASCII only, invented names; nothing here is a fact about anyone)
// ---------------------------------------------------------------------------------------------------

export const TAGS = [
  'politics',
  'economy',
  'markets',
  'energy',
  'climate',
  'health',
  'technology',
  'transport',
  'agriculture',
  'education',
  'courts',
  'elections',
  'labour',
  'trade',
  'housing',
  'defence',
  'diplomacy',
  'science',
  'sport',
  'culture',
  'weather',
  'banking',
  'shipping',
  'mining',
  'telecoms',
  'aviation',
  'tourism',
  'crime',
  'environment',
  'water',
] as const;

const FIRST_NAMES = ['Amara', 'Tomas', 'Lena', 'Kofi', 'Ines', 'Ravi', 'Marta', 'Jonah', 'Sana', 'Pavel', 'Noor', 'Elena', 'Diego', 'Yuki', 'Farah', 'Owen'];
const LAST_NAMES = ['Okafor', 'Lindqvist', 'Haddad', 'Moreau', 'Castellano', 'Novak', 'Brennan', 'Iyer', 'Kowalski', 'Mensah', 'Varga', 'Sato', 'Albers', 'Quinn'];

const PLACES = [
  'Northport',
  'Valmera',
  'the capital',
  'Eastbridge',
  'Port Salin',
  'Karsholm',
  'the northern provinces',
  'Lower Aven',
  'Marrowgate',
  'the coastal region',
  'Tessaly Bay',
  'Orlin',
  'the border districts',
  'Southfield',
  'Kestrel Point',
  'Draymoor',
];
const BODIES = [
  'the finance ministry',
  'the central bank',
  'port authorities',
  'the regional council',
  'union leaders',
  'the health agency',
  'prosecutors',
  'the energy regulator',
  'the transport ministry',
  'opposition lawmakers',
  'the statistics office',
  'emergency services',
  'the electoral commission',
  'the national grid operator',
  'farmers groups',
  'the competition watchdog',
  'the coast guard',
  'airport operators',
  'the teachers union',
  'the housing ministry',
];
const SPEAKERS = [
  'a government spokesperson',
  'a senior official',
  'the agency director',
  'a council member',
  'an industry analyst',
  'a union representative',
  'the mayor',
  'a ministry adviser',
  'a local business owner',
  'a spokesperson for the operator',
];
const HEADLINE_SUBJECTS = [
  'Central bank',
  'Port workers',
  'Regional council',
  'Energy regulator',
  'Health agency',
  'Transport ministry',
  'Lawmakers',
  'Grid operator',
  'Farmers',
  'Prosecutors',
  'Airport operator',
  'Teachers',
  'Coast guard',
  'Housing ministry',
  'Watchdog',
  'Exporters',
  'Rail operator',
  'Shipping group',
  'Miners',
  'Hospital staff',
];
const HEADLINE_VERBS = ['holds', 'approves', 'rejects', 'delays', 'expands', 'suspends', 'reviews', 'backs', 'scraps', 'extends', 'tightens', 'eases', 'defends', 'unveils', 'cuts', 'raises'];
const HEADLINE_OBJECTS = [
  'interest rates',
  'fuel subsidies',
  'strike plan',
  'budget proposal',
  'water tariffs',
  'rail timetable',
  'export quotas',
  'vaccine rollout',
  'housing scheme',
  'wind farm permits',
  'mining licences',
  'school reforms',
  'flood defences',
  'airport expansion',
  'bank levy',
  'grain reserves',
  'port fees',
  'emissions targets',
  'pension changes',
  'data rules',
];
const HEADLINE_TAILS = [
  'as inflation cools',
  'after weeks of talks',
  'amid protests',
  'despite warnings',
  'ahead of vote',
  'after storm damage',
  'as costs climb',
  'in surprise move',
  'under pressure',
  'after court ruling',
  'as demand slows',
  'amid supply worries',
];
const REPORT_VERBS = [
  'said on Monday',
  'said on Tuesday',
  'said on Wednesday',
  'said on Thursday',
  'said on Friday',
  'announced late on Sunday',
  'confirmed in a statement',
  'told reporters',
  'said in a briefing',
  'warned',
];
const ACTIONS = [
  'it would review the measures before the end of the quarter',
  'the plan would go ahead despite objections',
  'talks with industry groups had stalled',
  'the figures were better than expected',
  'further delays could not be ruled out',
  'a decision would be taken within weeks',
  'the cost had risen sharply since the spring',
  'no one had been injured',
  'the changes would apply from the start of next year',
  'an independent inquiry would be set up',
  'the measures were temporary',
  'spending would be cut in several departments',
  'services would resume gradually',
  'the agreement still needed the approval of parliament',
  'the number of applications had doubled',
];
const CONTEXTS = [
  'The move follows months of pressure from residents and business groups.',
  'Officials have struggled to balance tight budgets against rising demand.',
  'Similar measures were tried three years ago with mixed results.',
  'The announcement came as markets closed slightly lower for the week.',
  'Opposition parties have called for a full debate before any final decision.',
  'The region has seen heavy rain and unusually strong winds this month.',
  'Analysts said the outcome would depend largely on energy prices over the winter.',
  'The sector employs tens of thousands of people across the country.',
  'Earlier estimates had put the total cost at roughly half the current figure.',
  'Local newspapers reported long queues outside several offices on Monday morning.',
  'The government has promised to publish a detailed timetable later this month.',
  'Critics say the proposals do little to address the underlying problems.',
  'Supporters argue the changes are overdue and will cut waiting times.',
  'Traffic was diverted for most of the day while crews inspected the damage.',
  'The figures do not include seasonal workers, who make up a large share of the workforce.',
];
const NUMBERS = ['two', 'three', 'four', 'five', 'a dozen', 'several hundred', 'about 40', 'nearly 1,200', 'more than 300', '15', '7.5 percent', '2.3 percent', '18 million', '450'];
const UNITS = ['jobs', 'households', 'companies', 'flights', 'schools', 'ships', 'patients', 'vehicles', 'farms', 'homes'];
const QUOTES = [
  'We have listened carefully and we believe this is the right balance',
  'Nobody wants to see services cut, but the numbers simply do not add up',
  'This is a first step, not the end of the process',
  'We will keep a very close eye on how this works in practice',
  'People deserve clear answers and they deserve them quickly',
  'The situation on the ground is changing by the hour',
  'We are asking everyone to be patient while the work is completed',
];
const SUBHEADS = [
  'What happens next',
  'Reaction from the industry',
  'Background',
  'A long dispute',
  'Costs and funding',
  'Concerns over timing',
  'Local impact',
  'The numbers',
  'Calls for an inquiry',
  'Markets react',
  'Opposition response',
  'Looking ahead',
];
const LIST_ITEMS = [
  'a freeze on new applications until March',
  'extra funding for the worst-affected districts',
  'a review of existing contracts',
  'weekly public updates on progress',
  'temporary relief for small businesses',
  'new inspections at all major sites',
  'a helpline for affected residents',
  'changes to the approval process',
];
const EXTERNAL_LINKS = [
  'https://example.org/press/statement',
  'https://example.net/reports/annual-review',
  'https://data.example.org/tables/latest',
  'https://example.com/consultation/response',
  'https://example.org/notices/public-hearing',
];

// ---------------------------------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------------------------------

export interface ArticleOverrides {
  /** Replaces the generated title (the slug and file name stay). */
  title?: string;
  /** Replaces the generated date (RFC 3339), e.g. to make a new article the newest one; drops `updated`. */
  date?: string;
  /** Replaces the generated tags. */
  tags?: string[];
}

function headline(i: number): { title: string; slug: string } {
  const rng = rngFor(i, 1);
  const subject = pick(rng, HEADLINE_SUBJECTS);
  const verb = pick(rng, HEADLINE_VERBS);
  const object = pick(rng, HEADLINE_OBJECTS);
  const tail = pick(rng, HEADLINE_TAILS);
  const place = chance(rng, 0.5) ? ` in ${pick(rng, PLACES).replace(/^the /, '')}` : '';
  const title = `${subject} ${verb} ${object}${chance(rng, 0.6) ? ` ${tail}` : place}`;
  const words = `${subject} ${object}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return { title, slug: `report-${String(i).padStart(6, '0')}-${words}` };
}

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');

function sentence(rng: Rng): string {
  switch (int(rng, 0, 5)) {
    case 0:
      return `${capitalise(pick(rng, BODIES))} ${pick(rng, REPORT_VERBS)} that ${pick(rng, ACTIONS)}.`;
    case 1:
      return pick(rng, CONTEXTS);
    case 2:
      return `The decision affects ${pick(rng, NUMBERS)} ${pick(rng, UNITS)} in ${pick(rng, PLACES)}, according to ${pick(rng, BODIES)}.`;
    case 3:
      return `"${pick(rng, QUOTES)}," ${pick(rng, SPEAKERS)} said.`;
    case 4:
      return `In ${pick(rng, PLACES)}, ${pick(rng, BODIES)} said ${pick(rng, NUMBERS)} ${pick(rng, UNITS)} had been affected so far.`;
    default:
      return `${capitalise(pick(rng, SPEAKERS))} said ${pick(rng, ACTIONS)}, adding that ${pick(rng, ACTIONS)}.`;
  }
}

/** Whole sentences up to about `targetChars` (never fewer than two). */
function paragraph(rng: Rng, targetChars: number): string {
  const parts: string[] = [];
  let length = 0;
  for (;;) {
    const s = sentence(rng);
    if (parts.length >= 2 && length + s.length + 1 > targetChars) break;
    parts.push(s);
    length += s.length + 1;
  }
  return parts.join(' ');
}

/** Article i of the corpus: its key under the content root and its text. Same i, same bytes. */
export function generateArticle(i: number, overrides: ArticleOverrides = {}): { name: string; text: string } {
  const { title: generatedTitle, slug } = headline(i);
  const rng = rngFor(i, 2);

  // Front matter.
  const dateMs = BENCH_EARLIEST + Math.floor(rng() * (BENCH_LATEST - BENCH_EARLIEST - 86_400_000));
  const date = overrides.date ?? iso(dateMs);
  const place = pick(rng, PLACES);
  const lede = `${capitalise(pick(rng, BODIES))} ${pick(rng, REPORT_VERBS)} that ${pick(rng, ACTIONS)}.`;
  const summary = `${lede.slice(0, -1)}, in a move closely watched in ${place}.`;
  const picked = pickSome(rng, TAGS, int(rng, 1, 3));
  const tags = overrides.tags ?? picked; // picked anyway: the random stream stays the same
  const authorCount = int(rng, 0, 2);
  const authors: string[] = [];
  for (let a = 0; a < authorCount; a++) {
    const first = pick(rng, FIRST_NAMES);
    const last = pick(rng, LAST_NAMES);
    authors.push(chance(rng, 0.5) ? `  - name: ${first} ${last}\n    email: ${first.toLowerCase()}.${last.toLowerCase()}@bench.example` : `  - ${first} ${last}`);
  }
  const hasUpdated = chance(rng, 0.2);
  const updatedMs = Math.min(dateMs + int(rng, 1, 72) * 3_600_000, BENCH_LATEST - 1000);
  const front = [
    '---',
    `title: ${JSON.stringify(overrides.title ?? generatedTitle)}`,
    `date: ${date}`,
    ...(hasUpdated && overrides.date === undefined ? [`updated: ${iso(updatedMs)}`] : []),
    `summary: ${JSON.stringify(summary)}`,
    `tags: [${tags.join(', ')}]`,
    ...(authors.length > 0 ? ['authors:', ...authors] : []),
    '---',
    '',
  ].join('\n');

  // Body: aim for a 3-4 KB file (3,000-4,096 bytes) in all, sharing what is left of the budget among the paragraphs to come.
  const budget = int(rng, 3150, 3960) - front.length - 1;
  const paragraphs = int(rng, 6, 10);
  const subheads = pickSome(rng, SUBHEADS, int(rng, 1, 2));
  const subheadAt = new Set(subheads.length === 1 ? [Math.floor(paragraphs / 2)] : [Math.floor(paragraphs / 3), Math.floor((2 * paragraphs) / 3)]);
  const blocks: string[] = [];
  let used = 0;
  const add = (block: string) => {
    blocks.push(block);
    used += block.length + 2;
  };
  const share = (p: number) => Math.max(120, Math.floor((budget - used) / (paragraphs - p)) - 2);
  const dateline = place.startsWith('the ') ? capitalise(place) : place.toUpperCase();
  add(`${dateline} - ${lede} ${paragraph(rng, share(0) - lede.length - dateline.length - 4)}`);
  let nextSubhead = 0;
  for (let p = 1; p < paragraphs; p++) {
    if (subheadAt.has(p)) add(`## ${subheads[nextSubhead++]}`);
    if (chance(rng, 0.08)) add(`> ${pick(rng, QUOTES)}. ${pick(rng, QUOTES)}.\n>\n> -- ${capitalise(pick(rng, SPEAKERS))}`);
    if (chance(rng, 0.06)) {
      add(
        `The measures include:\n\n${pickSome(rng, LIST_ITEMS, int(rng, 2, 4))
          .map((item) => `- ${item}`)
          .join('\n')}`,
      );
    }
    let link = '';
    if (chance(rng, 0.12) && i > 0) {
      link = ` An [earlier report](/articles/${headline(int(rng, 0, i - 1)).slug}/) covered the first stage of the dispute.`;
    } else if (chance(rng, 0.1)) {
      link = ` The full [statement](${pick(rng, EXTERNAL_LINKS)}) was published online.`;
    }
    add(paragraph(rng, share(p) - link.length) + link);
  }
  return { name: `articles/${slug}.md`, text: `${front}\n${blocks.join('\n\n')}\n` };
}

/** Writes DIR/site.yaml and DIR/articles/ with articles 0..n-1, in parallel batches. */
export async function writeCorpus(dir: string, n: number): Promise<void> {
  await mkdir(path.join(dir, 'articles'), { recursive: true });
  await writeFile(path.join(dir, 'site.yaml'), siteYaml);
  const BATCH = 64;
  for (let start = 0; start < n; start += BATCH) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const { name, text } = generateArticle(i);
      batch.push(writeFile(path.join(dir, name), text));
    }
    await Promise.all(batch);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, count] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: npx tsx test/bench/generate.ts DIR [N]');
    process.exit(2);
  }
  await writeCorpus(dir, Number(count ?? 1000));
  console.log(`wrote ${Number(count ?? 1000)} articles to ${dir}`);
}
