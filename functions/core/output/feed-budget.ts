import { FEEDS, type FeedFile } from '../keys.ts';
import { cdataSafe } from './rss.ts';
import { escapeXml } from './xml.ts';

/**
 * Bytes one feed document (RSS, Atom or JSON Feed: the site's, a tag's, an archive page) may hold: 4 MiB.
 * Full content makes feeds large (30 long articles made 60 MB documents, and a publish that needed 1.5 GB),
 * and readers refuse large feeds: Miniflux stops at 15 MiB, readers built on smaller caps at 2 MiB, The Old
 * Reader turned away one of 7 MB, Feedly failed on one over 10 MB. 4 MiB is also the most one article's own
 * item may take (MAX_FEED_ITEM_BYTES), so a document is never larger than the largest story it can carry.
 * Items past the budget carry their summary and a link (content.ts summaryContentHtml); README says so.
 */
export const FEED_BYTES = 4 * 1024 * 1024;

/** Bytes per format. */
export interface FormatBytes {
  rss: number;
  atom: number;
  json: number;
}

export const byteSizes = (files: Record<FeedFile, string>): FormatBytes => ({
  rss: Buffer.byteLength(files[FEEDS.rss]),
  atom: Buffer.byteLength(files[FEEDS.atom]),
  json: Buffer.byteLength(files[FEEDS.json]),
});

/**
 * The bytes one item's content HTML takes in each format, as its writer encodes it: RSS puts it in CDATA
 * (rss.ts: every "]]>" split), Atom escapes it as text (xml.ts), JSON Feed writes it as a JSON string.
 * Nothing else in an item depends on its content, so swapping one content for another changes a document
 * by exactly the difference.
 */
export function contentBytes(html: string): FormatBytes {
  return { rss: Buffer.byteLength(cdataSafe(html)), atom: Buffer.byteLength(escapeXml(html)), json: Buffer.byteLength(JSON.stringify(html)) };
}

/** `spent` grown by the difference between two contents of one item; undefined when that passes `budget` in any format. */
export function withFull(spent: FormatBytes, full: FormatBytes, summary: FormatBytes, budget: number): FormatBytes | undefined {
  const next = { rss: spent.rss + full.rss - summary.rss, atom: spent.atom + full.atom - summary.atom, json: spent.json + full.json - summary.json };
  return next.rss > budget || next.atom > budget || next.json > budget ? undefined : next;
}
