import { articleText } from './content.ts';

/**
 * Long articles for the feed-budget tests: plain prose paragraphs, deterministic (article i is the same
 * bytes every run), each file near `bytes` (the input limit is 2 MB, 2,097,152 bytes). Every paragraph
 * opens with a marker (`A3-P17`), so a test can tell the whole story (its last marker) from its summary.
 */
const WORDS = ['council', 'budget', 'harbour', 'minister', 'vote', 'storm', 'river', 'school', 'market', 'court', 'report', 'station', 'bridge', 'election', 'rail', 'hospital'];

export function longArticle(i: number, fields: Record<string, unknown>, bytes = 1_950_000): { text: string; lastMarker: string } {
  const paragraphs: string[] = [];
  let size = 0;
  while (size < bytes - 2_000) {
    const n = paragraphs.length;
    const paragraph = `A${i}-P${n} ${Array.from({ length: 80 }, (_, w) => WORDS[(i * 7 + n * 3 + w * 5) % WORDS.length]).join(' ')}.`;
    paragraphs.push(paragraph);
    size += paragraph.length + 2;
  }
  const text = articleText({ summary: `Long read ${i}: the council's budget, in full.`, ...fields }, `${paragraphs.join('\n\n')}\n`);
  return { text, lastMarker: `A${i}-P${paragraphs.length - 1} ` };
}
