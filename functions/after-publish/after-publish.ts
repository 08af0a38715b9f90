import type { Log } from '../lambda/logger.ts';
import type { PublishReport } from '../publish/publish.ts';
import { pingHub } from './websub.ts';

export interface AfterPublishOptions {
  /** Ask the CDN to drop what changed; undefined when there is no distribution (local, tests). */
  invalidate?: (keys: readonly string[], reference: string) => Promise<string[]>;
  log: Log;
}

/**
 * What follows a publish that changed the site, the same for the Lambda and `wirefeed publish`: the CDN
 * drops the changed paths, and the WebSub hub hears which feeds changed. Neither can fail the publish:
 * the objects are already right, and the CDN and readers catch up within the feeds' max-age.
 */
export async function afterPublish(report: PublishReport, options: AfterPublishOptions): Promise<void> {
  const changed = [...report.written, ...report.deleted];
  if (options.invalidate && changed.length > 0) {
    try {
      const paths = await options.invalidate(changed, `wirefeed-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      options.log('info', 'invalidated', { paths });
    } catch (err) {
      options.log('warn', 'invalidation failed', { error: String(err) });
    }
  }
  if (report.hub && report.feedsChanged.length > 0) await pingHub(report.hub, report.feedsChanged, options.log);
}
