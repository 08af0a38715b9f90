/**
 * A problem with one named thing (a file, an object, a feed). The message starts with its name, so a
 * log line stands alone: "articles/budget-vote.md: "date" must be a date such as 2020-01-08".
 */
export class LocatedError extends Error {
  // Names spelt out, not taken from the class: the Lambda bundle is minified.
  override name = 'LocatedError';
  /** The file, key or URL the problem is about. */
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`${file}: ${problem}`, options);
    this.file = file;
    this.problem = problem;
  }
}

/** One article cannot be published; the others still are. */
export class ArticleError extends LocatedError {
  override name = 'ArticleError';
}

/** Worth telling the newsroom about one file, but published as it is (one tag spelt two ways). */
export class Notice extends LocatedError {
  override name = 'Notice';
}

/** site.yaml is missing or wrong: nothing sane can be built, so nothing is written. */
export class SettingsError extends LocatedError {
  override name = 'SettingsError';
}

/** A feed failed its own parse-back check: a bug, never written over a good feed. */
export class FeedCheckError extends LocatedError {
  override name = 'FeedCheckError';
  /** What the parse-back found, alone ("not well-formed XML: …"). */
  readonly detail: string;
  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(file, `the generated feed is invalid (${problem}); the previous one was kept`, options);
    this.detail = problem;
  }
}

/** What listIssues reads from a zod issue: its path and message, and the details some codes carry. */
export interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  /** unrecognized_keys: the fields the schema does not know. */
  readonly keys?: readonly string[];
  /** invalid_type: what the schema wanted ("array", "boolean", "string", ...). */
  readonly expected?: string;
  /** invalid_value: the values allowed. */
  readonly values?: readonly unknown[];
  /** too_small / too_big: what was measured ("number", "array", "string") and the bound. */
  readonly origin?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  /** custom checks: `namesValue: true` when the message already shows the value, so "(got ...)" is left off. */
  readonly params?: { readonly [key: string]: unknown } | undefined;
}

/** The fields the object at `path` knows, for "did you mean"; undefined when it is not an object. */
export type KnownFields = (path: readonly PropertyKey[]) => readonly string[] | undefined;

/**
 * Every problem zod found, one clause each (the first ten, then how many more: a file with thousands of
 * bad fields still gets one short line), naming the field and the value, in words an editor can act
 * on: zod's own wording ("Invalid input: expected array, received string") is replaced where we know
 * better; a schema's own message ("must be ...") is kept. A predicate ("must", "may", "is") follows the
 * field name; a sentence of its own follows a colon.
 */
export function listIssues(issues: readonly Issue[], data: unknown, knownFields: KnownFields = () => undefined): string {
  const clauses = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys' && issue.keys) return unknownFields(issue.path, issue.keys, knownFields(issue.path) ?? []);
    const field = dotted(issue.path);
    const value = valueAt(data, issue.path);
    const reworded = plainWords(issue, value, knownFields(issue.path));
    const message = reworded?.message ?? issue.message;
    if (!field) return [message];
    const namesValue = reworded?.namesValue ?? issue.params?.namesValue === true;
    const shown = value === undefined || namesValue ? '' : ` (got ${JSON.stringify(value)?.slice(0, 80)})`;
    const joint = /^(must|may|is|are|has)\b/.test(message) ? ' ' : ': ';
    return [`"${field}"${joint}${message}${shown}`];
  });
  return firstOf(clauses).join('; ');
}

/** At most this many problems are told in one line; a file with more gets a count of the rest. */
const MAX_PROBLEMS = 10;
/** ... and at most about this many characters of them, so a line stays readable in a log. */
const MAX_CHARS = 1500;

/** The first problems, then "and N more problems": a file with thousands still gets one short line. */
function firstOf(clauses: readonly string[]): string[] {
  const shown: string[] = [];
  let length = 0;
  for (const clause of clauses) {
    if (shown.length === MAX_PROBLEMS || (shown.length > 0 && length + clause.length > MAX_CHARS)) break;
    shown.push(clause);
    length += clause.length + 2;
  }
  const rest = clauses.length - shown.length;
  return rest === 0 ? shown : [...shown, `and ${rest} more ${rest === 1 ? 'problem' : 'problems'}`];
}

/** Unknown fields named in one object: the first few, each once; the rest counted. */
const MAX_NAMED = 5;
/** A field name longer than this is shown by its beginning. */
const MAX_NAME = 40;

/**
 * The unknown fields of one object: `unknown field "auther": did you mean "authors"?` for each of the
 * first few that is near a known field, the others named together, how many more there are, and the
 * known fields once (`unknown fields "byline", "kicker"; the fields are title, date, …`).
 */
