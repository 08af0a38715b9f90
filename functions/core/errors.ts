/** One article cannot be published. The message starts with the file, so a log line stands alone. */
export class ArticleError extends Error {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`${file}: ${problem}`, options);
    this.name = 'ArticleError';
    this.file = file;
    this.problem = problem;
  }
}

/** site.yaml is missing or wrong: nothing sane can be built, so nothing is written. */
export class SiteError extends Error {
  readonly file: string;
  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`${file}: ${problem}`, options);
    this.name = 'SiteError';
    this.file = file;
  }
}

/** A feed failed its own parse-back check: a bug, never written over a good feed. */
export class FeedCheckError extends Error {
  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`${file}: the generated feed is invalid (${problem}); the previous one was kept`, options);
    this.name = 'FeedCheckError';
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
