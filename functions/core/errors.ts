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
export class SiteError extends LocatedError {
  override name = 'SiteError';
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
 * Every problem zod found, one clause each, naming the field and the value, in words an editor can act
 * on: zod's own wording ("Invalid input: expected array, received string") is replaced where we know
 * better; a schema's own message ("must be ...") is kept. A predicate ("must", "may", "is") follows the
 * field name; a sentence of its own follows a colon.
 */
export function listIssues(issues: readonly Issue[], data: unknown, knownFields: KnownFields = () => undefined): string {
  return issues
    .flatMap((issue) => {
      if (issue.code === 'unrecognized_keys' && issue.keys) {
        return issue.keys.map((key) => unknownField([...issue.path, key], knownFields(issue.path) ?? []));
      }
      const field = dotted(issue.path);
      const value = valueAt(data, issue.path);
      const reworded = plainWords(issue, value, knownFields(issue.path));
      const message = reworded?.message ?? issue.message;
      if (!field) return [message];
      const namesValue = reworded?.namesValue ?? issue.params?.['namesValue'] === true;
      const shown = value === undefined || namesValue ? '' : ` (got ${JSON.stringify(value)?.slice(0, 80)})`;
      const joint = /^(must|may|is|are|has)\b/.test(message) ? ' ' : ': ';
      return [`"${field}"${joint}${message}${shown}`];
    })
    .join('; ');
}

/** `unknown field "auther": did you mean "authors"?`, or the known fields when none is near. */
function unknownField(path: readonly PropertyKey[], known: readonly string[]): string {
  const key = String(path[path.length - 1]);
  const near = nearest(key, known);
  if (near !== undefined) return `unknown field "${dotted(path)}": did you mean "${near}"?`;
  if (known.length === 0) return `unknown field "${dotted(path)}"`;
  const where = path.length > 1 ? ` of "${dotted(path.slice(0, -1))}"` : '';
  return `unknown field "${dotted(path)}"; the fields${where} are ${known.join(', ')}`;
}

/**
 * The known field an editor most likely meant: the fewest edits away (a swap of two neighbours is one
 * edit), within a third of the word's length (at least one); or the one it starts, such as "desc".
 */
export function nearest(word: string, known: readonly string[]): string | undefined {
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
  const items = words.split(',').map((item) => item.trim()).filter((item) => item !== '');
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
