import { SaxesParser } from 'saxes';
import { FeedCheckError } from '../errors.ts';

const ATOM = 'http://www.w3.org/2005/Atom';

/**
 * Parse a generated feed back before it is written: a feed that is not well-formed XML 1.0 (saxes is a
 * strict, namespace-aware parser), or has lost items, throws, and the previous good feed stays in place.
 */
export function checkFeed(key: string, body: string, expectedItems: number): void {
  const count = countItems(key, body);
  if (count !== expectedItems) throw new FeedCheckError(key, `${count} items instead of ${expectedItems}`);
}

const isFeed = (key: string): boolean => /(^|\/)(rss\.xml|atom\.xml|feed\.json)$/.test(key);

/** Parse every feed of a group back; the three formats of one folder must hold the same number of items. */
export function checkFeeds(files: ReadonlyMap<string, string>): void {
  const counts = new Map<string, number>();
  for (const [key, body] of files) {
    if (!isFeed(key)) continue;
    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    const count = countItems(key, body);
    const other = counts.get(folder);
    if (other !== undefined && other !== count) throw new FeedCheckError(key, `${count} items where the other formats have ${other}`);
    counts.set(folder, count);
  }
}

/** Parse a feed back (throwing FeedCheckError when it is not valid) and count its items. */
export function countItems(key: string, body: string): number {
  return key.endsWith('.json') ? checkJson(key, body) : checkXml(key, body);
}

function checkJson(key: string, body: string): number {
  let doc: { version?: unknown; items?: { id?: unknown }[] };
  try {
    doc = JSON.parse(body) as typeof doc;
  } catch (err) {
    throw new FeedCheckError(key, `not JSON: ${(err as Error).message}`);
  }
  if (doc.version !== 'https://jsonfeed.org/version/1.1') throw new FeedCheckError(key, 'not JSON Feed 1.1');
  if (!Array.isArray(doc.items)) throw new FeedCheckError(key, 'no items array');
  if (doc.items.some((i) => typeof i.id !== 'string' || i.id === '')) throw new FeedCheckError(key, 'an item has no id');
  return doc.items.length;
}

function checkXml(key: string, body: string): number {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let problem: string | undefined;
  let root: string | undefined;
  let items = 0;
  const path: string[] = [];
  parser.on('error', (err) => {
    problem ??= err.message;
  });
  parser.on('opentag', (tag) => {
    const name = `${tag.uri ?? ''}|${tag.local}`;
    if (path.length === 0) root = name;
    if ((name === '|item' && path.join('/') === '|rss/|channel') || (name === `${ATOM}|entry` && path.length === 1)) items++;
    path.push(name);
  });
  parser.on('closetag', () => {
    path.pop();
  });
  parser.write(body).close();
  if (problem) throw new FeedCheckError(key, `not well-formed XML: ${problem}`);
  if (root !== '|rss' && root !== `${ATOM}|feed`) throw new FeedCheckError(key, 'neither an RSS 2.0 nor an Atom document');
  return items;
}
