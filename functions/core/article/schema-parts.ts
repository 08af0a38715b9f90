// zod/mini, not `zod`: the same schemas and types, but tree-shakeable (18 KB in the Lambda bundle
// instead of 445 KB, most of it every locale's error messages), which is what the cold start pays for.
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// English messages only ("Unrecognized key", "expected string"), for the ones our schemas do not word.
z.config(en());

/** A trimmed string of `min` to `max` characters. */
export const text = (min = 1, max = 10_000) => z.string().check(z.trim(), z.minLength(min, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`));

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

/**
 * The fields of the object that `path` leads to inside `schema` (through optional, default, lists and
 * unions), so an unknown field can be met with "did you mean"; undefined when no object is there.
 */
export function fieldsAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): readonly string[] | undefined {
  // Every schema built here is one of zod's own types, so its def is one of theirs and `type` tells which.
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return fieldsAt(def.innerType, path);
    case 'pipe':
      return fieldsAt(def.in, path);
    case 'array':
      return typeof path[0] === 'number' ? fieldsAt(def.element, path.slice(1)) : undefined;
    case 'union':
      for (const option of def.options) {
        const fields = fieldsAt(option, path);
        if (fields) return fields;
      }
      return undefined;
    case 'object': {
      if (path.length === 0) return Object.keys(def.shape);
      const next = def.shape[String(path[0])];
      return next ? fieldsAt(next, path.slice(1)) : undefined;
    }
    default:
      return undefined;
  }
}
