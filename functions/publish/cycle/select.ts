import { toIso } from '../../core/article/dates.ts';
import { mapLimit } from '../../core/concurrency.ts';
import { ARTICLES_PREFIX, isArticleKey, KEYS, keyHash } from '../../core/keys.ts';
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
  // The markers' own keys: a file is unchanged when the marker its hash and ETag name is there (one Set, not
  // a Set per file: at 100,000 files those were a tenth of a no-op build's time, collector included).
  const markers = new Set((await view.store.list(STATE.seenPrefix, KEYS)).map((info) => info.key));
  const changed: string[] = [];
  const present = new Set<string>();
  for (const info of listed) {
    const h = keyHash(info.key);
    present.add(h);
    if (!markers.has(STATE.seen(h, info.etag))) changed.push(info.key);
  }
  // Processed articles whose file is gone: their records name their keys.
  const gone = new Set<string>();
  for (const key of markers) {
    const h = fileOfStateKey(key)?.h;
    if (h !== undefined && !present.has(h)) gone.add(h);
  }
  const records = await mapLimit([...gone], concurrency, (h) => view.base(STATE.record(h)));
  for (const record of records) if (record) changed.push(record.key);
  return changed;
}
