import { ArticleError } from '../errors.ts';

/**
 * Bytes to clean text. UTF-8 (with or without BOM) and UTF-16 with a BOM are decoded correctly;
 * anything else is an error that names the encoding problem, rather than mojibake in a feed.
 */
export function decodeText(file: string, bytes: Uint8Array): string {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      const at = firstBadUtf8(bytes);
      throw new ArticleError(file, `is not UTF-8 text: byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at offset ${at} (it looks like Latin-1 or Windows-1252); save the file as UTF-8`);
    }
  }
  return cleanText(text);
}

// XML 1.0 forbids C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF; `feed` passes them
// through, so they are removed once, here, before any output format sees them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching exactly these control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
// Half a surrogate pair (a YAML "\uD800" escape) is no character at all: no encoder can write it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Line endings to LF, XML-forbidden characters removed, a lone surrogate replaced by U+FFFD, Unicode in
 * NFC (one spelling per character).
 */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(FORBIDDEN, '').replace(LONE_SURROGATE, '\uFFFD').normalize('NFC');
}

/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Where decoding failed: the first byte that does not start a well-formed UTF-8 sequence. */
function firstBadUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i] ?? 0;
    const tail = lead < 0x80 ? 0 : lead >= 0xc2 && lead < 0xe0 ? 1 : lead >= 0xe0 && lead < 0xf0 ? 2 : lead >= 0xf0 && lead < 0xf5 ? 3 : -1;
    if (tail < 0) return i;
    for (let k = 1; k <= tail; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += tail + 1;
  }
  return 0;
}
