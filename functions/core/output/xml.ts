/**
 * A minimal XML writer for Atom, which wirefeed writes itself (see atom.ts). Every text node and
 * attribute value is escaped here, in one place: & < > " and ' (so a value is safe in any quoting).
 */
export type Node = string | Element | undefined | false;
export interface Element {
  name: string;
  attrs?: Record<string, string | number | undefined>;
  children?: Node[];
}

export function el(name: string, attrs: Element['attrs'] = {}, ...children: Node[]): Element {
  return { name, attrs, children };
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Serialise with two-space indentation; an element with only text stays on one line. */
export function serialize(node: Element, depth = 0): string {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(node.attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  const children = (node.children ?? []).filter((c): c is string | Element => c !== undefined && c !== false);
  if (children.length === 0) return `${pad}<${node.name}${attrs}/>`;
  if (children.every((c) => typeof c === 'string')) return `${pad}<${node.name}${attrs}>${escapeXml(children.join(''))}</${node.name}>`;
  const inner = children.map((c) => (typeof c === 'string' ? `${pad}  ${escapeXml(c)}` : serialize(c, depth + 1))).join('\n');
  return `${pad}<${node.name}${attrs}>\n${inner}\n${pad}</${node.name}>`;
}

export function xmlDocument(root: Element): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${serialize(root)}\n`;
}
