import { describe, expect, it } from 'vitest';
import {
  ALARM_RULE_DEFAULTS,
  ALARM_RULES,
  AlarmActionSchema,
  AlarmRuleUpdateSchema,
  lowerPriority,
  MAX_SHELVE_MS,
} from './alarms.ts';
import { incidentSla } from './incidentSla.ts';

const M = 60_000;
const H = 60 * M;

describe('alarm actions on the wire', () => {
  it('accepts acknowledge with or without a comment, shelve timed up to 8 h or until clear, unshelve', () => {
    expect(AlarmActionSchema.safeParse({ action: 'acknowledge' }).success).toBe(true);
    expect(AlarmActionSchema.safeParse({ action: 'acknowledge', comment: 'đã gọi đội' }).success).toBe(true);
    expect(
      AlarmActionSchema.safeParse({ action: 'shelve', reason: 'bảo trì', duration: MAX_SHELVE_MS }).success,
    ).toBe(true);
    expect(
      AlarmActionSchema.safeParse({ action: 'shelve', reason: 'known', duration: 'until_clear' }).success,
    ).toBe(true);
    expect(AlarmActionSchema.safeParse({ action: 'unshelve' }).success).toBe(true);
  });
  it('refuses a shelf longer than 8 h, without a reason, or an unknown action', () => {
    expect(
      AlarmActionSchema.safeParse({ action: 'shelve', reason: 'x', duration: MAX_SHELVE_MS + 1 }).success,
    ).toBe(false);
    expect(AlarmActionSchema.safeParse({ action: 'shelve', reason: '  ', duration: 60_000 }).success).toBe(
      false,
    );
    expect(AlarmActionSchema.safeParse({ action: 'acknowledge', comment: 'a\u0000b' }).success).toBe(false);
    expect(AlarmActionSchema.safeParse({ action: 'reset' }).success).toBe(false);
  });
});

describe('alarm rule settings', () => {
  it('ships valid defaults for every rule', () => {
    expect(Object.keys(ALARM_RULE_DEFAULTS).sort()).toEqual([...ALARM_RULES].sort());
    for (const r of ALARM_RULES) {
      expect(ALARM_RULE_DEFAULTS[r].rule).toBe(r);
      expect(AlarmRuleUpdateSchema.safeParse(ALARM_RULE_DEFAULTS[r]).success, r).toBe(true);
    }
  });
  it('refuses a threshold out of its bounds, a missing one, or one the rule does not have', () => {
    const jam = ALARM_RULE_DEFAULTS.road_jam;
    expect(AlarmRuleUpdateSchema.safeParse({ ...jam, threshold: 1.5 }).error?.issues[0].message).toBe(
      'threshold must be within 0.05..0.9 share_of_limit',
    );
    expect(AlarmRuleUpdateSchema.safeParse({ ...jam, margin: null }).success).toBe(false);
    expect(
      AlarmRuleUpdateSchema.safeParse({ ...ALARM_RULE_DEFAULTS.camera_offline, threshold: 3 }).success,
    ).toBe(false);
    expect(AlarmRuleUpdateSchema.safeParse({ ...jam, priority: 5 }).success).toBe(false);
  });
  it('lowers a priority by one step, never below low', () => {
    expect(lowerPriority(1)).toBe(2);
    expect(lowerPriority(4)).toBe(4);
  });
});

describe('incidentSla', () => {
  const t0 = Date.UTC(2026, 10, 23, 1);
  it('runs the acknowledgement clock while new: warning at 80 %, overdue at 100 % of the category target', () => {
    // fire: acknowledge within 5 min, resolve within 2 h
    const fire = { ts: t0, category: 'fire', status: 'new' as const };
    expect(incidentSla(fire, t0 + 3 * M).ack).toMatchObject({
      targetMs: 5 * M,
      level: null,
      remainingMs: 2 * M,
    });
    expect(incidentSla(fire, t0 + 4 * M).ack?.level).toBe('warning');
    expect(incidentSla(fire, t0 + 5 * M).ack?.level).toBe('overdue');
    expect(incidentSla(fire, t0 + 6 * M).ack?.remainingMs).toBe(-M);
  });
  it('runs the resolution clock from the report while open, none once resolved', () => {
    const acc = { ts: t0, category: 'traffic_accident', status: 'dispatched' as const };
    expect(incidentSla(acc, t0 + H)).toMatchObject({ ack: null, resolve: { targetMs: 4 * H, share: 0.25 } });
    expect(incidentSla(acc, t0 + 3.2 * H).resolve?.level).toBe('warning');
    expect(incidentSla(acc, t0 + 5 * H).resolve?.level).toBe('overdue');
    expect(incidentSla({ ...acc, status: 'resolved' }, t0 + 5 * H)).toEqual({ ack: null, resolve: null });
  });
  it('falls back to the default targets for an unknown category', () => {
    const x = incidentSla({ ts: t0, category: 'unknown', status: 'new' }, t0);
    expect(x.ack?.targetMs).toBe(60 * M);
    expect(x.resolve?.targetMs).toBe(72 * H);
  });
});
