import { type CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { FRONT_PAGE } from '../core/keys.ts';

/** Above this many paths one wildcard is cheaper and as quick (CloudFront bills per path). */
const MAX_PATHS = 15;

/** The CDN paths that show a changed site key: a page is also reached by its folder URL. */
export function invalidationPaths(keys: readonly string[]): string[] {
  const paths = new Set<string>();
  for (const key of keys) {
    paths.add(`/${key}`);
    if (key === FRONT_PAGE) paths.add('/');
    else if (key.endsWith(`/${FRONT_PAGE}`)) {
      const folder = key.slice(0, -FRONT_PAGE.length);
      paths.add(`/${folder}`);
      paths.add(`/${folder.slice(0, -1)}`);
    }
  }
  const sorted = [...paths].sort();
  return sorted.length > MAX_PATHS ? ['/*'] : sorted;
}

/** Ask CloudFront to drop its copies of what this publish changed, so readers see it within seconds. */
export async function invalidate(client: CloudFrontClient, distributionId: string, keys: readonly string[], reference: string): Promise<string[]> {
  const paths = invalidationPaths(keys);
  if (paths.length === 0) return paths;
  await client.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: { CallerReference: reference, Paths: { Quantity: paths.length, Items: paths } },
    }),
  );
  return paths;
}
