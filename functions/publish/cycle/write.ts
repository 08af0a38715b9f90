import { mapLimit } from '../../core/concurrency.ts';
import { type GroupId, isFeedKey } from '../../core/keys.ts';
import { headersFor } from '../../core/output/objects.ts';
import type { Store } from '../../stores/store.ts';
import { copyMedia } from '../media.ts';

/** What a cycle writes to the site, bytes in hand. */
export interface SiteWork {
  mediaPut: string[];
  mediaDelete: string[];
  /** Article pages: key -> HTML. */
  pages: Map<string, string>;
  /** Groups in write order, each with the files to write. */
  groups: { id: GroupId; files: Map<string, string> }[];
  /** Site keys to delete. */
  deletes: string[];
}

export const noSiteWork = (): SiteWork => ({ mediaPut: [], mediaDelete: [], pages: new Map(), groups: [], deletes: [] });

export const isEmptyWork = (w: SiteWork): boolean => w.mediaPut.length === 0 && w.mediaDelete.length === 0 && w.pages.size === 0 && w.groups.every((g) => g.files.size === 0) && w.deletes.length === 0;

/**
 * Write in the order that keeps every link a reader can follow working: media, then pages, then each
 * group as its turn comes (within a group, lists and pages before feeds; the site's own feeds last),
 * then deletions, so no feed ever links to a page that is already gone.
 */
export async function writeInOrder(site: Store, content: Store, work: SiteWork, concurrency: number): Promise<{ written: string[]; deleted: string[] }> {
  const written: string[] = [];
  await mapLimit(work.mediaPut, concurrency, async (key) => {
    if (await copyMedia(key, content, site)) written.push(key);
  });
  await mapLimit([...work.pages], concurrency, async ([key, body]) => {
    await site.put(key, body, headersFor(key));
    written.push(key);
  });
  for (const group of work.groups) {
    for (const feeds of [false, true]) {
      const files = [...group.files].filter(([key]) => isFeedKey(key) === feeds);
      await mapLimit(files, concurrency, async ([key, body]) => {
        await site.put(key, body, headersFor(key));
        written.push(key);
      });
    }
  }
  const keep = new Set(written);
  const deleted = [...new Set([...work.deletes, ...work.mediaDelete])].filter((key) => !keep.has(key)).sort();
  await mapLimit(deleted, concurrency, (key) => site.delete(key));
  return { written: written.sort(), deleted };
}
