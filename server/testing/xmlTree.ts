/** An element: its name, its child elements, and its text (entities decoded). */
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.-]*$/;

function decode(s: string, at: number): string {
  if (/[<]/.test(s)) throw new Error(`"<" in text at ${at}`);
  return s.replace(/&([^;]*);|&/g, (m, e: string | undefined) => {
    if (e === undefined) throw new Error(`bare "&" at ${at}`);
    if (e in ENTITIES) return ENTITIES[e];
    const n = /^#x([0-9a-f]+)$/i.exec(e) ?? /^#(\d+)$/.exec(e);
    if (!n) throw new Error(`unknown entity ${m} at ${at}`);
    return String.fromCodePoint(Number.parseInt(n[1], e.startsWith('#x') ? 16 : 10));
  });
}

/**
 * A strict reader of the XML the Open311 routes write (elements, text, entities; no attributes, no
 * DTD): throws on anything not well-formed (a tag left open, a bare `&`, a control character, two roots).
 */
export function parseXml(doc: string): XmlNode {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 refuses them
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(doc)) throw new Error('a control character');
  let s = doc.replace(/^\uFEFF/, '');
  const decl = /^<\?xml[^?]*\?>\s*/.exec(s);
  if (decl) s = s.slice(decl[0].length);
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const textEnd = lt < 0 ? s.length : lt;
    const text = s.slice(i, textEnd);
    if (stack.length) stack[stack.length - 1].text += decode(text, i);
    else if (text.trim()) throw new Error(`text outside the root at ${i}`);
    if (lt < 0) break;
    const gt = s.indexOf('>', lt);
    if (gt < 0) throw new Error(`unclosed tag at ${lt}`);
    const tag = s.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim())
        throw new Error(`</${tag.slice(1)}> closes nothing open`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const name = (selfClosing ? tag.slice(0, -1) : tag).trim();
    if (!NAME.test(name)) throw new Error(`bad tag <${tag}> at ${lt}`);
    const node: XmlNode = { name, children: [], text: '' };
    if (stack.length) stack[stack.length - 1].children.push(node);
    else if (root) throw new Error('a second root element');
    else root = node;
    if (!selfClosing) stack.push(node);
  }
  if (stack.length) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** An element's leaf children as a record of their texts (what a JSON object of the same answer holds). */
export function leaves(n: XmlNode): Record<string, string> {
  return Object.fromEntries(n.children.filter((c) => c.children.length === 0).map((c) => [c.name, c.text]));
}
