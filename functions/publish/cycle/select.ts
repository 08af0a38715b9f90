import { toIso } from '../../core/article/dates.ts';
import { mapLimit } from '../../core/concurrency.ts';
import { ARTICLES_PREFIX, etagPart, isArticleKey, KEYS, keyHash } from '../../core/keys.ts';
import { fileOfStateKey, STATE } from '../../core/state/state.ts';
import type { Store } from '../../stores/store.ts';
import type { Request } from '../protocol/requests.ts';
import type { StateView } from './state-view.ts';

/**
 * Which content keys a cycle looks at: those the requests name, those whose embargo or expiry time
 * has come, and, for a scan, every article whose ETag differs from the one last processed (a listing
 * of the content against a listing of the seen/ markers: no article or record is read to find them).
 */
export async function selectKeys(content: Store, view: StateView, request: Request, now: Date, concurrency: number): Promise<string[]> {
  const keys = new Set(request.keys.filter(isArticleKey));
  const schedule = await view.base(STATE.schedule);
  const at = toIso(now.getTime()); // the stored times' format, so strings compare as times
  for (const s of [...(schedule?.embargoed ?? []), ...(schedule?.expiring ?? [])]) if (s.at <= at) keys.add(s.key);
  if (request.scan) for (const key of await changedSinceProcessed(content, view, concurrency)) keys.add(key);
  return [...keys].sort();
}

async function changedSinceProcessed(content: Store, view: StateView, concurrency: number): Promise<string[]> {
  const listed = (await content.list(ARTICLES_PREFIX)).filter((info) => isArticleKey(info.key));
  const seen = new Map<string, Set<string>>();
  for (const info of await view.store.list(STATE.seenPrefix, KEYS)) {
    const marker = fileOfStateKey(info.key);
    if (marker?.etag === undefined) continue;
    seen.set(marker.h, (seen.get(marker.h) ?? new Set()).add(marker.etag));
  }
  const changed: string[] = [];
  const present = new Set<string>();
  for (const info of listed) {
    const h = keyHash(info.key);
    present.add(h);
    if (!seen.get(h)?.has(etagPart(info.etag))) changed.push(info.key);
  }
  // Processed articles whose file is gone: their records name their keys.
  const gone = [...seen.keys()].filter((h) => !present.has(h));
  const records = await mapLimit(gone, concurrency, (h) => view.base(STATE.record(h)));
  for (const record of records) if (record) changed.push(record.key);
  return changed;
}
