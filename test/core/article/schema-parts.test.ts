import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { fieldsAt, httpUrl, languageTag, person, text } from '../../../functions/core/article/schema-parts.ts';

// schema-parts.ts: the pieces site.yaml's and the front matter's schemas are built of, and the fields a
// schema knows at a path (for "did you mean").

/** The value a schema gives, or the messages of its issues as "path: message". */
function check(schema: z.ZodMiniType, value: unknown): { ok: unknown } | { problems: string[] } {
  const result = schema.safeParse(value);
  return result.success ? { ok: result.data } : { problems: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
}

describe('text', () => {
  it('is trimmed, and must not be empty once it is', () => {
    expect(check(text(), '  Budget vote \n')).toEqual({ ok: 'Budget vote' });
    expect(check(text(), ' \t ')).toEqual({ problems: [': must not be empty'] });
  });

  it('may be empty only when its minimum is 0, and is at most its maximum', () => {
    expect(check(text(0, 3), '')).toEqual({ ok: '' });
    expect(check(text(1, 3), 'four')).toEqual({ problems: [': must be at most 3 characters'] });
    expect(check(text(1, 3), ' abc ')).toEqual({ ok: 'abc' });
  });
});

describe('an http(s) URL', () => {
  it('is taken trimmed when absolute and http or https', () => {
    expect(check(httpUrl, ' https://news.test/a?b=1&c=2 ')).toEqual({ ok: 'https://news.test/a?b=1&c=2' });
    expect(check(httpUrl, 'http://localhost:8080/')).toEqual({ ok: 'http://localhost:8080/' });
  });

  it.each(['/media/a.jpg', 'news.test', 'ftp://news.test/', 'javascript:alert(1)', 'mailto:desk@news.test', 'https://'])('refuses %s, saying readers need an absolute http(s) URL', (value) => {
    expect(check(httpUrl, value)).toEqual({ problems: [': must be an absolute http(s) URL such as https://example.com/'] });
  });
});

describe('a person', () => {
  it('has a name, and a URL and an e-mail address where given', () => {
    expect(check(person, { name: ' Ada ', url: 'https://ada.test/', email: 'ada@news.test' })).toEqual({ ok: { name: 'Ada', url: 'https://ada.test/', email: 'ada@news.test' } });
  });

  it('refuses a bad e-mail address, a URL readers cannot follow and a field it does not know, naming each', () => {
    // Act
    const result = check(person, { name: 'Ada', email: 'ada at news', url: 'ada.test' });
    const unknown = check(person, { name: 'Ada', mail: 'ada@news.test' });

    // Assess
    expect(result).toEqual({ problems: ['url: must be an absolute http(s) URL such as https://example.com/', 'email: must be an e-mail address'] });
    expect(unknown).toEqual({ problems: [': Unrecognized key: "mail"'] });
  });
});

describe('a language tag', () => {
  it.each(['en', 'en-GB', 'pt-BR', 'zh-Hant', 'de-CH-1996'])('takes %s', (tag) => {
    expect(check(languageTag, tag)).toEqual({ ok: tag });
  });

  it.each(['english', 'en_GB', 'e', 'en-', 'en GB'])('refuses %s with an example', (tag) => {
    expect(check(languageTag, tag)).toEqual({ problems: [': must be a language tag such as en or en-GB'] });
  });
});

describe('the fields a schema knows at a path', () => {
  const schema = z.strictObject({
    title: z.string(),
    image: z.optional(z.strictObject({ url: z.string(), alt: z.string() })),
    authors: z._default(z.array(z.union([z.string(), z.strictObject({ name: z.string(), email: z.string() })])), []),
    size: z.pipe(z.string(), z.transform(Number)),
  });

  it('are found through optional fields, defaults, lists and unions', () => {
    expect(fieldsAt(schema, [])).toEqual(['title', 'image', 'authors', 'size']);
    expect(fieldsAt(schema, ['image'])).toEqual(['url', 'alt']);
    expect(fieldsAt(schema, ['authors', 0])).toEqual(['name', 'email']);
  });

  it('are none where the path leads to no object', () => {
    expect([fieldsAt(schema, ['title']), fieldsAt(schema, ['authors']), fieldsAt(schema, ['size']), fieldsAt(schema, ['nope']), fieldsAt(schema, ['image', 'url'])]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
