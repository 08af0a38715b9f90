import slugify from '@sindresorhus/slugify';

/**
 * URL segments from any text (a file name, a tag), through @sindresorhus/slugify. Accents are stripped
 * first by Unicode decomposition, as wirefeed always did, so an existing slug never changes
 * ("ärticle" -> "article", not the German "aerticle"); the library then transliterates what
 * decomposition leaves (ß, æ, ø, Cyrillic, ...), and plain slugs pass through unchanged. A "#" or "+"
 * after a letter is spelt out, so C#, C++ and C get three URLs; camel case is never split (iPhone -> iphone).
 */
/** The library spells "&" as "and"; wirefeed's tag URLs always dropped it (Science & Tech -> science-tech). */
const KEEP: [string, string][] = [['&', ' ']];

export function slugOf(text: string, maxLength: number): string {
  const spelt = stripAccents(text)
    .replace(/(?<=[\p{L}\p{N}])#/gu, ' sharp ')
    .replace(/(?<=[\p{L}\p{N}+])\+/gu, ' plus ');
  return slugify(spelt, { decamelize: false, customReplacements: KEEP }).slice(0, maxLength).replace(/-+$/, '');
}

/** NFKD and combining marks removed: "Élection" -> "Election". */
export const stripAccents = (text: string): string => text.normalize('NFKD').replace(/\p{M}/gu, '');
