import { describe, expect, it } from 'vitest';
import { noFormula } from './adminRouter.ts';

describe('audit export', () => {
  it('keeps a spreadsheet from running a cell as a formula', () => {
    expect(noFormula('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`);
    expect(noFormula('nguyen.van.a')).toBe('nguyen.van.a');
  });
});
