import { describe, expect, it } from 'vitest';
import { renderArticleHtml } from '../../../functions/core/article/html.ts';

const URL_OF_ARTICLE = 'https://news.test/articles/budget-vote/';
const render = (markdown: string) => renderArticleHtml(markdown, URL_OF_ARTICLE);

describe('article HTML', () => {
  it('renders CommonMark: headings, emphasis, lists, quotes and code', () => {
    const html = render('## Sub\n\nSome *em* and **strong**.\n\n- one\n- two\n\n> quoted\n\n`code`\n');
    expect(html).toContain('<h2>Sub</h2>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('<strong>strong</strong>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<code>code</code>');
  });

  it("keeps a reporter's quotes and dashes exactly as written", () => {
    expect(render('"All is well!" -- he said... 1.30 a.m.')).toBe('<p>"All is well!" -- he said... 1.30 a.m.</p>');
  });

  it.each([
    ['a script and its text', '<script>alert(1)</script>Safe', 'Safe', /script|alert/],
    ['event handlers', '<img src="a.png" onerror="alert(1)">', 'src="https://news.test/articles/budget-vote/a.png"', /onerror/],
    ['javascript: links (left as inert text)', '[click](javascript:alert(1))', 'click', /href/i],
    ['javascript: links hidden with entities and case', '<a href="JaVaScRiPt&#58;alert(1)">x</a>', 'x', /javascript|alert/i],
    ['iframes', '<iframe src="https://evil.test/"></iframe>After', 'After', /iframe|evil/],
    ['style attributes that could cover the page', '<p style="position:fixed;inset:0">Text</p>', '<p>Text</p>', /style|fixed/],
    ['style elements', '<style>body{display:none}</style>Text', 'Text', /style|display/],
    ['forms and inputs', '<form action="https://evil.test"><input name=x></form>Text', 'Text', /form|input|evil/],
    ['data: images', '<img src="data:image/png;base64,AAAA" alt="x">', 'alt="x"', /data:/],
    ['protocol-relative links', '<a href="//evil.test/x">x</a>', '<a>x</a>', /evil/],
    ['object and embed', '<object data="x.swf"></object><embed src="x.swf">Text', 'Text', /object|embed|swf/],
  ])('removes %s', (_name, markdown, kept, gone) => {
    const html = render(markdown);
    expect(html).toContain(kept);
    expect(html).not.toMatch(gone);
  });

  it("makes relative links and images absolute against the article's own URL", () => {
    const html = render('[up](../other/) [here](photo.jpg) [root](/about/) [frag](#part) ![alt](img/a.png)');
    expect(html).toContain('href="https://news.test/articles/other/"');
    expect(html).toContain('href="https://news.test/articles/budget-vote/photo.jpg"');
    expect(html).toContain('href="https://news.test/about/"');
    expect(html).toContain('href="https://news.test/articles/budget-vote/#part"');
    expect(html).toContain('src="https://news.test/articles/budget-vote/img/a.png"');
  });

  it('keeps absolute http, https and mailto links as they are', () => {
    const html = render('[a](https://example.org/x?y=1&z=2) [b](mailto:desk@example.org)');
    expect(html).toContain('href="https://example.org/x?y=1&amp;z=2"');
    expect(html).toContain('href="mailto:desk@example.org"');
  });

  it('never lets "]]>" through unescaped, even from raw HTML attributes', () => {
    const html = render('<abbr title="]]>">x</abbr> and text ]]> here');
    expect(html).not.toContain(']]>');
  });
});
