import type { Log } from '../lambda/logger.ts';

/**
 * Tell a WebSub hub that feeds changed, so subscribers get them pushed within seconds. Retried with
 * backoff; a hub that stays down is logged and never fails the publish (readers still poll). A redirect
 * is never followed (it could send the ping, from inside the stack, anywhere): it is a failure, logged.
 */
export async function pingHub(hub: string, feedUrls: readonly string[], log: Log, attempts = 3): Promise<boolean> {
  if (feedUrls.length === 0) return true;
  const body = new URLSearchParams([['hub.mode', 'publish'], ...feedUrls.map((url) => ['hub.url', url] as [string, string])]);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(hub, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      if (res.status >= 300 && res.status < 400) {
        log('error', 'websub hub answered with a redirect, which is not followed; set websub_hub to the hub itself', { hub, status: res.status, location: res.headers.get('location') ?? undefined });
        return false;
      }
      if (res.ok) {
        log('info', 'websub hub notified', { hub, urls: feedUrls.length });
        return true;
      }
      if (res.status < 500 && res.status !== 429) {
        log('warn', 'websub hub refused the ping', { hub, status: res.status });
        return false;
      }
      log('warn', 'websub hub failed; retrying', { hub, status: res.status, attempt });
    } catch (err) {
      log('warn', 'websub hub unreachable; retrying', { hub, error: String(err), attempt });
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
  }
  log('error', 'websub hub not notified; subscribers will poll', { hub });
  return false;
}
