// Request headers of real clients, shared by the local server's and the edge's feed-view tests.

/** What browsers and readers really send (Chromium 13x, Firefox, an old Safari, common readers). */
export const NAVIGATIONS: Record<string, Record<string, string>> = {
  chromium: {
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
    'sec-fetch-dest': 'document',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-site': 'none',
  },
  firefox: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' },
};
export const READERS: Record<string, Record<string, string>> = {
  'a reader naming the feed types': { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8' },
  'a reader taking anything': { accept: '*/*' },
  "a crawler or reader copying a browser's Accept, without Fetch Metadata": { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'user-agent': 'SomeBot/1.0' },
  'a reader sending no Accept': {},
  'a reader that says text/html first but names a feed type': { accept: 'text/html, application/rss+xml;q=0.9' },
  'a web reader fetching from a page': { accept: '*/*', 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors' },
  'a page embedding the feed in a frame': { accept: 'text/html,*/*;q=0.8', 'sec-fetch-dest': 'iframe', 'sec-fetch-mode': 'navigate' },
  'a document-destined request that is no navigation': { accept: 'text/html', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'no-cors' },
};
