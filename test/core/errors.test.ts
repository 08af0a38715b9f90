import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../functions/core/article/article.ts';
import { ArticleError, SettingsError } from '../../functions/core/errors.ts';
import { parseSettings } from '../../functions/core/settings.ts';
import { testSettings } from '../helpers/content.ts';

// What an editor reads when an article or site.yaml is refused: one line, FILE: PROBLEM, that says
// what to change. Each test writes the file the way an editor would, by hand, not through a YAML writer.

const settings = testSettings();
const FILE = 'articles/budget-vote.md';

/** The one line an editor reads for a refused article. */
function articleProblem(text: string | Uint8Array): string {
  try {
    parseArticle(FILE, typeof text === 'string' ? Buffer.from(text) : text, settings);
  } catch (err) {
    expect(err).toBeInstanceOf(ArticleError);
    return (err as ArticleError).message;
  }
  throw new Error('expected the article to be refused');
}

/** The one line an editor reads for a refused site.yaml. */
function siteProblem(yaml: string): string {
  try {
    parseSettings(Buffer.from(yaml));
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as SettingsError).message;
  }
  throw new Error('expected site.yaml to be refused');
}

const frontMatter = (...lines: string[]) => `---\n${lines.join('\n')}\n---\nThe story.\n`;
const SITE_YAML = ['title: Test Wire', 'description: Reports', 'url: https://news.test/'];

describe('a misspelt field', () => {
  it('is named with the known field the editor most likely meant', () => {
    // Prepare
    const text = frontMatter('title: Budget vote', 'date: 2026-03-14', 'auther: Ada');
    // Act
    const message = articleProblem(text);
    // Assess
    expect(message).toBe(`${FILE}: unknown field "auther": did you mean "authors"?`);
  });

  it('is met with a suggestion for each of several, and for a field written in capitals', () => {
    const message = articleProblem(frontMatter('Title: Budget vote', 'date: 2026-03-14', 'tittle: x', 'expiry: 2026-04-01'));
    expect(message).toContain('unknown field "Title": did you mean "title"?');
    expect(message).toContain('unknown field "tittle": did you mean "title"?');
    expect(message).toContain('unknown field "expiry": did you mean "expires"?');
  });

  it('that is near no known field lists the fields there are', () => {
    const message = articleProblem(frontMatter('title: Budget vote', 'date: 2026-03-14', 'byline: Ada'));
    expect(message).toBe(`${FILE}: unknown field "byline"; the fields are title, date, updated, summary, tags, authors, image, slug, id, draft, expires, correction`);
  });

  it('inside the image or an author is named by its full path', () => {
    const caption = articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'image: {url: /media/x.jpg, alt: A harbour, caption: At dawn}'));
    expect(caption).toBe(`${FILE}: unknown field "image.caption"; the fields of "image" are url, alt, type, length`);
    const email = articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'authors:', '  - name: Ada', '    emial: ada@example.org'));
    expect(email).toBe(`${FILE}: unknown field "authors.0.emial": did you mean "email"?`);
  });

  it('in site.yaml is named with the setting meant, nested ones too', () => {
    const message = siteProblem([...SITE_YAML, 'feedsize: 20', 'author: {name: Desk, mail: desk@news.test}'].join('\n'));
    expect(message).toBe('site.yaml: unknown field "author.mail": did you mean "email"?; unknown field "feedsize": did you mean "feed_size"?');
  });
});

