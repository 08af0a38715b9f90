import { describe, expect, it } from 'vitest';
import { slugOf, stripAccents } from '../../../functions/core/article/slugs.ts';

// slugs.ts: URL segments from any text. (A file name's slug is article.ts's rule and a tag's is tags.ts's,
// each tested there; these are the cases the slug library and wirefeed's spelling rules decide.)

describe('a slug made from text', () => {
  it.each([
    ['accents stripped, never spelt out', 'Ärticle über Élection', 'article-uber-election'],
    ['letters decomposition leaves transliterated', 'Straße Ærø', 'strasse-aero'],
    ['Cyrillic transliterated', 'Москва', 'moskva'],
    ['"&" dropped, not spelt "and"', 'Science & Tech', 'science-tech'],
    ['"#" after a letter spelt out', 'C# and F#', 'c-sharp-and-f-sharp'],
    ['"+" after a letter or "+" spelt out', 'C++', 'c-plus-plus'],
    ['"#" and "+" at the start dropped', '#hashtag +1', 'hashtag-1'],
    ['camel case kept whole', 'iPhone and macOS', 'iphone-and-macos'],
    ['runs of punctuation and spaces one hyphen, none at the ends', '  --Rock & Roll!--  ', 'rock-roll'],
    ['a slug as it is', 'budget-vote-2025', 'budget-vote-2025'],
  ])('has %s', (_rule, text, slug) => {
    expect(slugOf(text, 120)).toBe(slug);
  });

  it('is cut to its longest allowed length without a hyphen left at the end', () => {
    expect(slugOf('abcdefghij klm', 11)).toBe('abcdefghij');
    expect(slugOf('abcdefghij klm', 12)).toBe('abcdefghij-k');
  });

  it('is empty for text with nothing a URL can spell, so the caller can say so', () => {
    expect(slugOf('東京', 120)).toBe('');
    expect(slugOf('!!! ---', 120)).toBe('');
  });
});

describe('accents stripped', () => {
  it('leave the base letters, and compatibility characters in their plain form', () => {
    expect(stripAccents('Élection à Zürich, ñandú')).toBe('Election a Zurich, nandu');
    expect(stripAccents('ﬁnance ①')).toBe('finance 1');
  });
});
