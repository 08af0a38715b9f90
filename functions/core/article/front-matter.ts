import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { ArticleError } from '../errors.ts';
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
  // The YAML starts on the file's second line, after the opening "---": errors name the file's lines.
  return { data: parseYaml(file, yamlText, { firstLine: 2 }), body };
}

export interface YamlOptions {
  /** The line of the file the YAML text starts on, so errors name the line an editor sees. @default 1 */
  firstLine?: number;
  /** What the YAML is, for the message "<subject> is not valid YAML". @default "front matter" */
  subject?: string;
}

/** YAML 1.2 core schema: no custom tags, no code, bounded aliases, duplicate keys are errors. */
export function parseYaml(file: string, yamlText: string, options: YamlOptions = {}): unknown {
  const notYaml = `${options.subject ?? 'front matter'} is not valid YAML`.trim();
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { schema: 'core', uniqueKeys: true, prettyErrors: false, strict: true, lineCounter: lines });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new ArticleError(file, `${notYaml}: ${explain(problem, yamlText, lines, options.firstLine ?? 1)}`);
  try {
    return cleanStrings(doc.toJS({ maxAliasCount: MAX_ALIASES }));
  } catch (err) {
    throw new ArticleError(file, `${notYaml}: ${firstLine((err as Error).message)}`, { cause: err });
  }
}

/**
 * One YAML error as "line N: what to do", N counted in the file. The classic mistakes are put in plain
 * words: a colon inside a value (`title: Breaking: vote passes`), a bracket or quote never closed (named
 * where it opened, not where the parser gave up), a field given twice. Others keep the parser's words.
 */
function explain(problem: YAMLError, yamlText: string, lines: LineCounter, firstLineNo: number): string {
  const source = yamlText.split('\n').map((line) => line.replace(/\r$/, ''));
  const at = Math.min(lines.linePos(problem.pos[0]).line, source.length); // 1-based, within the text
  const text = (n: number): string => source[n - 1] ?? '';
  const where = (n: number): string => `line ${n + firstLineNo - 1}`;
  const message = firstLine(problem.message);

  if (problem.code === 'BLOCK_AS_IMPLICIT_KEY') {
    const field = /^(\s*(?:-\s+)?)([^\s:#'"][^:]*?):\s+(.*?)(\s+#.*)?$/.exec(text(at));
    const value = field?.[3]?.trim() ?? '';
    if (field && (value.includes(': ') || value.endsWith(':'))) {
      const key = field[2] ?? '';
      return `${where(at)}: the ${key} holds a colon and a space, which YAML reads as the start of another field; put the ${key} in quotes: ${key}: ${quoted(value)}`;
    }
    // `title: T` then `  date: ...`: the indented line reads as part of the title.
    const next = /^\s+([^\s:#][^:]*?)\s*:/.exec(text(at + 1));
    if (field && next && !/^\s/.test(text(at))) {
      return `${where(at + 1)}: "${next[1] ?? ''}" is indented, so YAML reads it as part of the ${field[2] ?? ''} above; start each field at the beginning of its line`;
    }
  }
  const unclosed = /end with an? ([\]}])/.exec(message) ?? /Missing closing (["'])quote/.exec(message);
  if (unclosed) {
    const close = unclosed[1] ?? '';
    const open = close === ']' ? '[' : close === '}' ? '{' : close;
    let from = at;
    while (from > 1 && !text(from).includes(open)) from--;
    if (!text(from).includes(open)) from = at;
    const what = open === '[' ? 'the list opened with [' : open === '{' ? 'the group opened with {' : `the text opened with ${open}`;
    return `${where(from)}: ${what} is never closed: end it with ${close}`;
  }
  if (problem.code === 'DUPLICATE_KEY') {
    const field = /^(\s*(?:-\s+)?)([^\s:#][^:]*?)\s*:/.exec(text(at));
    if (field) {
      const key = field[2] ?? '';
      const indent = field[1] ?? '';
      let first = at - 1;
      while (first >= 1 && !new RegExp(`^${escapeRegExp(indent)}${escapeRegExp(key)}\\s*:`).test(text(first))) first--;
      const also = first >= 1 ? ` (also on ${where(first)})` : '';
      return `${where(at)}: "${key}" is given twice${also}; keep one`;
    }
  }
  return `${where(at)}: ${message}`;
}

/** A value as YAML text in double quotes, or single quotes when it holds double quotes. */
function quoted(value: string): string {
  return value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
