import { describe, expect, it } from 'vitest';
import { ALARM_RULE_DEFAULTS, type AlarmItem } from '#contract/alarms.ts';
import type { IndicatorDef } from '#contract/indicatorVocab.ts';
import { IndicatorWindows, type WindowRecord } from '../indicatorWindows.ts';
import { seedStates } from '../rulePass.ts';
import type { AlarmSignal } from '../signals.ts';
import {
  type BaselineSample,
  type IndicatorRuleState,
  indicatorBaseline,
  indicatorRuleInit,
  indicatorThreshold,
  type ThresholdSample,
} from './indicators.ts';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
// 10:20 local time (03:20 UTC) on a Monday
const T0 = Date.UTC(2026, 10, 23, 3, 20);
const brief = (signals: AlarmSignal[]) =>
  signals.map((s) => (s.type === 'activate' ? `activate ${s.key} p${s.priority}` : `clear ${s.key}`));

const def = (
  d: Partial<IndicatorDef> & Pick<IndicatorDef, 'id' | 'period' | 'goodDirection'>,
): IndicatorDef => ({
  domain: 'public_services',
  nameVi: d.id,
  nameEn: d.id,
  unit: 'dossier',
  scope: 'agency',
  dimensions: [],
  min: null,
  max: null,
  thresholds: { basis: 'value', warning: null, critical: null },
  disabled: false,
  updatedAt: 0,
  ...d,
});
const OVERDUE = def({
  id: 'dossier_overdue',
  period: 'hourly',
  goodDirection: 'down',
  thresholds: { basis: 'value', warning: 10, critical: 20 },
});
const ON_TIME = def({
  id: 'dossier_on_time_rate',
  period: 'monthly',
  scope: 'province',
  unit: 'percent',
  goodDirection: 'up',
  thresholds: { basis: 'value', warning: 95, critical: 90 },
});
const LATE = def({
  id: 'dossier_resolved_late',
  period: 'event',
  goodDirection: 'down',
  thresholds: { basis: 'value', warning: 5, critical: 10 },
});
const MENTIONS = def({
  id: 'online_mentions',
  domain: 'online_information',
  period: 'event',
  scope: 'province',
  unit: 'mention',
  goodDirection: 'down',
  dimensions: ['topic', 'source', 'sentiment'],
  thresholds: { basis: 'baseline_ratio', warning: 2, critical: 3 },
});
const CATALOGUE = new Map([OVERDUE, ON_TIME, LATE, MENTIONS].map((d) => [d.id, d]));

/** Drives one rule over samples the test gives, one call per step. */
function driver<S>(
  rule: (
    state: IndicatorRuleState,
    samples: S[],
    cat: ReadonlyMap<string, IndicatorDef>,
    cfg: typeof ALARM_RULE_DEFAULTS.indicator_threshold,
    now: number,
  ) => { state: IndicatorRuleState; signals: AlarmSignal[] },
  cfg = ALARM_RULE_DEFAULTS.indicator_threshold,
  state = indicatorRuleInit(),
) {
  let t = T0;
  let last: AlarmSignal[] = [];
  return {
    step(samples: S[], advanceMs = 0, cat: ReadonlyMap<string, IndicatorDef> = CATALOGUE) {
      t += advanceMs;
      const r = rule(state, samples, cat, cfg, t);
      state = r.state;
      last = r.signals;
      return brief(r.signals);
    },
    last: () => last,
  };
}

const agency = { scope: 'agency' as const, agencyId: 'so-tu-phap', wardId: null };
const overdue = (value: number): ThresholdSample => ({
  key: 'dossier_overdue:agency=so-tu-phap',
  indicatorId: 'dossier_overdue',
  place: agency,
  value,
  period: 'hourly',
  periodLabel: '2026-11-23T03:00:00.000Z',
});
const K = 'indicator_threshold:dossier_overdue:agency=so-tu-phap';

