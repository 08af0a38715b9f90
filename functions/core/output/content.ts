import type { Article } from '../article/article.ts';
import { escapeHtml } from '../article/text.ts';

/**
 * The HTML a feed reader shows, in the article page's order: the standfirst (when the author wrote one;
 * readers hide the summary once there is full content), the lead image, the correction note, the story.
 */
export function feedContentHtml(article: Article): string {
  const parts: string[] = [];
  if (article.standfirst) parts.push(`<p class="standfirst"><strong>${escapeHtml(article.standfirst)}</strong></p>`);
  if (article.image) parts.push(`<figure><img src="${escapeHtml(article.image.url)}" alt="${escapeHtml(article.image.alt)}"></figure>`);
  if (article.correction) parts.push(`<p><strong>Correction:</strong> ${escapeHtml(article.correction)}</p>`);
  parts.push(article.html);
  return parts.join('\n');
}

/**
 * What a reader shows for an article past its feed's byte budget (feed-budget.ts): the summary, the lead
 * image and any correction, as in the full form, then a link to the article's page, so the reader sees
 * that the story goes on and where to read it.
 */
export function summaryContentHtml(article: Article): string {
  const parts = [`<p>${escapeHtml(article.summary)}</p>`];
  if (article.image) parts.push(`<figure><img src="${escapeHtml(article.image.url)}" alt="${escapeHtml(article.image.alt)}"></figure>`);
  if (article.correction) parts.push(`<p><strong>Correction:</strong> ${escapeHtml(article.correction)}</p>`);
  parts.push(`<p><a href="${escapeHtml(article.url)}">Read the full article</a></p>`);
  return parts.join('\n');
}
