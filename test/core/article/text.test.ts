import { describe, expect, it } from 'vitest';
import { cleanText, decodeText, escapeHtml } from '../../../functions/core/article/text.ts';
import { ArticleError } from '../../../functions/core/errors.ts';
import { buildFeeds } from '../../../functions/core/output/feeds.ts';
import { articleText, testSettings } from '../../helpers/content.ts';
import { parse, articleProblem as problem } from '../../helpers/problems.ts';

// text.ts: bytes to clean text (or a message naming the encoding problem), and text escaped for HTML.
// Through an article (the moved tests, as an editor meets them) and on its own.

/** The problem decodeText names for these bytes. */
function undecodable(bytes: Uint8Array): string {
  try {
    decodeText('articles/x.md', bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ArticleError);
    return (err as ArticleError).problem;
  }
  throw new Error('expected the bytes to be refused');
}
const bytes = (...parts: (string | number[])[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('encodings and odd characters', () => {
  it('refuses Latin-1 bytes with a message naming the encoding problem', () => {
    const bytes = Buffer.concat([Buffer.from('---\ntitle: Caf'), Buffer.from([0xe9]), Buffer.from('\ndate: 2025-03-14\n---\nBody\n')]);
    expect(problem(bytes)).toMatch(/is not UTF-8 text: byte 0xe9 at offset 14 .*save the file as UTF-8/);
  });

  it('decodes UTF-16 with a byte-order mark correctly', () => {
    const text = articleText({ title: 'Café résumé 東京', date: '2025-03-14' });
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parse(bytes).title).toBe('Café résumé 東京');
  });

  it('accepts a UTF-8 byte-order mark and Windows line endings', () => {
    const text = `\uFEFF${articleText({ title: 'T', date: '2025-03-14' }, 'One.\r\n\r\nTwo.\r\n').replace(/\n/g, '\r\n')}`;
    const a = parse(text);
    expect(a.html).toBe('<p>One.</p>\n<p>Two.</p>');
  });

  it('removes characters XML forbids, so no feed can be broken by them', () => {
    const a = parse(articleText({ title: 'Bell\u0007 and null\u0000', date: '2025-03-14' }, 'Text\u0001 here\u000B.\n'));
    expect(a.title).toBe('Bell and null');
    expect(a.html).toBe('<p>Text here.</p>');
  });

  it('turns a lone surrogate spelt as a YAML escape into U+FFFD, which every format can carry', () => {
    const a = parse('---\ntitle: "Half \\uD800 a pair"\ndate: 2025-03-14\n---\nText.\n');
    expect(a.title).toBe('Half \uFFFD a pair');
    expect(buildFeeds([a], testSettings())['rss.xml']).not.toMatch(/[\uD800-\uDFFF]/);
  });
});

describe('bytes to text', () => {
  it('decodes UTF-16 in either byte order by its byte-order mark, which is not kept', () => {
    // Prepare
    const text = 'Café 東京 📰';
    const little = bytes([0xff, 0xfe], [...Buffer.from(text, 'utf16le')]);
    const big = bytes([0xfe, 0xff], [...Buffer.from(text, 'utf16le').swap16()]);

    // Act + Assess
    expect(decodeText('articles/x.md', little)).toBe(text);
    expect(decodeText('articles/x.md', big)).toBe(text);
  });

  it('drops a UTF-8 byte-order mark', () => {
    expect(decodeText('articles/x.md', bytes([0xef, 0xbb, 0xbf], 'title'))).toBe('title');
  });

  it.each([
    ['a Windows-1252 curly quote', bytes('---\nsummary: ', [0x93], 'Yes'), 'byte 0x93 at offset 13'],
    ['a sequence cut off at the end of the file', bytes('Caf', [0xc3]), 'byte 0xc3 at offset 3'],
    ['a sequence cut off by a plain character', bytes('---\n', [0xe2, 0x80], 'x'), 'byte 0xe2 at offset 4'],
    ['a byte that never starts a character', bytes('ab', [0xff], 'c'), 'byte 0xff at offset 2'],
  ])('refuses %s, naming the byte and where it is', (_what, input, where) => {
    expect(undecodable(input)).toBe(`is not UTF-8 text: ${where} (it looks like Latin-1 or Windows-1252); save the file as UTF-8`);
  });
});

describe('clean text', () => {
  it('has Windows and old Mac line endings as LF', () => {
    expect(cleanText('a\r\nb\rc\n')).toBe('a\nb\nc\n');
  });

  it('keeps tab and line feed but no other control character, nor U+FFFE or U+FFFF', () => {
    expect(cleanText('a\u0000b\u0008c\td\u000Be\u000Cf\u001Fg\nh\uFFFEi\uFFFFj')).toBe('abc\tdefg\nhij');
  });

  it('replaces half a surrogate pair, either half, with U+FFFD and keeps whole pairs', () => {
    expect(cleanText('\uD83D\uDCF0 \uD83D x \uDCF0')).toBe('📰 \uFFFD x \uFFFD');
  });

  it('spells each character one way (NFC), so "é" written as e and an accent is the same text', () => {
    expect(cleanText('Cafe\u0301')).toBe('Caf\u00E9');
  });
});

describe('text escaped for HTML', () => {
  it('has &, <, >, " and \' as character references, safe in element content and in either quoting of an attribute', () => {
    expect(escapeHtml(`Tom & "Jerry" <b>'s</b>`)).toBe('Tom &#38; &#34;Jerry&#34; &#60;b&#62;&#39;s&#60;/b&#62;');
  });

  it('leaves every other character as it is', () => {
    expect(escapeHtml('Café 東京 📰 ]]> &amp')).toBe('Café 東京 📰 ]]&#62; &#38;amp');
  });
});
