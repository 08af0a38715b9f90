/**
 * The Lambda's entry point, as the stack names it (functions/handler.ts, export `handler`), configured by
 * CONTENT_BUCKET, SITE_BUCKET and SITE_URL; its body is the Lambda shell in functions/lambda/handler.ts.
 */
export { handler } from './lambda/handler.ts';
