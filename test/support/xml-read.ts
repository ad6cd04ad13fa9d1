/**
 * A small, strict XML reader for tests that parse generated XML back (JUnit reports).
 * It understands the subset sgaudit writes: a declaration, elements, attributes in double
 * quotes, text and the five predefined entities plus numeric references. Anything else
 * (an unescaped `<` or `&`, a mismatched tag) throws, which is the point.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string, at: number): string {
  return text.replace(/&([^;]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new Error(`bare & near offset ${at}`);
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    const v = ENTITIES[name];
    if (v === undefined) throw new Error(`unknown entity &${name}; near offset ${at}`);
    return v;
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const skipSpace = (): void => {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
  };
  skipSpace();
  if (xml.startsWith('<?xml', i)) {
    const end = xml.indexOf('?>', i);
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const element = (): XmlElement => {
    skipSpace();
    const open = /^<([A-Za-z_][\w.-]*)/.exec(xml.slice(i));
    if (!open) throw new Error(`expected an element at offset ${i}`);
    const el: XmlElement = { name: open[1]!, attributes: {}, children: [], text: '' };
    i += open[0].length;
    for (;;) {
      skipSpace();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      const attr = /^([A-Za-z_][\w.:-]*)="([^"<]*)"/.exec(xml.slice(i));
      if (!attr) throw new Error(`malformed attribute at offset ${i}`);
      if (attr[1]! in el.attributes) throw new Error(`duplicate attribute ${attr[1]}`);
      el.attributes[attr[1]!] = decode(attr[2]!, i);
      i += attr[0].length;
    }
    for (;;) {
      const next = xml.indexOf('<', i);
      if (next < 0) throw new Error(`unterminated element <${el.name}>`);
      const text = xml.slice(i, next);
      if (text.includes('>')) throw new Error(`unescaped > in text at offset ${i}`);
      el.text += decode(text, i);
      i = next;
      if (xml.startsWith(`</${el.name}>`, i)) {
        i += el.name.length + 3;
        return el;
      }
      if (xml.startsWith('</', i)) throw new Error(`mismatched closing tag at offset ${i} inside <${el.name}>`);
      el.children.push(element());
    }
  };
  const root = element();
  skipSpace();
  if (i !== xml.length) throw new Error(`content after the root element at offset ${i}`);
  return root;
}
