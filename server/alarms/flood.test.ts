import { describe, expect, it } from 'vitest';
import type { AlarmPriority } from '#contract/alarms.ts';
import { ALARM_RULE_DEFAULTS } from '#contract/alarms.ts';
import { type FloodState, floodInit, floodStep, inFlood } from './flood.ts';
import { type AlarmActivation, type AlarmClear, type AlarmSignal, activation, clearOf } from './signals.ts';

const M = 60_000;
const T0 = Date.UTC(2026, 10, 23, 1);

const jam = (seg: string, ward: string | null, at: number, priority?: AlarmPriority): AlarmActivation =>
  activation(
    ALARM_RULE_DEFAULTS.road_jam,
    `road_jam:${seg}`,
    at,
    { assetId: seg, wardId: ward, lat: null, lon: null },
    { segment: seg },
    priority,
  );
const clear = (seg: string, at: number): AlarmClear => clearOf('road_jam', `road_jam:${seg}`, at);

/** What the operator's list shows at the top level: alarms with no parent, and the parents. */
class OperatorView {
  parentOf = new Map<string, string | null>();
  active = new Set<string>();
  announced = 0;
  state: FloodState = floodInit();
  step(signals: AlarmSignal[], now: number) {
    const r = floodStep(this.state, signals, now);
    this.state = r.state;
    for (const s of signals) s.type === 'activate' ? this.active.add(s.key) : this.active.delete(s.key);
    for (const d of r.decisions) this.parentOf.set(d.key, d.parentKey);
    for (const a of r.adopted) this.parentOf.set(a.key, a.parentKey);
    for (const p of r.parents) this.active.add(p.key);
    for (const k of r.closed) this.active.delete(k);
    this.announced +=
      r.decisions.filter((d) => d.announce).length + r.parents.filter((p) => p.announce).length;
    return r;
  }
  topLevel(): string[] {
    return [...this.active].filter((k) => !this.parentOf.get(k));
  }
}

describe('flood groups', () => {
  it('turns 200 jammed segments of one ward into one parent with 200 children', () => {
    const v = new OperatorView();
    const burst = Array.from({ length: 200 }, (_, i) => jam(`s${i}`, 'w1', T0));
    const r = v.step(burst, T0);
    expect(r.decisions).toHaveLength(200);
    expect(r.decisions.every((d) => d.parentKey === 'flood:road_jam:w1' && !d.announce)).toBe(true);
    expect(r.parents).toEqual([
      {
        key: 'flood:road_jam:w1',
        rule: 'road_jam',
        wardId: 'w1',
        count: 200,
        priority: 3,
        opened: true,
        announce: true,
      },
    ]);
    expect(v.topLevel()).toEqual(['flood:road_jam:w1']);
    expect(v.announced).toBe(1);
  });

  it('adopts the alarms raised before the group formed; the operator sees at most 5 in all', () => {
    const v = new OperatorView();
    v.step([jam('a', 'w1', T0)], T0);
    v.step([jam('b', 'w1', T0 + M)], T0 + M);
    expect(v.topLevel().sort()).toEqual(['road_jam:a', 'road_jam:b']);
    const r = v.step([jam('c', 'w1', T0 + 2 * M)], T0 + 2 * M);
    expect(r.adopted).toEqual([
      { key: 'road_jam:a', parentKey: 'flood:road_jam:w1' },
      { key: 'road_jam:b', parentKey: 'flood:road_jam:w1' },
    ]);
    expect(r.parents).toMatchObject([{ count: 3, opened: true }]);
    for (let i = 0; i < 50; i++) v.step([jam(`x${i}`, 'w1', T0 + 3 * M + i)], T0 + 3 * M + i);
    expect(v.topLevel()).toEqual(['flood:road_jam:w1']);
    expect(v.announced).toBeLessThanOrEqual(5);
    expect(v.state.groups.get('road_jam|w1')?.total).toBe(53);
  });

  it('groups per rule and ward, and only within the window', () => {
    const v = new OperatorView();
    v.step([jam('a', 'w1', T0), jam('b', 'w1', T0), jam('c', 'w2', T0), jam('d', null, T0)], T0);
    // 6 min later: a and b left the 5-minute window
    v.step([jam('e', 'w1', T0 + 6 * M)], T0 + 6 * M);
    expect(v.topLevel().sort()).toEqual([
      'road_jam:a',
      'road_jam:b',
      'road_jam:c',
      'road_jam:d',
      'road_jam:e',
    ]);
  });

  it('closes the parent when its last child clears', () => {
    const v = new OperatorView();
    v.step(
      ['a', 'b', 'c'].map((s) => jam(s, 'w1', T0)),
      T0,
    );
    expect(v.step([clear('a', T0 + M), clear('b', T0 + M)], T0 + M).closed).toEqual([]);
    expect(v.step([clear('c', T0 + 2 * M)], T0 + 2 * M).closed).toEqual(['flood:road_jam:w1']);
    expect(v.topLevel()).toEqual([]);
    // a new jam after that starts afresh
    expect(v.step([jam('a', 'w1', T0 + 3 * M)], T0 + 3 * M).decisions[0]).toMatchObject({ parentKey: null });
  });
});

