import { describe, expect, it } from 'vitest';
import { parseYaml, splitFrontMatter } from '../../../functions/core/article/front-matter.ts';
import { ArticleError } from '../../../functions/core/errors.ts';
import { articleProblem, FILE, frontMatter, articleProblem as problem, siteProblem } from '../../helpers/problems.ts';

// front-matter.ts: the "---" fence split by hand, the YAML parsed as data only, and a YAML mistake put in
// the words and on the line an editor sees. Through parseArticle (an article's one line) and on its own.

/** The problem of a refused call, after the file name. */
function refusal(act: () => unknown): string {
  try {
    act();
  } catch (err) {
    expect(err).toBeInstanceOf(ArticleError);
    return (err as ArticleError).problem;
  }
  throw new Error('expected an ArticleError');
}

describe('front matter', () => {
  it('is required', () => {
    expect(problem('# Just Markdown\n')).toMatch(/has no front matter/);
  });

  it('must be closed', () => {
    expect(problem('---\ntitle: T\ndate: 2025-03-14\n\nBody')).toMatch(/front matter is not closed/);
  });

  it('in JavaScript is refused and never run', () => {
    const g = globalThis as { pwned?: boolean };
    const text = '---js\n{ title: (globalThis.pwned = true, "T"), date: "2025-03-14" }\n---\nBody\n';
    expect(problem(text)).toMatch(/front matter must be YAML .*"---js"/);
    expect(g.pwned).toBeUndefined();
  });

  it('in TOML is refused with a message saying YAML is needed', () => {
    expect(problem('+++\ntitle = "T"\n+++\nBody\n')).toMatch(/must be YAML/);
  });

  it('that is not valid YAML names the problem', () => {
    expect(problem('---\ntitle: [unclosed\ndate: 2025-03-14\n---\nBody\n')).toMatch(/front matter is not valid YAML/);
  });

  it('with a duplicated key is refused rather than silently taking one', () => {
    expect(problem('---\ntitle: A\ntitle: B\ndate: 2025-03-14\n---\nBody\n')).toMatch(/not valid YAML/);
  });

  it('cannot expand aliases without bound (a "billion laughs" file)', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const text = `---\ntitle: T\ndate: 2025-03-14\n${lines.join('\n')}\n---\nBody\n`;
    // Refused, not expanded: expanding it would take forever, and the test's timeout would end it (no clock here)
    expect(problem(text)).toMatch(/not valid YAML/);
  });

  it('with a custom tag is refused: YAML here is data only', () => {
    expect(problem('---\ntitle: !!js/function "function(){}"\ndate: 2025-03-14\n---\nBody\n')).toMatch(/not valid YAML/);
  });
});

describe('front matter that is not valid YAML', () => {
  it("with an unquoted colon in the title says to quote the title, on the file's line", () => {
    // Prepare: line 1 of the file is the opening ---, so the title is on line 2
    const text = frontMatter('title: Breaking: vote passes', 'date: 2026-03-14');
    // Act
    const message = articleProblem(text);
    // Assess
    expect(message).toBe(
      `${FILE}: front matter is not valid YAML: line 2: the title holds a colon and a space, which YAML reads as the start of another field; ` +
        'put the title in quotes: title: "Breaking: vote passes"',
    );
  });

  it('counts lines as the editor sees them, with a byte-order mark and Windows line endings', () => {
    const text = `\uFEFF${frontMatter('date: 2026-03-14', 'summary: Breaking: vote passes').replace(/\n/g, '\r\n')}`;
    expect(articleProblem(text)).toMatch(/not valid YAML: line 3: the summary holds a colon .* summary: "Breaking: vote passes"$/);
  });

  it('quotes the suggestion so that it still works when the value holds double quotes', () => {
    const message = articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'summary: Minister: "no comment"'));
    expect(message).toMatch(/line 4: .* summary: 'Minister: "no comment"'$/);
  });

  it('with a list never closed names the line where the list opened', () => {
    const message = articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'tags: [Weather, Transport', 'summary: Roads close'));
    expect(message).toBe(`${FILE}: front matter is not valid YAML: line 4: the list opened with [ is never closed: end it with ]`);
  });

  it('with a quote never closed names the line where the quote opened', () => {
    const message = articleProblem(frontMatter('title: "Budget vote', 'date: 2026-03-14'));
    expect(message).toBe(`${FILE}: front matter is not valid YAML: line 2: the text opened with " is never closed: end it with "`);
  });

  it('with a field given twice names both lines', () => {
    const message = articleProblem(frontMatter('title: A', 'date: 2026-03-14', 'title: B'));
    expect(message).toBe(`${FILE}: front matter is not valid YAML: line 4: "title" is given twice (also on line 2); keep one`);
  });

  it('with an indented field says which line is indented', () => {
    const message = articleProblem(frontMatter('title: T', '  date: 2026-03-14'));
    expect(message).toBe(`${FILE}: front matter is not valid YAML: line 3: "date" is indented, so YAML reads it as part of the title above; start each field at the beginning of its line`);
  });

  it("keeps the parser's words, with the file's line, for other mistakes", () => {
    expect(articleProblem(frontMatter('title: T', 'date: 2026-03-14', '\tsummary: x'))).toMatch(/not valid YAML: line 4: Tabs are not allowed as indentation$/);
  });

  it('in site.yaml counts from its first line, which has no --- above it', () => {
    const message = siteProblem(['title: Test Wire', 'description: News: every hour', 'url: https://news.test/'].join('\n'));
    expect(message).toBe(
      'site.yaml: is not valid YAML: line 2: the description holds a colon and a space, which YAML reads as the start of another field; ' +
        'put the description in quotes: description: "News: every hour"',
    );
  });
});

