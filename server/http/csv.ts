/** One CSV field: null/undefined empty, numbers as JSON writes them, quoted when it must be (RFC 4180). */
function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Rows as CSV with a header of `columns`: UTF-8 with a byte-order mark (so Excel reads Vietnamese),
 * CRLF line ends, the values exactly as the JSON has them.
 */
export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => field(r[c])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