function unknownFields(at: readonly PropertyKey[], keys: readonly string[], known: readonly string[]): string[] {
  const named = keys.slice(0, MAX_NAMED);
  const more = keys.length - named.length;
  const clauses: string[] = [];
  const far: string[] = [];
  for (const key of named) {
    const shown = `"${dotted([...at, shortName(key)])}"`;
    const near = nearest(key, known);
    if (near === undefined) far.push(shown);
    else clauses.push(`unknown field ${shown}: did you mean "${near}"?`);
  }
  if (far.length === 0 && more === 0) return clauses;
  const fields = far.length + more === 1 ? 'field' : 'fields';
  const rest = far.length === 0 ? `and ${more} more unknown ${fields}` : `unknown ${fields} ${far.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const where = at.length > 0 ? ` of "${dotted(at)}"` : '';
  clauses.push(known.length === 0 ? rest : `${rest}; the fields${where} are ${known.join(', ')}`);
  return clauses;
}

/** A field name as shown: its first 40 characters, whole code points, and "…" when it is longer. */
function shortName(key: string): string {
  const chars = [...key];
  return chars.length <= MAX_NAME ? key : `${chars.slice(0, MAX_NAME).join('')}…`;
}

/**
 * The known field an editor most likely meant: the fewest edits away (a swap of two neighbours is one
 * edit), within a third of the word's length (at least one); or the one it starts, such as "desc".
 */
function nearest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: { field: string; distance: number } | undefined;
  for (const field of known) {
    const distance = editDistance(lower, field.toLowerCase());
    if (best === undefined || distance < best.distance) best = { field, distance };
  }
  if (best && best.distance <= Math.max(1, Math.floor(word.length / 3))) return best.field;
  return lower.length >= 3 ? known.find((field) => field.toLowerCase().startsWith(lower)) : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = d;
    }
  }
  return at(a.length, b.length);
}

/** zod's default wording for the common mistakes, in an editor's words; undefined keeps the message. */
function plainWords(issue: Issue, value: unknown, fields: readonly string[] | undefined): { message: string; namesValue?: boolean } | undefined {
  // A schema that words its own message wins; zod's defaults start "Invalid", "Too small", "Too big".
  if (!/^(Invalid|Too small|Too big)\b/.test(issue.message)) return undefined;
  const last = issue.path[issue.path.length - 1];
  // The example an editor can copy: "tags: [...]" for a field, the bare value for a list item.
  const example = (shown: string) => (typeof last === 'string' ? `${last}: ${shown}` : shown);
  if (issue.code === 'invalid_type') {
    if (value === undefined) return { message: 'is required' };
    const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    if (issue.expected === 'array' && scalar) return { message: `must be a list, such as ${example(asFlowList(String(value)))}`, namesValue: true };
    if (issue.expected === 'boolean') return { message: 'must be true or false' };
    if (issue.expected === 'string' && scalar) return { message: `must be text: put it in quotes, such as ${example(JSON.stringify(String(value)))}`, namesValue: true };
    if (issue.expected === 'number') return { message: 'must be a number' };
    if (issue.expected === 'int') return { message: 'must be a whole number' };
    if (issue.expected === 'object') {
      const shape = fields?.length ? `{${fields.map((f) => `${f}: …`).join(', ')}}` : '{…}';
      return { message: `must be a group of fields, such as ${example(shape)}` };
    }
  }
  if (issue.code === 'invalid_value' && issue.values) return { message: `must be ${issue.values.map(String).join(' or ')}` };
  if (issue.code === 'too_small' && issue.origin === 'number' && issue.minimum !== undefined) return { message: `must be at least ${issue.minimum}` };
  if (issue.code === 'too_big' && issue.origin === 'number' && issue.maximum !== undefined) return { message: `must be at most ${issue.maximum}` };
  if (issue.code === 'too_big' && issue.origin === 'array' && issue.maximum !== undefined) return { message: `may hold at most ${issue.maximum} items` };
  return undefined;
}

/** "Weather, Transport" -> "[Weather, Transport]": the editor's own words, as the list they meant. */
function asFlowList(words: string): string {
  const items = words
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  // An item YAML would read as something else in a flow list ("a: b", "#x", "[x]") is quoted.
  const shown = items.map((item) => (/[[\]{}#&*!|>'"%@`]|: |:$|^-/.test(item) ? JSON.stringify(item) : item));
  // A long value is shown by its first items: the example is for the shape, not a copy of the text.
  const kept: string[] = [];
  for (const item of shown) {
    if (kept.length > 0 && [...kept, item].join(', ').length > 100) return `[${kept.join(', ')}, …]`;
    kept.push(item);
  }
  return `[${kept.join(', ')}]`;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let here: unknown = data;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PropertyKey, unknown>)[key];
  }
  return here;
}
