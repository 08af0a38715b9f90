import { describe, expect, it } from 'vitest';
import { articleProblem, FILE, frontMatter, siteProblem } from '../helpers/problems.ts';

// What an editor reads when an article or site.yaml is refused: one line, FILE: PROBLEM, that says
// what to change. Each test writes the file the way an editor would, by hand, not through a YAML writer.
// Front matter that is not YAML is worded by front-matter.ts (front-matter.test.ts), a day that does not
// exist by dates.ts (dates.test.ts).

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
