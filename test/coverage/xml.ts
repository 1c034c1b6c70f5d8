/** An element as the well-formedness check read it: its name, attributes and decoded text children. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
}

const name = '[A-Za-z_][\\w.:-]*';
const token = new RegExp(
  `<!--[\\s\\S]*?-->|<\\?[\\s\\S]*?\\?>|</(${name})\\s*>|<(${name})((?:\\s+${name}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>|<|[^<]+`,
  'g',
);
const attribute = new RegExp(`(${name})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
const badAmpersand = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string, where: string): string {
  if (badAmpersand.test(text)) throw new Error(`unescaped & in ${where}: ${text.slice(0, 60)}`);
  return text.replace(/&(\w+);/g, (_, entity: string) => entities[entity] ?? '');
}

function readAttributes(source: string, tag: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [, key, double, single] of source.matchAll(attribute)) {
    const value = double ?? single ?? '';
    if (key === undefined || key in attributes) throw new Error(`duplicate attribute ${key} on <${tag}>`);
    if (value.includes('<')) throw new Error(`< in attribute ${key} of <${tag}>`);
    attributes[key] = decode(value, `attribute ${key} of <${tag}>`);
  }
  return attributes;
}

/**
 * A small XML well-formedness check for tests (no DTDs or CDATA, which Vigil never writes): one
 * root element, tags balanced and properly nested, attributes quoted and unique, `<` and `&` only
 * as markup or entities. Throws an Error describing the first problem; returns every element in
 * document order otherwise.
 */
export function parseWellFormedXml(document: string): XmlElement[] {
  const open: XmlElement[] = [];
  const elements: XmlElement[] = [];
  let roots = 0;
  for (const [whole, closing, opening, attributeSource, selfClosing] of document.matchAll(token)) {
    if (whole === '<') throw new Error('a < that starts no tag');
    if (whole.startsWith('<!--') || whole.startsWith('<?')) continue;
    if (closing !== undefined) {
      const top = open.pop();
      if (top?.name !== closing) throw new Error(`</${closing}> closes <${top?.name ?? 'nothing'}>`);
    } else if (opening !== undefined) {
      if (open.length === 0 && ++roots > 1) throw new Error(`a second root element <${opening}>`);
      const element = { name: opening, attributes: readAttributes(attributeSource ?? '', opening), text: '' };
      elements.push(element);
      if (selfClosing !== '/') open.push(element);
    } else {
      const parent = open.at(-1);
      if (parent === undefined && whole.trim() !== '')
        throw new Error(`text outside the root: ${whole.trim()}`);
      if (parent !== undefined) parent.text += decode(whole, `<${parent.name}>`);
    }
  }
  if (open.length > 0) throw new Error(`<${open.at(-1)?.name}> is never closed`);
  if (roots === 0) throw new Error('no root element');
  return elements;
}