describe('indicator_threshold on a figure (an agency’s overdue dossiers: warning 10, critical 20, good down)', () => {
  it('raises the warning one priority below the rule, with the title’s params and no map position', () => {
    const d = driver(indicatorThreshold);
    expect(d.step([overdue(9)])).toEqual([]);
    expect(d.step([overdue(12)], H)).toEqual([`activate ${K}:warning p3`]);
    expect(d.last()[0]).toMatchObject({
      assetId: null,
      wardId: null,
      lat: null,
      lon: null,
      latched: false,
      params: {
        indicator: 'dossier_overdue',
        level: 'warning',
        scope: 'agency',
        agency: 'so-tu-phap',
        ward: null,
        value: 12,
        unit: 'dossier',
        threshold: 10,
        period: 'hourly',
      },
    });
  });

  it('critical replaces the warning, gives way to it again, and clears below the deadband', () => {
    const d = driver(indicatorThreshold);
    d.step([overdue(12)]);
    expect(d.step([overdue(23)], H)).toEqual([`clear ${K}:warning`, `activate ${K}:critical p2`]);
    expect(d.last()[1]).toMatchObject({ params: { value: 23, threshold: 20, level: 'critical' } });
    // 19.7 is under 20 but inside the 2 % deadband: still critical
    expect(d.step([overdue(19.7)], H)).toEqual([]);
    expect(d.step([overdue(19)], H)).toEqual([`clear ${K}:critical`, `activate ${K}:warning p3`]);
    // at the threshold, and just under it, the warning stays: a figure hovering does not chatter
    expect(d.step([overdue(10)], H)).toEqual([]);
    expect(d.step([overdue(9.9)], H)).toEqual([]);
    expect(d.step([overdue(9)], H)).toEqual([`clear ${K}:warning`]);
  });

  it('reads the bad way of an indicator whose good direction is up (on-time rate ≤ 95 / ≤ 90)', () => {
    const d = driver(indicatorThreshold);
    const rate = (value: number): ThresholdSample => ({
      key: 'dossier_on_time_rate:province',
      indicatorId: 'dossier_on_time_rate',
      place: { scope: 'province', agencyId: null, wardId: null },
      value,
      period: 'monthly',
      periodLabel: '2026-10',
    });
    const k = 'indicator_threshold:dossier_on_time_rate:province';
    expect(d.step([rate(96.63)])).toEqual([]);
    expect(d.step([rate(95)])).toEqual([`activate ${k}:warning p3`]);
    expect(d.step([rate(89.5)])).toEqual([`clear ${k}:warning`, `activate ${k}:critical p2`]);
    expect(d.last()[1]).toMatchObject({ params: { periodLabel: '2026-10', unit: 'percent' } });
    // above 95 but within 2 % of it (96.9): the warning stays
    expect(d.step([rate(96)])).toEqual([`clear ${k}:critical`, `activate ${k}:warning p3`]);
    expect(d.step([rate(97.5)])).toEqual([`clear ${k}:warning`]);
  });

  it('a count of events clears only after clearDelayMs back past the deadband', () => {
    const d = driver(indicatorThreshold);
    const late = (value: number): ThresholdSample => ({
      key: 'dossier_resolved_late:agency=so-tu-phap',
      indicatorId: 'dossier_resolved_late',
      place: agency,
      value,
      period: 'event',
      periodLabel: null,
    });
    const k = 'indicator_threshold:dossier_resolved_late:agency=so-tu-phap';
    expect(d.step([late(5)])).toEqual([`activate ${k}:warning p3`]);
    expect(d.step([late(4)], M)).toEqual([]);
    expect(d.step([late(5)], 5 * M)).toEqual([]); // back over: the wait starts again
    expect(d.step([late(4)], M)).toEqual([]);
    expect(d.step([late(3)], 9 * M)).toEqual([]);
    expect(d.step([late(3)], M)).toEqual([`clear ${k}:warning`]);
  });

  it('an admin’s new thresholds take effect at the next pass; a figure no longer given clears', () => {
    const d = driver(indicatorThreshold);
    d.step([overdue(23)]);
    const raised = new Map(CATALOGUE).set('dossier_overdue', {
      ...OVERDUE,
      thresholds: { basis: 'value', warning: 30, critical: 40 },
    });
    expect(d.step([overdue(23)], M, raised)).toEqual([`clear ${K}:critical`]);
    d.step([overdue(45)], M, raised);
    expect(d.step([], M, raised)).toEqual([`clear ${K}:critical`]);
  });

  it('clears everything when the rule is disabled, and raises nothing', () => {
    const cfg = ALARM_RULE_DEFAULTS.indicator_threshold;
    const up = indicatorThreshold(indicatorRuleInit(), [overdue(23)], CATALOGUE, cfg, T0);
    const off = { ...cfg, enabled: false };
    expect(brief(indicatorThreshold(up.state, [overdue(23)], CATALOGUE, off, T0 + M).signals)).toEqual([
      `clear ${K}:critical`,
    ]);
    expect(indicatorThreshold(indicatorRuleInit(), [overdue(23)], CATALOGUE, off, T0).signals).toEqual([]);
  });

  it('after a restart, a stored critical alarm is known: not raised again, cleared by its figure', () => {
    const stored = { key: `${K}:critical`, rule: 'indicator_threshold', state: 'unack_active' } as AlarmItem;
    const d = driver(indicatorThreshold, undefined, seedStates([stored]).rules.indicatorThreshold);
    expect(d.step([overdue(25)])).toEqual([]);
    expect(d.step([overdue(5)], H)).toEqual([`clear ${K}:critical`]);
  });
});

