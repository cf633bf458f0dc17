import { describe, expect, it } from 'vitest';
import { formatPct, indicatorPhrase } from './format.ts';
import { en, vi } from './messages.ts';

describe('percent, written one way', () => {
  it('puts the sign right after the number, in the reader’s digits, in figures and in phrases', () => {
    expect(formatPct('vi', 2.24, 1)).toBe('2,2%');
    expect(formatPct('en', 2.24, 1)).toBe('2.2%');
    expect(indicatorPhrase('vi', 8.5, 'percent')).toBe('8,5%');
    expect(indicatorPhrase('en', 8.5, 'percent')).toBe('8.5%');
    // other units keep their word after a space
    expect(indicatorPhrase('vi', 1234, 'dossier')).toBe(`1.234 ${vi['unit.dossier']}`);
    expect(indicatorPhrase('en', null, 'percent')).toBe('—');
  });

  it('has no message with a space before a percent sign', () => {
    for (const dict of [vi, en] as Array<Record<string, string>>) {
      const spaced = Object.entries(dict).filter(([, v]) => /[\d}] %/.test(v));
      expect(spaced).toEqual([]);
    }
  });
});
