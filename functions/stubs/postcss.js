// Stands in for postcss in the Lambda bundle only (see PUBLISHER_ESBUILD in infra/publisher.ts).
// sanitize-html loads postcss at start-up, but calls it only to filter `style` attributes, which
// wirefeed never allows (functions/core/html.ts): leaving it out saves ~8 ms of every cold start.
export function parse() {
  throw new Error('postcss is not bundled: style attributes are never allowed');
}
