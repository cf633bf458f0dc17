import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from './csv.ts';

describe('reading a CSV file', () => {
  it('reads what a spreadsheet saves: BOM, CRLF, quotes, line breaks in a cell, blank lines', () => {
    const r = parseCsv('\uFEFFindicator,period,value\r\ncpi,2026-10,"103,2"\r\n\r\nx,"a ""b""\nc",1\n');
    expect(r).toEqual({
      records: [
        { line: 1, cells: ['indicator', 'period', 'value'] },
        { line: 2, cells: ['cpi', '2026-10', '103,2'] },
        { line: 4, cells: ['x', 'a "b"\nc', '1'] },
      ],
    });
  });

  it('takes semicolons when the header has no comma, and reads back what toCsv writes', () => {
    expect(parseCsv('a;b\n1;2')).toEqual({
      records: [
        { line: 1, cells: ['a', 'b'] },
        { line: 2, cells: ['1', '2'] },
      ],
    });
    const rows = [{ a: 'x, "y"', b: 'line\r\nbreak' }];
    expect(parseCsv(toCsv(rows, ['a', 'b']))).toEqual({
      records: [
        { line: 1, cells: ['a', 'b'] },
        { line: 2, cells: ['x, "y"', 'line\r\nbreak'] },
      ],
    });
  });

  it('says where a quote is left open', () => {
    expect(parseCsv('a,b\n1,"2\n3')).toEqual({ error: 'a quoted field opened on line 2 is never closed' });
  });
  it('writes numbers rounded as the screens show them: ratios to 3 decimals, other figures to 1', () => {
    const rows = [{ rate: 19 / 22, speed: 31.25, n: 12, neg: -0.0004, big: 1234.56 }];
    expect(toCsv(rows, ['rate', 'speed', 'n', 'neg', 'big'])).toBe(
      '\uFEFFrate,speed,n,neg,big\r\n0.864,31.3,12,0,1234.6\r\n',
    );
  });
});