describe('the fence', () => {
  it('gives the YAML as data and the body after the closing line, a byte-order mark and spaces after the fences ignored', () => {
    // Act
    const split = splitFrontMatter(FILE, '\uFEFF---  \ntitle: T\n--- \t\n\nThe story.\n\n---\nMore.\n');

    // Assess
    expect(split).toEqual({ data: { title: 'T' }, body: '\nThe story.\n\n---\nMore.\n' });
  });

  it('may be closed with "..." as YAML allows, and may hold nothing at all', () => {
    expect(splitFrontMatter(FILE, '---\ntitle: T\n...\nBody')).toEqual({ data: { title: 'T' }, body: 'Body' });
    expect(splitFrontMatter(FILE, '---\n---\nBody')).toEqual({ data: null, body: 'Body' });
  });

  it('must open on the first line, with nothing after the dashes', () => {
    expect(refusal(() => splitFrontMatter(FILE, '\n---\ntitle: T\n---\nBody'))).toMatch(/^has no front matter: start the file with a line "---"/);
    expect(refusal(() => splitFrontMatter(FILE, '--- yaml\ntitle: T\n---\nBody'))).toBe('front matter must be YAML between "---" lines; "---yaml" names another format, which is never run');
    expect(refusal(() => splitFrontMatter(FILE, ';;;\n{"title": "T"}\n;;;\nBody'))).toMatch(/^front matter must be YAML .*";;;"/);
  });

  it('holds at most 64 KiB of YAML, and says how much a longer one holds', () => {
    // Prepare: "x: " and the value and the line's end, 65,536 characters in all; then one more
    const at = (n: number) => `---\nx: ${'a'.repeat(n - 4)}\n---\nBody`;

    // Act + Assess
    expect(splitFrontMatter(FILE, at(65_536)).body).toBe('Body');
    expect(refusal(() => splitFrontMatter(FILE, at(65_537)))).toBe('front matter is 65537 characters; the limit is 65536');
  });
});

describe('the YAML', () => {
  it('is read as YAML 1.2 data, even under a 1.1 directive: yes, dates and times stay text, none becomes a boolean or a Date', () => {
    expect(parseYaml(FILE, '%YAML 1.1\n---\ndraft: yes\ndate: 2020-01-08\nat: 2020-01-08T10:00:00Z\n')).toEqual({ draft: 'yes', date: '2020-01-08', at: '2020-01-08T10:00:00Z' });
  });

  it('has the characters XML forbids removed from keys and values, and half a surrogate pair made U+FFFD', () => {
    expect(parseYaml(FILE, '"ti\\atle": "Bell\\0 \\x07ringing"\nlist: ["\\uD800 half"]\n')).toEqual({ title: 'Bell ringing', list: ['\uFFFD half'] });
  });

  it('names the line counted from where the YAML starts in the file, and says what the YAML is', () => {
    expect(refusal(() => parseYaml(FILE, 'title: T\ntags: [a', { firstLine: 10 }))).toBe('front matter is not valid YAML: line 11: the list opened with [ is never closed: end it with ]');
    expect(refusal(() => parseYaml('site.yaml', 'a: {b', { subject: 'site.yaml' }))).toBe('site.yaml is not valid YAML: line 1: the group opened with { is never closed: end it with }');
  });

  it('names a field given twice inside a group, with the line it first appeared on', () => {
    expect(refusal(() => parseYaml(FILE, 'image:\n  url: /a.jpg\n  url: /b.jpg\n'))).toBe('front matter is not valid YAML: line 3: "url" is given twice (also on line 2); keep one');
  });

  it('names an alias with no anchor, and keeps the cause', () => {
    // Act
    let error: unknown;
    try {
      parseYaml(FILE, 'title: *headline\n');
    } catch (err) {
      error = err;
    }

    // Assess
    expect(error).toBeInstanceOf(ArticleError);
    expect((error as ArticleError).problem).toMatch(/^front matter is not valid YAML: .*headline$/);
    expect((error as ArticleError).cause).toBeInstanceOf(Error);
  });
});
