import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { cleanText } from './text.ts';

// CommonMark plus tables and strikethrough; raw HTML is allowed in, because the sanitiser below
// decides what survives. No typographer: a reporter's words and quotes stay exactly as written.
const markdown = new MarkdownIt({ html: true, linkify: false, typographer: false });

/** What an article may contain: text structure, links, images, tables. No scripts, frames, forms or styles. */
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'blockquote',
    'ul',
    'ol',
    'li',
    'dl',
    'dt',
    'dd',
    'hr',
    'br',
    'a',
    'em',
    'strong',
    'b',
    'i',
    'u',
    's',
    'del',
    'ins',
    'mark',
    'small',
    'sub',
    'sup',
    'abbr',
    'cite',
    'q',
    'code',
    'pre',
    'kbd',
    'samp',
    'var',
    'time',
    'span',
    'figure',
    'figcaption',
    'img',
    'aside',
    'table',
    'caption',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'hreflang'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    abbr: ['title'],
    time: ['datetime'],
    blockquote: ['cite'],
    q: ['cite'],
    ol: ['start', 'reversed'],
    th: ['colspan', 'rowspan', 'scope'],
    td: ['colspan', 'rowspan'],
    code: ['class'],
  },
  allowedClasses: { code: [/^language-[a-z0-9+#-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  // script, style, textarea and the like lose their content too; other unknown tags keep their text.
  disallowedTagsMode: 'discard',
  enforceHtmlBoundary: false,
  parser: { lowerCaseTags: true, lowerCaseAttributeNames: true },
};

/**
 * Markdown to the HTML every output shares: rendered, sanitised with an allow-list, and with every
 * relative link made absolute against the article's own URL, since feed readers have no base URL.
 */
export function renderArticleHtml(body: string, articleUrl: string): string {
  const rendered = markdown.render(body);
  const html = sanitizeHtml(rendered, {
    ...SANITIZE,
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: absolutise(attribs, 'href', articleUrl) }),
      img: (tagName, attribs) => ({ tagName, attribs: absolutise(attribs, 'src', articleUrl) }),
    },
  });
  // Entities in raw HTML (&#1;) are decoded by the parser and written back as characters.
  return cleanText(html).trim();
}

/** Resolve a URL against the article's own; an unparsable one is dropped rather than shipped broken. */
export function absoluteUrl(value: string, base: string): string | undefined {
  try {
    return new URL(value.trim(), base).href;
  } catch {
    return undefined;
  }
}

function absolutise(attribs: sanitizeHtml.Attributes, name: string, base: string): sanitizeHtml.Attributes {
  const value = attribs[name];
  if (value === undefined) return attribs;
  const { [name]: _dropped, ...rest } = attribs;
  // Protocol-relative and scheme-bearing URLs are left for the scheme allow-list to judge.
  if (/^\s*\/\//.test(value)) return rest;
  const absolute = absoluteUrl(value, base);
  return absolute === undefined ? rest : { ...rest, [name]: absolute };
}

/** Plain text of sanitised HTML, for derived summaries and meta descriptions. */
function htmlToText(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&') // last, so "&amp;lt;" stays "&lt;"
    .replace(/\s+/g, ' ')
    .trim();
}

/** The first paragraph's text, cut at a word near `max` characters: a summary when none is given. */
export function excerpt(html: string, max = 280): string {
  const first = /<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? html;
  const text = htmlToText(first);
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}
