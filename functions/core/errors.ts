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

/** site.yaml is missing or wrong: nothing sane can be built, so nothing is written. */
export class SiteError extends LocatedError {
  override name = 'SiteError';
}

/** A feed failed its own parse-back check: a bug, never written over a good feed. */
export class FeedCheckError extends LocatedError {
  override name = 'FeedCheckError';
  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(file, `the generated feed is invalid (${problem}); the previous one was kept`, options);
  }
}

/** Every problem zod found, one clause each, naming the field and the value. */
export function listIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], data: unknown): string {
  return issues
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      if (!field) return issue.message;
      const value = valueAt(data, issue.path);
      const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)?.slice(0, 80)})`;
      return `"${field}" ${issue.message}${shown}`;
    })
    .join('; ');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let here: unknown = data;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PropertyKey, unknown>)[key];
  }
  return here;
}
