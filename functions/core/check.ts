import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FeedCheckError } from './errors.ts';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' });

/**
 * Parse a generated feed back before it is written: a feed that is not well-formed, or has lost its
 * items, throws, and the previous good feed stays in place.
 */
export function checkFeed(key: string, body: string, expectedItems: number): void {
  if (key.endsWith('.json')) {
    let doc: { version?: unknown; items?: { id?: unknown }[] };
    try {
      doc = JSON.parse(body) as typeof doc;
    } catch (err) {
      throw new FeedCheckError(key, `not JSON: ${(err as Error).message}`);
    }
    if (doc.version !== 'https://jsonfeed.org/version/1.1') throw new FeedCheckError(key, 'not JSON Feed 1.1');
    if (!Array.isArray(doc.items) || doc.items.length !== expectedItems) throw new FeedCheckError(key, 'wrong number of items');
    if (doc.items.some((i) => typeof i.id !== 'string' || i.id === '')) throw new FeedCheckError(key, 'an item has no id');
    return;
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new FeedCheckError(key, `not well-formed XML: ${valid.err.msg} at line ${valid.err.line}`);
  const doc = parser.parse(body) as { rss?: { channel?: { item?: unknown } }; feed?: { entry?: unknown } };
  const items = doc.rss ? doc.rss.channel?.item : doc.feed ? doc.feed.entry : undefined;
  if (!doc.rss && !doc.feed) throw new FeedCheckError(key, 'neither an RSS nor an Atom document');
  const count = items === undefined ? 0 : Array.isArray(items) ? items.length : 1;
  if (count !== expectedItems) throw new FeedCheckError(key, `${count} items instead of ${expectedItems}`);
}