describe('a file with thousands of problems', () => {
  const FIELDS = 'title, date, updated, summary, tags, authors, image, slug, id, draft, expires, correction';

  it('names its first unknown fields, how many more there are, and the fields there are once, in one short line', () => {
    // Prepare
    const text = frontMatter('title: T', 'date: 2026-03-14', ...Array.from({ length: 3000 }, (_, i) => `field${i + 1}: x`));
    // Act
    const message = articleProblem(text);
    // Assess
    expect(message).toBe(`${FILE}: unknown fields "field1", "field2", "field3", "field4", "field5" and 2995 more; the fields are ${FIELDS}`);
    expect(message.length).toBeLessThan(2048);
  });

  it('still asks "did you mean" where a field is near one, and lists the fields once for the others', () => {
    const message = articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'tittle: x', 'byline: Ada', 'kicker: Exclusive'));
    expect(message).toBe(`${FILE}: unknown field "tittle": did you mean "title"?; unknown fields "byline", "kicker"; the fields are ${FIELDS}`);
  });

  it('shows a very long unknown field name by its beginning', () => {
    const message = articleProblem(frontMatter('title: T', 'date: 2026-03-14', `? ${'k'.repeat(20000)}`, ': 1'));
    expect(message).toBe(`${FILE}: unknown field "${'k'.repeat(40)}…"; the fields are ${FIELDS}`);
  });

  it('keeps a line about fifty bad authors or tags to its first problems and how many more', () => {
    // Prepare: every author with 60 unknown fields; every tag ten times too long
    const authors = Array.from({ length: 50 }, () => `{name: Ada, ${Array.from({ length: 60 }, (_, j) => `k${j}: 1`).join(', ')}}`);
    const tags = Array.from({ length: 50 }, () => 'x'.repeat(1000));
    // Act
    const forAuthors = articleProblem(frontMatter('title: T', 'date: 2026-03-14', `authors: [${authors.join(', ')}]`));
    const forTags = articleProblem(frontMatter('title: T', 'date: 2026-03-14', `tags: [${tags.join(', ')}]`));
    // Assess
    expect(forAuthors).toMatch(
      new RegExp(
        `^${FILE}: unknown fields "authors\\.0\\.k0", "authors\\.0\\.k1", "authors\\.0\\.k2", "authors\\.0\\.k3", "authors\\.0\\.k4" and 55 more; the fields of "authors\\.0" are name, url, email; .*; and \\d+ more problems$`,
      ),
    );
    expect(forTags).toMatch(new RegExp(`^${FILE}: "tags\\.0" must be at most 100 characters \\(got "x+\\); "tags\\.1" .*; and \\d+ more problems$`));
    expect(forAuthors.length).toBeLessThan(2048);
    expect(forTags.length).toBeLessThan(2048);
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

describe('a value of the wrong kind', () => {
  it("is told that tags and authors are lists, in an example made of the editor's own words", () => {
    // Prepare
    const text = frontMatter('title: T', 'date: 2026-03-14', 'tags: Weather, Transport', 'authors: Ada Lovelace');
    // Act
    const message = articleProblem(text);
    // Assess
    expect(message).toBe(`${FILE}: "tags" must be a list, such as tags: [Weather, Transport]; "authors" must be a list, such as authors: [Ada Lovelace]`);
  });

  it('quotes an item in the example that a list would otherwise misread', () => {
    expect(articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'tags: "Politics, #elections"'))).toBe(`${FILE}: "tags" must be a list, such as tags: [Politics, "#elections"]`);
  });

  it('is told that draft is true or false when it says yes', () => {
    // YAML 1.2 reads yes as the text "yes", not as true.
    expect(articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'draft: yes'))).toBe(`${FILE}: "draft" must be true or false (got "yes")`);
  });

  it('is told to quote a title that YAML reads as a number', () => {
    expect(articleProblem(frontMatter('title: 1984', 'date: 2026-03-14'))).toBe(`${FILE}: "title" must be text: put it in quotes, such as title: "1984"`);
  });

  it('is told that the image is a group of fields, not a file name', () => {
    expect(articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'image: harbour.jpg'))).toBe(
      `${FILE}: "image" must be a group of fields, such as image: {url: …, alt: …, type: …, length: …} (got "harbour.jpg")`,
    );
  });

  it('is told what is missing, plainly', () => {
    expect(articleProblem(frontMatter('date: 2026-03-14'))).toBe(`${FILE}: "title" is required`);
  });

  it('in site.yaml is told the allowed values and bounds', () => {
    expect(siteProblem([...SITE_YAML, 'feed_size: 0', 'feed_content: everything'].join('\n'))).toBe(
      'site.yaml: "feed_size" must be at least 1 (got 0); "feed_content" must be full or summary (got "everything")',
    );
  });
});

describe('a date', () => {
  it('that does not exist is named, with the length of its month', () => {
    const message = articleProblem(frontMatter('title: T', 'date: 2026-02-30'));
    expect(message).toBe(`${FILE}: "date": there is no 2026-02-30 (February 2026 has 28 days)`);
  });

  it('that does not exist is named in updated and expires too, with or without a time', () => {
    const message = articleProblem(frontMatter('title: T', 'date: 2026-03-14', 'updated: 2026-04-31T10:00:00Z', 'expires: 2026-13-01'));
    expect(message).toBe(`${FILE}: "updated": there is no 2026-04-31 (April 2026 has 30 days); "expires": there is no 2026-13-01 (month 13 does not exist: months go from 01 to 12)`);
  });

  it('with an hour that does not exist is named', () => {
    expect(articleProblem(frontMatter('title: T', 'date: 2026-03-14T24:30:00Z'))).toBe(`${FILE}: "date": there is no 24:30:00 in a day (hours go up to 23, minutes and seconds up to 59)`);
  });

  it('on the 29th of February is taken in a leap year', () => {
    expect(parseArticle(FILE, Buffer.from(frontMatter('title: T', 'date: 2028-02-29')), settings).published.iso).toBe('2028-02-29T00:00:00Z');
    expect(articleProblem(frontMatter('title: T', 'date: 2027-02-29'))).toContain('there is no 2027-02-29 (February 2027 has 28 days)');
  });

  it('with a time but no zone still asks for the zone', () => {
    expect(articleProblem(frontMatter('title: T', 'date: 2026-03-14T09:30:00'))).toBe(
      `${FILE}: "date" must be a date such as 2020-01-08 or 2020-01-08T14:30:00Z (a time needs a zone: Z or +01:00) (got "2026-03-14T09:30:00")`,
    );
  });
});
