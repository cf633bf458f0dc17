import { describe, expect, it } from 'vitest';
import { en, PAGES, vi } from './messages.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('messages', () => {
  it('puts each key in one page file only (a second would silently win when they are merged)', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [page, m] of Object.entries(PAGES)) {
      for (const key of Object.keys(m.vi)) {
        const other = seen.get(key);
        if (other) twice.push(`${key}: ${other} and ${page}`);
        seen.set(key, page);
      }
    }
    expect(twice).toEqual([]);
    expect(seen.size).toBe(Object.keys(vi).length);
  });

  it('has every message in both languages, with the same placeholders', () => {
    for (const [page, m] of Object.entries(PAGES)) {
      const viKeys = Object.keys(m.vi).sort();
      expect(Object.keys(m.en).sort(), page).toEqual(viKeys);
      for (const key of viKeys) {
        const v = (m.vi as Record<string, string>)[key];
        const e = (m.en as Record<string, string>)[key];
        expect(v.trim(), `${page} vi ${key}`).not.toBe('');
        expect(e.trim(), `${page} en ${key}`).not.toBe('');
        expect(placeholders(e), `${page} ${key}`).toEqual(placeholders(v));
      }
    }
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
  });
});
