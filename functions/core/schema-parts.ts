import { z } from 'zod';

/** An absolute http(s) URL, as readers need: they have no base URL to resolve against. */
export const httpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL such as https://example.com/');

export const person = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  url: httpUrl.optional(),
  email: z.email('must be an e-mail address').optional(),
});
export type Person = z.infer<typeof person>;

/** BCP 47, as feeds and `lang` want it: en, en-GB, pt-BR, zh-Hant. */
export const languageTag = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or en-GB');
