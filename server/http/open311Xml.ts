/**
 * GeoReport v2's XML, written by hand: every answer is a root element holding a list of items (or one
 * object), each field an element, `null` an empty element. Array fields are wrapped in their plural
 * with one child per value, named by ITEM_TAGS (`formats` → `format`, as the spec writes them).
 */
const ITEM_TAGS: Record<string, string> = {
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
  service_requests: 'request',
  services: 'service',
  errors: 'error',
};

// characters XML 1.0 cannot carry at all, even escaped (the inputs refuse them; this is the last guard)
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it removes
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Text escaped for an element's content or an attribute's value. */
export function escapeXml(s: string): string {
  return s
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function element(tag: string, value: unknown): string {
  if (value === null || value === undefined) return `<${tag}/>`;
  if (Array.isArray(value)) {
    const item = ITEM_TAGS[tag] ?? 'item';
    return `<${tag}>${value.map((v) => element(item, v)).join('')}</${tag}>`;
  }
  if (typeof value === 'object')
    return `<${tag}>${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join('')}</${tag}>`;
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

/** A whole document: `root` holding `body` (a list of items, named by ITEM_TAGS, or one object's fields). */
export function toXml(root: string, body: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, body)}\n`;
}