describe('chattering', () => {
  it('marks an alarm activating 3 times in 10 minutes and stops announcing it, with its count', () => {
    const v = new OperatorView();
    const r1 = v.step([jam('a', null, T0)], T0);
    v.step([clear('a', T0 + M)], T0 + M);
    const r2 = v.step([jam('a', null, T0 + 2 * M)], T0 + 2 * M);
    v.step([clear('a', T0 + 3 * M)], T0 + 3 * M);
    const r3 = v.step([jam('a', null, T0 + 4 * M)], T0 + 4 * M);
    v.step([clear('a', T0 + 5 * M)], T0 + 5 * M);
    const r4 = v.step([jam('a', null, T0 + 6 * M)], T0 + 6 * M);
    expect([r1, r2, r3, r4].map((r) => r.decisions[0])).toEqual([
      { key: 'road_jam:a', parentKey: null, chatterCount: 1, chattering: false, announce: true },
      { key: 'road_jam:a', parentKey: null, chatterCount: 2, chattering: false, announce: true },
      { key: 'road_jam:a', parentKey: null, chatterCount: 3, chattering: true, announce: false },
      { key: 'road_jam:a', parentKey: null, chatterCount: 4, chattering: true, announce: false },
    ]);
    // 10 minutes after the last activations the count starts again
    const r5 = v.step([jam('a', null, T0 + 17 * M)], T0 + 17 * M);
    expect(r5.decisions[0]).toMatchObject({ chatterCount: 1, chattering: false, announce: true });
  });
});

describe('the rate reaching the operator', () => {
  it('announces at most 10 in 10 minutes, counts the rest, lets critical alarms through, and keeps every decision', () => {
    const v = new OperatorView();
    const many = Array.from({ length: 15 }, (_, i) => jam(`s${i}`, `w${i}`, T0 + i));
    const r = v.step([...many, jam('fire', 'wf', T0 + 20, 1)], T0 + 20);
    expect(r.decisions).toHaveLength(16);
    expect(r.decisions.filter((d) => d.announce)).toHaveLength(11);
    expect(r.decisions.at(-1)).toMatchObject({ key: 'road_jam:fire', announce: true });
    expect(r.held).toBe(5);
    expect(r.state.heldTotal).toBe(5);
    expect(inFlood(r.state, T0 + 20)).toBe(true);
    expect(v.topLevel()).toHaveLength(16);
    // after the window the operator hears again, and the flood is over
    expect(inFlood(r.state, T0 + 11 * M)).toBe(false);
    const later = v.step([jam('late', 'wl', T0 + 11 * M)], T0 + 11 * M);
    expect(later.decisions[0].announce).toBe(true);
  });
});