describe('indicator_baseline (a topic’s negative mentions against its usual: 2× warning, 3× critical)', () => {
  const cfg = ALARM_RULE_DEFAULTS.indicator_baseline;
  const k = 'indicator_baseline:online_mentions:province:topic=flooding';
  const s = (count: number, baseline: number): BaselineSample => ({
    key: 'online_mentions:province:topic=flooding',
    indicatorId: 'online_mentions',
    place: { scope: 'province', agencyId: null, wardId: null },
    topic: 'flooding',
    sentiment: 'negative',
    count,
    baseline,
  });

  it('one mention against a baseline of none is no spike: a minimum count and a floor under the baseline', () => {
    const d = driver(indicatorBaseline, cfg);
    expect(d.step([s(1, 0)])).toEqual([]);
    expect(d.step([s(9, 0.2)], M)).toEqual([]);
    // 10 against the floor of 5 an hour: twice the usual
    expect(d.step([s(10, 0.2)], M)).toEqual([`activate ${k}:warning p3`]);
    expect(d.last()[0]).toMatchObject({
      lat: null,
      params: { topic: 'flooding', sentiment: 'negative', count: 10, baseline: 5, ratio: 2, threshold: 2 },
    });
  });

  it('reaches critical at 3× the baseline; a ratio hovering under it stays; it clears after the delay', () => {
    const d = driver(indicatorBaseline, cfg);
    expect(d.step([s(25, 10)])).toEqual([`activate ${k}:warning p3`]);
    expect(d.step([s(30, 10)], M)).toEqual([`clear ${k}:warning`, `activate ${k}:critical p2`]);
    // 2.8× is under 3 but within the 10 % deadband (2.7)
    expect(d.step([s(28, 10)], M)).toEqual([]);
    expect(d.step([s(26, 10)], M)).toEqual([]);
    expect(d.step([s(26, 10)], 10 * M)).toEqual([`clear ${k}:critical`, `activate ${k}:warning p3`]);
    expect(d.step([s(12, 10)], M)).toEqual([]);
    expect(d.step([s(12, 10)], 10 * M)).toEqual([`clear ${k}:warning`]);
  });
});

describe('the rules’ memory of the feed', () => {
  const mention = (time: number, topic = 'flooding', sentiment = 'negative', value = 1): WindowRecord => ({
    time,
    indicatorId: 'online_mentions',
    value,
    wardId: null,
    agencyId: null,
    topic,
    source: 'facebook',
    sentiment,
    channel: null,
  });

  it('counts a topic’s negative mentions of the last hour and the same hour’s mean of the previous 7 days', () => {
    const w = new IndicatorWindows();
    const hour = Math.floor(T0 / H) * H; // T0 is 20 min into it
    // the usual: 6 an hour around this time on each of the previous 7 days (the aggregates' rows)
    const history = [1, 2, 3, 4, 5, 6, 7].flatMap((d) => [
      mention(hour - d * D, 'flooding', 'negative', 6),
      mention(hour - H - d * D, 'flooding', 'negative', 6),
    ]);
    w.load(CATALOGUE, [], history);
    // now: 20 in the previous hour (2/3 of it in the window) and 12 in this one; positive ones do not count
    w.add(MENTIONS, mention(hour - 30 * M, 'flooding', 'negative', 20));
    w.add(MENTIONS, mention(hour + 5 * M, 'flooding', 'negative', 12));
    w.add(MENTIONS, mention(hour + 6 * M, 'flooding', 'positive', 50));
    const { baselines } = w.samples(CATALOGUE, T0);
    expect(baselines).toEqual([
      expect.objectContaining({ key: 'online_mentions:province:topic=flooding', count: 25, baseline: 6 }),
    ]);
  });

  it('an hour read from the aggregates and seen by this instance counts once (the larger)', () => {
    const w = new IndicatorWindows();
    const hour = Math.floor(T0 / H) * H;
    for (let i = 0; i < 11; i++) w.add(MENTIONS, mention(hour + i * M));
    w.load(CATALOGUE, [], [mention(hour, 'flooding', 'negative', 11)]);
    expect(w.samples(CATALOGUE, T0).baselines[0].count).toBe(11);
    w.load(CATALOGUE, [], [mention(hour, 'flooding', 'negative', 14)]);
    expect(w.samples(CATALOGUE, T0).baselines[0].count).toBe(14);
  });

  it('keeps the latest figure per place; an older period does not replace it; an old figure decides nothing', () => {
    const w = new IndicatorWindows();
    const fig = (time: number, value: number): WindowRecord => ({
      ...mention(time),
      indicatorId: 'dossier_overdue',
      agencyId: 'so-tu-phap',
      topic: null,
      sentiment: null,
      source: null,
      value,
    });
    const hour = Math.floor(T0 / H) * H;
    w.add(OVERDUE, fig(hour, 23));
    w.add(OVERDUE, fig(hour - H, 3));
    expect(w.samples(CATALOGUE, T0).thresholds).toEqual([
      expect.objectContaining({ key: 'dossier_overdue:agency=so-tu-phap', value: 23, period: 'hourly' }),
    ]);
    expect(w.samples(CATALOGUE, T0 + 4 * H).thresholds).toEqual([]);
  });
});
