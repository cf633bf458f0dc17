import { describe, expect, it } from 'vitest';
import type { UnitItem } from '#contract/units.ts';
import { unitKey, unitLabel, unitPoints } from './unitLayer.ts';

const NOW = Date.UTC(2026, 11, 5, 8, 0);
const unit = (id: string, over: Partial<UnitItem> = {}): UnitItem =>
  Object.freeze({
    id,
    name: `Tổ ${id}`,
    kind: 'patrol',
    lat: 16.05,
    lon: 108.2,
    ts: NOW - 10_000,
    status: 'available',
    linked: false,
    onDuty: true,
    updatedAt: NOW - 10_000,
    ...over,
  }) as UnitItem;

describe('units on the map', () => {
  it('draws units on duty with a position, stale ones under fresh ones', () => {
    const pts = unitPoints(
      [
        unit('b'),
        unit('a', { ts: NOW - 3 * 60_000 }),
        unit('off', { onDuty: false }),
        unit('nowhere', { lat: undefined, lon: undefined, ts: undefined }),
      ],
      NOW,
    );
    expect(pts.map((p) => [p.id, p.stale, p.ageMin])).toEqual([
      ['a', true, 3],
      ['b', false, 0],
    ]);
  });

  it('turns stale two minutes after the last position, without a new message', () => {
    const u = unit('a', { ts: NOW });
    expect(unitPoints([u], NOW + 120_000)[0].stale).toBe(false);
    expect(unitPoints([u], NOW + 120_001)[0].stale).toBe(true);
  });

  it('labels a tag with its status glyph and name, and a stale one with its age in minutes', () => {
    const [fresh] = unitPoints([unit('1', { status: 'dispatched' })], NOW);
    expect(unitLabel(fresh)).toBe('➜ Tổ 1');
    const [old] = unitPoints([unit('1', { status: 'on_scene', ts: NOW - 5 * 60_000 })], NOW);
    expect(unitLabel(old)).toBe('⚑ Tổ 1 · 5′');
    const [long] = unitPoints([unit('1', { name: 'Đội cảnh sát cơ động số 12' })], NOW);
    expect(unitLabel(long)).toBe('✓ Đội cảnh sát…');
  });

  it('changes its key when a unit moves or changes status, not when only time passes while fresh', () => {
    const k = unitKey(unitPoints([unit('a')], NOW));
    expect(unitKey(unitPoints([unit('a')], NOW + 5000))).toBe(k);
    expect(unitKey(unitPoints([unit('a', { lat: 16.051 })], NOW))).not.toBe(k);
    expect(unitKey(unitPoints([unit('a', { status: 'on_scene' })], NOW))).not.toBe(k);
  });
});
