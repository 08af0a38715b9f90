import { describe, expect, it } from 'vitest';
import { feedContentHtml, summaryContentHtml } from '../../../functions/core/output/content.ts';
import { article } from '../../helpers/feed-fixture.ts';
import { textOf } from '../../helpers/feeds.ts';

// content.ts: the HTML a feed reader shows for an article, whole or (past the byte budget) as its summary.

const image = { url: 'https://cdn.test/p.jpg?w=800&h=450', alt: 'Tom & "Jerry" <3' };
const full = article(
  'harbour',
  { title: 'Harbour reopens', date: '2025-03-14', summary: 'Ships return & "cheer" <loud>.', image, correction: 'An earlier version gave the wrong date & time.' },
  'The harbour reopened on Friday.\n',
);
const bare = article('storm', { title: 'Storm', date: '2025-03-13' }, 'Winds of 100 km/h.\n');

describe('the whole article in a feed', () => {
  it("reads in the page's order: the standfirst, the lead image, the correction, the story", () => {
    expect(textOf(feedContentHtml(full))).toBe('Ships return & "cheer" <loud>. Correction: An earlier version gave the wrong date & time. The harbour reopened on Friday.');
    const html = feedContentHtml(full);
    expect(html.indexOf('standfirst')).toBeLessThan(html.indexOf('<figure>'));
    expect(html.indexOf('<figure>')).toBeLessThan(html.indexOf('Correction:'));
    expect(html.indexOf('Correction:')).toBeLessThan(html.indexOf('The harbour reopened'));
  });

  it("escapes the editor's text and the image's URL and alt text, so none of them reads as markup", () => {
    const html = feedContentHtml(full);
    expect(html).toContain('<figure><img src="https://cdn.test/p.jpg?w=800&#38;h=450" alt="Tom &#38; &#34;Jerry&#34; &#60;3"></figure>');
    expect(html).toContain('<p class="standfirst"><strong>Ships return &#38; &#34;cheer&#34; &#60;loud&#62;.</strong></p>');
  });

  it('is the story alone when the article has no standfirst, image or correction', () => {
    expect(feedContentHtml(bare)).toBe(bare.html);
  });
});

describe('the summary form, past the byte budget', () => {
  it('gives the summary, the image and the correction, then a link to read the full article on its page', () => {
    // Act
    const html = summaryContentHtml(full);

    // Assess
    expect(textOf(html)).toBe('Ships return & "cheer" <loud>. Correction: An earlier version gave the wrong date & time. Read the full article');
    expect(html).toContain('<figure><img src="https://cdn.test/p.jpg?w=800&#38;h=450"');
    expect(html.endsWith('<p><a href="https://news.test/articles/harbour/">Read the full article</a></p>')).toBe(true);
    expect(html).not.toContain('The harbour reopened');
  });

  it('uses the summary taken from the first paragraph when the editor wrote none', () => {
    expect(summaryContentHtml(bare)).toBe('<p>Winds of 100 km/h.</p>\n<p><a href="https://news.test/articles/storm/">Read the full article</a></p>');
  });
});
