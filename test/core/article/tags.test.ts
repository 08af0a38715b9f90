import { describe, expect, it } from 'vitest';
import { countSpellings, shownTags, spellingNotice, tagSlug, tagTitle } from '../../../functions/core/article/tags.ts';
import { TAGS } from '../../bench/generate.ts';

// tags.ts: a tag's URL segment, and the one title a tag spelt several ways is shown with.

describe('tag slugs', () => {
  /** The tag URLs wirefeed published before the slug library (f449bb1): subscribers have them. */
  const published = (tag: string) =>
    tag
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '');

  it('keeps every tag URL it published before, whatever its punctuation', () => {
    const tags = [
      ...TAGS,
      "Women's sport",
      'Women’s sport',
      "St. Patrick's Day",
      'U.S. Open',
      'Rock & Roll',
      'Q&A',
      '"Quoted"',
      'Covid-19',
      'Côte d’Ivoire',
      'Émigré — news',
      '  spaced  out  ',
      'e-mail/spam',
      'x'.repeat(80),
    ];
    for (const tag of tags) expect(tagSlug(tag), tag).toBe(published(tag));
  });

  it('gives tags it could not spell before a readable slug, and C#, C++ and C three', () => {
    expect(tagSlug('Straße')).toBe('strasse');
    expect(tagSlug('Москва')).toBe('moskva');
    expect(new Set([tagSlug('C#'), tagSlug('C++'), tagSlug('C')]).size).toBe(3);
  });

  it('gives two long tags that agree in their first 80 characters two slugs, and one long tag in any case or accents one', () => {
    // Prepare: 94-character tags whose slugs agree in the 80 characters wirefeed used to keep
    const first = 'Inquiry into the procurement of emergency medical equipment in the winter crisis: first report';
    const final = 'Inquiry into the procurement of emergency medical equipment in the winter crisis: final report';
    const moscow = 'Москва '.repeat(12);
    // Act
    const slugs = [first, final, `${moscow}один`, `${moscow}два`, 'x'.repeat(100), 'x'.repeat(120)].map(tagSlug);
    // Assess
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    for (const slug of slugs) expect(slug.length).toBeLessThanOrEqual(80);
    expect(tagSlug(first)).toMatch(/^inquiry-into-the-procurement-of-emergency-medical-equipment-in-the-w[a-z]*-[0-9a-f]{8}$/);
    expect(tagSlug(first.toUpperCase())).toBe(tagSlug(first));
    expect(tagSlug(first.replace('emergency medical', 'émergency médical'))).toBe(tagSlug(first));
    expect(tagSlug('x'.repeat(120))).toBe(tagSlug('X'.repeat(120)));
  });
});

describe('a tag with no letters or digits a URL can spell', () => {
  it('gets a short stable slug of its own, different for each such tag', () => {
    // Act
    const tokyo = tagSlug('東京');
    const osaka = tagSlug('大阪');

    // Assess
    expect(tokyo).toMatch(/^t-[0-9a-f]{10}$/);
    expect(tagSlug('東京')).toBe(tokyo);
    expect(osaka).not.toBe(tokyo);
  });
});

describe('spellings of one tag', () => {
  it('are counted in and out, a spelling no article uses any more forgotten, in code-point order', () => {
    // Act
    const next = countSpellings({ politics: 1, Politics: 2 }, ['Politics', 'POLITICS'], ['politics', 'gone']);

    // Assess
    expect(next).toEqual({ POLITICS: 1, Politics: 3 });
    expect(Object.keys(next)).toEqual(['POLITICS', 'Politics']);
    expect(countSpellings(undefined, ['Élection'], [])).toEqual({ Élection: 1 });
  });

  it('give the tag the title most articles use, then one with capitals or accents over a plain one, then code-point order', () => {
    expect(tagTitle({ election: 3, Élection: 2 }, 'x')).toBe('election');
    expect(tagTitle({ election: 2, Élection: 2 }, 'x')).toBe('Élection');
    expect(tagTitle({ Politics: 1, POLITICS: 1, politics: 1 }, 'x')).toBe('POLITICS');
    expect(tagTitle({}, 'politics')).toBe('politics');
  });

  it("are shown as the site's title of their tag, or as written when the site has none", () => {
    // Prepare
    const titles = new Map([[tagSlug('Élection'), 'Élection']]);

    // Act + Assess
    expect(shownTags(['election', 'ELECTION', 'Weather'], titles)).toEqual(['Élection', 'Élection', 'Weather']);
  });

  it("are met with a notice naming the spelling, the title and the tag's folder", () => {
    expect(spellingNotice('election', 'Élection', 'election')).toBe('tag "election" is shown as "Élection", the same tag (tags/election/): spell it so everywhere to silence this notice');
  });
});
