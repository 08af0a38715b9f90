import { type Article, parseArticle } from '../../functions/core/article/article.ts';
import { buildFeeds } from '../../functions/core/output/feeds.ts';
import { articleText, testSettings } from './content.ts';

/**
 * The two stories the feed writers' tests read back (feeds.test.ts, atom.test.ts, json-feed.test.ts,
 * check.test.ts, feed-scope.test.ts, groups.test.ts): a corrected one with two authors and two tags, and a
 * plain one given only a day, on a site with a desk author and a copyright line.
 */
export const settings = testSettings({ author: { name: 'The Desk', email: 'desk@news.test' }, copyright: '© Test Wire' });
export const article = (name: string, fields: Record<string, unknown>, body?: string): Article => parseArticle(`articles/${name}.md`, Buffer.from(articleText(fields, body)), settings);

export const corrected = article(
  'budget-vote',
  {
    title: 'Budget vote passes',
    date: '2025-03-14T09:30:00Z',
    updated: '2025-03-15T08:00:00Z',
    summary: 'MPs approved the budget.',
    tags: ['Politics', 'Economy'],
    authors: [{ name: 'Ada Reporter' }, { name: 'Bo Editor', email: 'bo@news.test', url: 'https://news.test/bo/' }],
  },
  'The budget passed [by a vote](results/) on Friday.\n',
);
export const plain = article('storm-warning', { title: 'Storm warning', date: '2025-03-13' }, 'Winds of 100 km/h are expected.\n');
/** The site's three feeds of the two, newest first. */
export const feeds = buildFeeds([corrected, plain], settings);
