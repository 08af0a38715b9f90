// zod/mini, not `zod`: the same schemas and types, but tree-shakeable (18 KB in the Lambda bundle
// instead of 445 KB, most of it every locale's error messages), which is what the cold start pays for.
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// English messages only ("Unrecognized key", "expected string"), for the ones our schemas do not word.
z.config(en());

/** A trimmed string of `min` to `max` characters. */
export const text = (min = 1, max = 10_000) =>
  z.string().check(z.trim(), z.minLength(min, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`));

/** An absolute http(s) URL, as readers need: they have no base URL to resolve against. */
export const httpUrl = z.string().check(
  z.trim(),
  z.refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL such as https://example.com/'),
);

export const person = z.strictObject({
  name: text(1, 200),
  url: z.optional(httpUrl),
  email: z.optional(z.email('must be an e-mail address')),
});
export type Person = z.infer<typeof person>;

/** BCP 47, as feeds and `lang` want it: en, en-GB, pt-BR, zh-Hant. */
export const languageTag = z.string().check(z.trim(), z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or en-GB'));
