import { describe, expect, it } from 'vitest';
import { CATEGORY_NAMES } from '#contract/incidentsApi.ts';
import { INCIDENT_CATEGORIES } from '#contract/vocab.ts';
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

  it('names the categories as the contract does, the names Open311 serves: one vocabulary on every page', () => {
    for (const c of INCIDENT_CATEGORIES) {
      expect(vi[`cat.${c}`], c).toBe(CATEGORY_NAMES[c].vi);
      expect(en[`cat.${c}`], c).toBe(CATEGORY_NAMES[c].en);
    }
    // no page file names a category again on its own (common.ts takes them from the contract)
    const own = Object.entries(PAGES).flatMap(([page, m]) =>
      Object.keys(m.vi)
        .filter((k) => k.startsWith('cat.'))
        .map((k) => `${page}:${k}`),
    );
    expect(own.sort()).toEqual(INCIDENT_CATEGORIES.map((c) => `common:cat.${c}`).sort());
  });

  it('writes each unit once (unit.*): other messages take it as a {placeholder}', () => {
    for (const dict of [vi, en] as Array<Record<string, string>>) {
      const unitKmh = dict['unit.kmh'];
      const again = Object.entries(dict).filter(([k, v]) => k !== 'unit.kmh' && v.includes(unitKmh));
      expect(again).toEqual([]);
    }
    const unitKeys = Object.entries(PAGES).flatMap(([page, m]) =>
      Object.keys(m.vi)
        .filter((k) => /(^|\.)unit\./.test(k))
        .map((k) => `${page}:${k}`),
    );
    expect(
      unitKeys.every((k) => k.startsWith('common:') || k === 'console:unit.perSec'),
      unitKeys.join(),
    ).toBe(true);
  });
});
