import { describe, expect, it } from 'vitest';
import { el, escapeXml, serialize, xmlDocument } from '../../../functions/core/output/xml.ts';
import { parseXmlStrict } from '../../helpers/feeds.ts';

// xml.ts: the small XML writer behind Atom and RSS's channel elements; every value escaped in one place.

const NASTY = `Q&A: "quotes" 'single' <b>bold</b> ]]> &amp; 📰`;

describe('escaped XML text', () => {
  it('has &, <, >, " and \' as entities, so a value is safe in text and in either quoting', () => {
    expect(escapeXml(NASTY)).toBe('Q&amp;A: &quot;quotes&quot; &apos;single&apos; &lt;b&gt;bold&lt;/b&gt; ]]&gt; &amp;amp; 📰');
  });
});

describe('a serialised element', () => {
  it('reads back exactly what was put in its attributes and its text', () => {
    // Act
    const doc = parseXmlStrict(xmlDocument(el('root', { a: NASTY, n: 42 }, el('child', { b: NASTY }, NASTY))));

    // Assess
    expect(doc.root['@_a']).toBe(NASTY);
    expect(doc.root['@_n']).toBe('42');
    expect(doc.root.child['@_b']).toBe(NASTY);
    expect(doc.root.child['#text']).toBe(NASTY);
  });

  it('leaves out attributes without a value and children that are undefined or false', () => {
    expect(serialize(el('link', { rel: 'self', title: undefined }, undefined, false))).toBe('<link rel="self"/>');
    expect(serialize(el('entry', {}, false, el('id', {}, 'x'), undefined))).toBe('<entry>\n  <id>x</id>\n</entry>');
  });

  it('keeps an element of text alone on one line, and indents nested elements two spaces a level', () => {
    // Act
    const xml = serialize(el('feed', { xmlns: 'urn:x' }, el('title', {}, 'A ', 'B'), el('author', {}, el('name', {}, 'Ada')), 'tail'), 1);

    // Assess
    expect(xml).toBe(['  <feed xmlns="urn:x">', '    <title>A B</title>', '    <author>', '      <name>Ada</name>', '    </author>', '    tail', '  </feed>'].join('\n'));
  });

  it('makes a document with the XML declaration, ending in a line break', () => {
    expect(xmlDocument(el('feed'))).toBe('<?xml version="1.0" encoding="utf-8"?>\n<feed/>\n');
  });
});
