import type { Article } from './article.ts';
import { escapeHtml } from './text.ts';

/** The HTML a feed reader shows: the lead image, the correction note, then the story. */
export function feedContentHtml(article: Article): string {
  const parts: string[] = [];
  if (article.image) parts.push(`<figure><img src="${escapeHtml(article.image.url)}" alt="${escapeHtml(article.image.alt)}"></figure>`);
  if (article.correction) parts.push(`<p><strong>Correction:</strong> ${escapeHtml(article.correction)}</p>`);
  parts.push(article.html);
  return parts.join('\n');
}
