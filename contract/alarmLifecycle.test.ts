import { describe, expect, it } from 'vitest';
import {
  ALARM_EVENT_TYPES,
  type AlarmCondition,
  type AlarmEvent,
  type AlarmEventType,
  alarmActionsFor,
  alarmVisible,
  applyAlarmEvent,
  shelfExpired,
} from './alarmLifecycle.ts';
import { ALARM_STATES, type AlarmState, MAX_SHELVE_MS } from './alarms.ts';

const NOW = Date.UTC(2026, 10, 23, 3);
const H = 3_600_000;
const cond = (state: AlarmState, more: Partial<AlarmCondition> = {}): AlarmCondition => ({
  state,
  latched: false,
  shelved: null,
  suppressed: null,
  ...more,
});
const EVENTS: Record<AlarmEventType, AlarmEvent> = {
  activate: { type: 'activate' },
  clear: { type: 'clear' },
  acknowledge: { type: 'acknowledge' },
  shelve: { type: 'shelve', by: 'op1', reason: 'sensor being repaired', until: NOW + H },
  unshelve: { type: 'unshelve' },
  suppress: { type: 'suppress', by: 'admin', reason: 'maintenance' },
  unsuppress: { type: 'unsuppress' },
};
const SHELF = { by: 'op1', reason: 'r', at: NOW - H, until: NOW + H };
const SUPPRESSION = { by: 'admin', reason: 'maintenance', at: NOW - H };

describe('applyAlarmEvent: every state × event', () => {
  // [state, event] → the resulting state, or 'refused'; flags start cleared, the alarm not latched
  const table: Record<AlarmState, Record<AlarmEventType, AlarmState | 'refused'>> = {
    normal: {
      activate: 'unack_active',
      clear: 'normal',
      acknowledge: 'refused',
      shelve: 'refused',
      unshelve: 'refused',
      suppress: 'normal',
      unsuppress: 'refused',
    },
    unack_active: {
      activate: 'unack_active',
      clear: 'normal',
      acknowledge: 'ack_active',
      shelve: 'unack_active',
      unshelve: 'refused',
      suppress: 'unack_active',
      unsuppress: 'refused',
    },
    ack_active: {
      activate: 'ack_active',
      clear: 'normal',
      acknowledge: 'refused',
      shelve: 'ack_active',
      unshelve: 'refused',
      suppress: 'ack_active',
      unsuppress: 'refused',
    },
    unack_cleared: {
      activate: 'unack_active',
      clear: 'unack_cleared',
      acknowledge: 'normal',
      shelve: 'unack_cleared',
      unshelve: 'refused',
      suppress: 'unack_cleared',
      unsuppress: 'refused',
    },
  };

  for (const s of ALARM_STATES)
    for (const e of ALARM_EVENT_TYPES)
      it(`${s} + ${e} → ${table[s][e]}`, () => {
        const r = applyAlarmEvent(cond(s), EVENTS[e], NOW);
        const want = table[s][e];
        if (want === 'refused') {
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(r.state).toBe(s);
            expect(r.message).toMatch(/^(cannot|a timed shelf)/);
          }
        } else {
          expect(r.ok).toBe(true);
          if (r.ok) expect(r.next.state).toBe(want);
        }
      });

  it('covers every state and event', () => {
    expect(Object.keys(table).sort()).toEqual([...ALARM_STATES].sort());
    for (const s of ALARM_STATES) expect(Object.keys(table[s]).sort()).toEqual([...ALARM_EVENT_TYPES].sort());
  });
});

