import { describe, expect, it } from 'vitest';
import { type BreakdownLabel, breakdownNames } from './indicatorVocab.ts';

const LABELS: readonly BreakdownLabel[] = Object.freeze([
  { dimension: 'topic', code: 'giao-thong', nameVi: 'Giao thông', nameEn: 'Traffic' },
  { dimension: 'source', code: 'news', nameVi: 'Báo điện tử', nameEn: 'Online news' },
  // the same code under the other dimension is another name
  { dimension: 'source', code: 'giao-thong', nameVi: 'Cổng Sở GTVT', nameEn: 'Transport portal' },
]);

describe('breakdownNames', () => {
  const name = breakdownNames(LABELS);

  it("names a topic or source code in the reader's language", () => {
    expect(name('topic', 'giao-thong', 'vi')).toBe('Giao thông');
    expect(name('topic', 'giao-thong', 'en')).toBe('Traffic');
    expect(name('source', 'news', 'vi')).toBe('Báo điện tử');
    expect(name('source', 'news', 'en')).toBe('Online news');
  });

  it('reads the name of the dimension asked, not of a like code under the other', () => {
    expect(name('source', 'giao-thong', 'vi')).toBe('Cổng Sở GTVT');
    expect(name('topic', 'news', 'en')).toBe('news');
  });

  it('shows a code without a name as sent, in both languages', () => {
    expect(name('topic', 'le-hoi', 'vi')).toBe('le-hoi');
    expect(name('source', 'zalo', 'en')).toBe('zalo');
    expect(breakdownNames([])('topic', 'giao-thong', 'vi')).toBe('giao-thong');
  });
});
