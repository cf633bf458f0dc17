// CSV as RFC 4180 has it, for the server (exports, the indicator import) and the admin page (a preview of
// the file the import will read, line by line as the import numbers it).

/**
 * A number as the screens show it: a ratio (below 1) to three decimals, the percent with one decimal
 * that the dashboard writes (0.8636… → 0.864, "86,4%"); any other figure to one decimal (a speed, an
 * average: 31.25 → 31.3); whole numbers as they are. No 0.8636363636363636 in a spreadsheet.
 */
export function roundAsShown(n: number): number {
  if (!Number.isFinite(n) || Number.isInteger(n)) return n;
  return Number(n.toFixed(Math.abs(n) < 1 ? 3 : 1));
}

/** One CSV field: null/undefined empty, numbers rounded as shown, quoted when it must be (RFC 4180). */
function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s =
    typeof v === 'string'
      ? v
      : typeof v === 'number'
        ? String(roundAsShown(v))
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Rows as CSV with a header of `columns`: UTF-8 with a byte-order mark (so Excel reads Vietnamese),
 * CRLF line ends, the values as the JSON has them but numbers rounded as the screens show them.
 */
export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => field(r[c])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** A record of a CSV file read by `parseCsv`: its cells and the line it starts on (the header is line 1). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * Reads CSV text (RFC 4180: quoted fields with "" for a quote and line breaks inside, CRLF or LF, a UTF-8
 * byte-order mark ignored). The separator is a comma, or a semicolon when the first line has semicolons and
 * no comma (a spreadsheet in a locale whose decimal mark is the comma). Blank lines are skipped. An error
 * message for a quote left open.
 */
export function parseCsv(input: string): { records: CsvRecord[] } | { error: string } {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const sep = !firstLine.includes(',') && firstLine.includes(';') ? ';' : ',';
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let any = false;
  const endRecord = () => {
    cells.push(cell);
    if (any || cells.length > 1 || cell !== '') records.push({ line: start, cells });
    cells = [];
    cell = '';
    any = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      any = true;
    } else if (c === sep) {
      cells.push(cell);
      cell = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) return { error: `a quoted field opened on line ${start} is never closed` };
  endRecord();
  return { records };
}
