import { parseDocument } from 'yaml';
import { ArticleError } from './errors.ts';
import { cleanText } from './text.ts';

/** Bounds that keep a hostile file from costing more than a real one ever needs. */
const MAX_FRONT_MATTER = 64 * 1024;
const MAX_ALIASES = 50;

/**
 * Split `---` YAML front matter from the Markdown body. We split the fence ourselves and parse YAML
 * only: engines such as gray-matter evaluate `---js` front matter, which must never run here.
 */
export function splitFrontMatter(file: string, text: string): { data: unknown; body: string } {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const open = /^(---|\+\+\+|;;;)([^\n]*)\n/.exec(source);
  if (!open) throw new ArticleError(file, 'has no front matter: start the file with a line "---", then title: and date:, then "---"');
  const fence = open[1] ?? '';
  const language = (open[2] ?? '').trim();
  if (fence !== '---' || language !== '') {
    throw new ArticleError(file, `front matter must be YAML between "---" lines; "${fence}${language}" names another format, which is never run`);
  }
  const rest = source.slice(open[0].length);
  const close = /^(---|\.\.\.)[ \t]*$/m.exec(rest);
  if (!close) throw new ArticleError(file, 'front matter is not closed: add a line "---" after the last field');
  const yamlText = rest.slice(0, close.index);
  if (yamlText.length > MAX_FRONT_MATTER) {
    throw new ArticleError(file, `front matter is ${yamlText.length} characters; the limit is ${MAX_FRONT_MATTER}`);
  }
  const body = rest.slice(close.index + close[0].length).replace(/^\n/, '');
  return { data: parseYaml(file, yamlText), body };
}

/** YAML 1.2 core schema: no custom tags, no code, bounded aliases, duplicate keys are errors. */
export function parseYaml(file: string, yamlText: string): unknown {
  const doc = parseDocument(yamlText, { schema: 'core', uniqueKeys: true, prettyErrors: true, strict: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new ArticleError(file, `front matter is not valid YAML: ${firstLine(problem.message)}`);
  try {
    return cleanStrings(doc.toJS({ maxAliasCount: MAX_ALIASES }));
  } catch (err) {
    throw new ArticleError(file, `front matter is not valid YAML: ${firstLine((err as Error).message)}`, { cause: err });
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** YAML escapes ("\0", "\a") can spell characters XML forbids: clean every string value too. */
function cleanStrings(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanStrings(v)]));
  }
  return value;
}
