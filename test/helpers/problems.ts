import { expect } from 'vitest';
import { type Article, parseArticle } from '../../functions/core/article/article.ts';
import { ArticleError, SettingsError } from '../../functions/core/errors.ts';
import { parseSettings } from '../../functions/core/settings.ts';
import { testSettings } from './content.ts';

// What an editor reads when an article or site.yaml is refused, for the tests of the modules that word it
// (article.ts, front-matter.ts, dates.ts, text.ts, errors.ts): one line, FILE: PROBLEM.

/** The file the article tests parse unless they name another. */
export const FILE = 'articles/budget-vote.md';

/** An article written by hand, as an editor would: these front-matter lines between "---", then the story. */
export const frontMatter = (...lines: string[]): string => `---\n${lines.join('\n')}\n---\nThe story.\n`;

/** An article file's text or bytes, parsed with the test site's settings. */
export const parse = (text: string | Uint8Array, file = FILE): Article => parseArticle(file, typeof text === 'string' ? Buffer.from(text) : text, testSettings());

/** The one line an editor reads for a refused article; the test fails when it is not refused, or not with an ArticleError. */
export function articleProblem(text: string | Uint8Array, file = FILE): string {
  try {
    parse(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ArticleError);
    return (err as ArticleError).message;
  }
  throw new Error('expected the article to be refused');
}

/** The one line an editor reads for a refused site.yaml; the test fails when it is not refused, or not with a SettingsError. */
export function siteProblem(yaml: string): string {
  try {
    parseSettings(Buffer.from(yaml));
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as SettingsError).message;
  }
  throw new Error('expected site.yaml to be refused');
}