describe('applyAlarmEvent: latched, shelved, suppressed', () => {
  it('keeps a latched alarm that clears unacknowledged in unack_cleared until acknowledged', () => {
    const c = applyAlarmEvent(cond('unack_active', { latched: true }), { type: 'clear' }, NOW);
    expect(c).toMatchObject({ ok: true, changed: true, next: { state: 'unack_cleared' } });
    if (!c.ok) return;
    expect(applyAlarmEvent(c.next, { type: 'acknowledge' }, NOW)).toMatchObject({
      next: { state: 'normal' },
    });
    expect(applyAlarmEvent(c.next, { type: 'activate' }, NOW)).toMatchObject({
      next: { state: 'unack_active' },
    });
    // acknowledged first, a latched alarm clears to normal like any other
    expect(applyAlarmEvent(cond('ack_active', { latched: true }), { type: 'clear' }, NOW)).toMatchObject({
      next: { state: 'normal' },
    });
  });

  it('reports repeats of the process as no-ops, not refusals', () => {
    expect(applyAlarmEvent(cond('unack_active'), { type: 'activate' }, NOW)).toMatchObject({
      ok: true,
      changed: false,
    });
    expect(applyAlarmEvent(cond('normal'), { type: 'clear' }, NOW)).toMatchObject({
      ok: true,
      changed: false,
    });
  });

  it('ends a one-shot shelf when the condition clears, keeps a timed one', () => {
    const oneShot = { ...SHELF, until: null };
    const a = applyAlarmEvent(cond('ack_active', { shelved: oneShot }), { type: 'clear' }, NOW);
    expect(a).toMatchObject({ ok: true, next: { state: 'normal', shelved: null } });
    const b = applyAlarmEvent(cond('ack_active', { shelved: SHELF }), { type: 'clear' }, NOW);
    expect(b).toMatchObject({ ok: true, next: { state: 'normal', shelved: SHELF } });
  });

  it('shelves one-shot or up to 8 h, records who, why and when', () => {
    const r = applyAlarmEvent(
      cond('unack_active'),
      { type: 'shelve', by: 'op1', reason: 'known', until: null },
      NOW,
    );
    expect(r).toMatchObject({
      ok: true,
      next: { shelved: { by: 'op1', reason: 'known', at: NOW, until: null } },
    });
    const max = { type: 'shelve', by: 'op1', reason: 'x', until: NOW + MAX_SHELVE_MS } as const;
    expect(applyAlarmEvent(cond('unack_active'), max, NOW).ok).toBe(true);
    expect(
      applyAlarmEvent(cond('unack_active'), { ...max, until: NOW + MAX_SHELVE_MS + 1 }, NOW),
    ).toMatchObject({
      ok: false,
      message: 'a timed shelf ends within 8 h from now',
    });
    expect(applyAlarmEvent(cond('unack_active'), { ...max, until: NOW }, NOW).ok).toBe(false);
  });

  it('refuses shelving twice or while suppressed, and suppression replaces a shelf', () => {
    expect(applyAlarmEvent(cond('unack_active', { shelved: SHELF }), EVENTS.shelve, NOW)).toMatchObject({
      ok: false,
      state: 'unack_active',
      message: 'cannot shelve an alarm that is already shelved; unshelve it first',
    });
    expect(applyAlarmEvent(cond('unack_active', { suppressed: SUPPRESSION }), EVENTS.shelve, NOW).ok).toBe(
      false,
    );
    expect(applyAlarmEvent(cond('unack_active', { shelved: SHELF }), EVENTS.suppress, NOW)).toMatchObject({
      ok: true,
      next: { shelved: null, suppressed: { by: 'admin', reason: 'maintenance', at: NOW } },
    });
    expect(applyAlarmEvent(cond('unack_active', { shelved: SHELF }), EVENTS.unshelve, NOW)).toMatchObject({
      ok: true,
      next: { shelved: null, state: 'unack_active' },
    });
    expect(
      applyAlarmEvent(cond('normal', { suppressed: SUPPRESSION }), EVENTS.unsuppress, NOW),
    ).toMatchObject({
      ok: true,
      next: { suppressed: null },
    });
  });

  it('keeps the state running under a shelf or a suppression', () => {
    const r = applyAlarmEvent(cond('normal', { suppressed: SUPPRESSION }), { type: 'activate' }, NOW);
    expect(r).toMatchObject({ ok: true, next: { state: 'unack_active', suppressed: SUPPRESSION } });
    if (r.ok) expect(alarmVisible(r.next)).toBe(false);
    expect(alarmVisible(cond('unack_active'))).toBe(true);
    expect(alarmVisible(cond('unack_active', { shelved: SHELF }))).toBe(false);
    expect(alarmVisible(cond('normal'))).toBe(false);
  });

  it('says when a timed shelf has run out', () => {
    expect(shelfExpired(SHELF, NOW)).toBe(false);
    expect(shelfExpired(SHELF, SHELF.until)).toBe(true);
    expect(shelfExpired({ ...SHELF, until: null }, NOW + 100 * H)).toBe(false);
    expect(shelfExpired(null, NOW)).toBe(false);
  });
});

describe('alarmActionsFor', () => {
  it('offers exactly the operator actions applyAlarmEvent accepts', () => {
    expect(alarmActionsFor(cond('unack_active'), NOW)).toEqual(['acknowledge', 'shelve']);
    expect(alarmActionsFor(cond('ack_active'), NOW)).toEqual(['shelve']);
    expect(alarmActionsFor(cond('unack_cleared', { shelved: SHELF }), NOW)).toEqual([
      'acknowledge',
      'unshelve',
    ]);
    expect(alarmActionsFor(cond('normal'), NOW)).toEqual([]);
    expect(alarmActionsFor(cond('ack_active', { suppressed: SUPPRESSION }), NOW)).toEqual([]);
  });
});
