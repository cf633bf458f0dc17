import {
  type AlarmRuleConfig,
  type AlarmTitleParams,
  INDICATOR_ALARM_LEVELS,
  type IndicatorAlarmLevel,
  lowerPriority,
} from '#contract/alarms.ts';
import {
  BASELINE_FLOOR_PER_HOUR,
  baselineRatio,
  type GoodDirection,
  type IndicatorDef,
} from '#contract/indicatorVocab.ts';
import { activation, clearOf, NOWHERE, type RuleResult } from '../signals.ts';
import { type Debounce, idle, isIdle, observe, settle } from './debounce.ts';

/** Where an indicator's figure or count belongs, by its scope: an agency, a ward, the province. */
export interface IndicatorPlace {
  scope: IndicatorDef['scope'];
  agencyId: string | null;
  wardId: string | null;
}

/**
 * What `indicator_threshold` reads for one indicator and place now: the latest figure (hourly, daily,
 * monthly, quarterly) or, for events, the count of the last hour.
 */
export interface ThresholdSample {
  /** `indicator:place[:breakdown]`, unique per figure or count */
  key: string;
  indicatorId: string;
  place: IndicatorPlace;
  value: number;
  /** `event`: `value` counts the last hour; else the figure's period */
  period: IndicatorDef['period'];
  /** the figure's period (`2026-10`), null for a count */
  periodLabel: string | null;
}

/** What `indicator_baseline` reads for one indicator, place and topic now. */
export interface BaselineSample {
  key: string;
  indicatorId: string;
  place: IndicatorPlace;
  topic: string | null;
  /** `negative` when only negative events are counted (the indicator has a sentiment breakdown) */
  sentiment: 'negative' | null;
  /** bad events of the last hour */
  count: number;
  /** the mean count of the same hour of day over the previous 7 days */
  baseline: number;
}

/** The baseline's floor (contract/indicatorVocab.ts says why). */
export { BASELINE_FLOOR_PER_HOUR };

type Levels<T> = Partial<Record<IndicatorAlarmLevel, T>>;

export interface IndicatorRuleState {
  /** key → each level's debounce (the levels past their threshold or waiting) */
  d: Map<string, Levels<Debounce>>;
  /** key → the level whose alarm is up */
  level: Map<string, IndicatorAlarmLevel>;
}
export const indicatorRuleInit = (): IndicatorRuleState => ({ d: new Map(), level: new Map() });

/** The bad way of `dir` at `threshold` (down: at or above; up: at or below). */
export const isBad = (dir: GoodDirection, value: number, threshold: number): boolean =>
  dir === 'down' ? value >= threshold : value <= threshold;

/**
 * Back past the threshold by the deadband (`margin`, a share of the threshold's size): a figure
 * hovering at the threshold keeps its alarm instead of chattering.
 */
export const isBackPast = (dir: GoodDirection, value: number, threshold: number, margin: number): boolean => {
  const band = Math.abs(threshold) * margin;
  return dir === 'down' ? value < threshold - band : value > threshold + band;
};

/** One level's verdict on a sample: null when the indicator has no such level. */
type LevelVerdict = { tripped: boolean; reset: boolean; threshold: number } | null;

interface LevelSample {
  key: string;
  /** a figure decides at once; a rolling count waits `clearDelayMs` back past the deadband */
  figure: boolean;
  levels: Record<IndicatorAlarmLevel, LevelVerdict>;
  params: (level: IndicatorAlarmLevel, threshold: number) => AlarmTitleParams;
  wardId: string | null;
}

const alarmKey = (rule: AlarmRuleConfig['rule'], key: string, level: IndicatorAlarmLevel) =>
  `${rule}:${key}:${level}`;

/**
 * The two levels of each sample through their debounces; the alarm follows the worst active level
 * (critical replaces warning and, cleared, gives way to it again). A key with no sample now (its
 * figure grew old, its indicator was disabled or lost its thresholds) goes back to normal.
 */
function levelRule(
  state: IndicatorRuleState,
  samples: readonly LevelSample[],
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<IndicatorRuleState> {
  const signals: RuleResult<IndicatorRuleState>['signals'] = [];
  if (!cfg.enabled) {
    for (const [key, level] of state.level)
      signals.push(clearOf(cfg.rule, alarmKey(cfg.rule, key, level), now));
    return { state: indicatorRuleInit(), signals };
  }
  const d = new Map(state.d);
  const level = new Map(state.level);
  const byKey = new Map(samples.map((s) => [s.key, s]));
  for (const key of new Set([...byKey.keys(), ...state.d.keys(), ...state.level.keys()])) {
    const s = byKey.get(key);
    const clearDelay = s && !s.figure ? cfg.clearDelayMs : 0;
    const had = state.d.get(key) ?? {};
    const next: Levels<Debounce> = {};
    let worst: IndicatorAlarmLevel | undefined;
    for (const l of INDICATOR_ALARM_LEVELS) {
      const v = s?.levels[l] ?? null;
      // no verdict (no sample now, or no such level): back to normal at once
      let x = observe(had[l] ?? idle(), now, v?.tripped ?? false, v ? v.reset : true);
      x = settle(x, now, s?.figure ? 0 : cfg.delayMs, v ? clearDelay : 0).d;
      if (!isIdle(x)) next[l] = x;
      if (x.active) worst = l;
    }
    if (Object.keys(next).length) d.set(key, next);
    else d.delete(key);
    const before = level.get(key);
    if (worst === before) continue;
    if (before) signals.push(clearOf(cfg.rule, alarmKey(cfg.rule, key, before), now));
    if (worst === undefined || !s) {
      level.delete(key);
      continue;
    }
    level.set(key, worst);
    const threshold = s.levels[worst]?.threshold ?? 0;
    signals.push(
      activation(
        cfg,
        alarmKey(cfg.rule, key, worst),
        now,
        // an indicator has no point on the map: the list shows it, the map does not
        { ...NOWHERE, wardId: s.wardId },
        s.params(worst, threshold),
        worst === 'critical' ? cfg.priority : lowerPriority(cfg.priority),
      ),
    );
  }
  return { state: { d, level }, signals };
}

const placeParams = (p: IndicatorPlace) => ({ scope: p.scope, agency: p.agencyId, ward: p.wardId });
const round = (n: number, digits: number) => Number(n.toFixed(digits));

/**
 * `indicator_threshold`: per place and indicator whose catalogue thresholds have basis `value`, the
 * latest figure (or, for events, the count of the last hour) read the bad way of its good direction
 * (down: at or above; up: at or below) against its warning and critical thresholds. It clears back
 * past the threshold by `margin` × the threshold (the deadband), a figure at once, a count after
 * `clearDelayMs`.
 */
export function indicatorThreshold(
  state: IndicatorRuleState,
  samples: readonly ThresholdSample[],
  catalogue: ReadonlyMap<string, IndicatorDef>,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<IndicatorRuleState> {
  const margin = cfg.margin ?? 0;
  const levelSamples = samples.flatMap((s): LevelSample[] => {
    const def = catalogue.get(s.indicatorId);
    if (def?.thresholds.basis !== 'value') return [];
    const verdict = (t: number | null): LevelVerdict =>
      t === null
        ? null
        : {
            tripped: isBad(def.goodDirection, s.value, t),
            reset: isBackPast(def.goodDirection, s.value, t, margin),
            threshold: t,
          };
    const levels = { warning: verdict(def.thresholds.warning), critical: verdict(def.thresholds.critical) };
    if (!levels.warning && !levels.critical) return [];
    return [
      {
        key: s.key,
        figure: s.period !== 'event',
        levels,
        wardId: s.place.wardId,
        params: (level, threshold) => ({
          indicator: s.indicatorId,
          level,
          ...placeParams(s.place),
          value: round(s.value, 2),
          unit: def.unit,
          threshold,
          period: s.period,
          periodLabel: s.periodLabel,
        }),
      },
    ];
  });
  return levelRule(state, levelSamples, cfg, now);
}

/**
 * `indicator_baseline`: per place and topic of an event indicator whose catalogue thresholds have basis
 * `baseline_ratio`, the last hour's bad events (negative ones when it has a sentiment) over the same
 * hour's mean of the previous 7 days (at least BASELINE_FLOOR_PER_HOUR), against its warning and
 * critical ratios; never below `threshold` events in the hour. It clears once the ratio is back below
 * the level × (1 − `margin`) or the count below `threshold` × (1 − `margin`), for `clearDelayMs`.
 */
export function indicatorBaseline(
  state: IndicatorRuleState,
  samples: readonly BaselineSample[],
  catalogue: ReadonlyMap<string, IndicatorDef>,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<IndicatorRuleState> {
  const margin = cfg.margin ?? 0;
  const minCount = cfg.threshold ?? 10;
  const levelSamples = samples.flatMap((s): LevelSample[] => {
    const def = catalogue.get(s.indicatorId);
    if (def?.thresholds.basis !== 'baseline_ratio') return [];
    // the usual as the ratio uses it: never below the floor (the title shows this one, so its sum adds up)
    const usual = Math.max(s.baseline, BASELINE_FLOOR_PER_HOUR);
    const ratio = baselineRatio(s.count, s.baseline);
    const verdict = (t: number | null): LevelVerdict =>
      t === null
        ? null
        : {
            tripped: s.count >= minCount && ratio >= t,
            reset: s.count < minCount * (1 - margin) || ratio < t * (1 - margin),
            threshold: t,
          };
    const levels = { warning: verdict(def.thresholds.warning), critical: verdict(def.thresholds.critical) };
    if (!levels.warning && !levels.critical) return [];
    return [
      {
        key: s.key,
        figure: false,
        levels,
        wardId: s.place.wardId,
        params: (level, threshold) => ({
          indicator: s.indicatorId,
          level,
          ...placeParams(s.place),
          topic: s.topic,
          sentiment: s.sentiment,
          count: s.count,
          baseline: round(usual, 1),
          ratio: round(ratio, 1),
          threshold,
        }),
      },
    ];
  });
  return levelRule(state, levelSamples, cfg, now);
}

/** The rule state an active stored alarm implies (`rule:key:level`), after a restart or a takeover. */
export function seedIndicatorAlarm(s: IndicatorRuleState, alarmKeyText: string): void {
  const parts = alarmKeyText.split(':');
  const l = parts[parts.length - 1] as IndicatorAlarmLevel;
  if (parts.length < 3 || !INDICATOR_ALARM_LEVELS.includes(l)) return;
  const key = parts.slice(1, -1).join(':');
  const active: Debounce = { ...idle(), active: true };
  // critical implies the warning level is past too (it clears to the warning, not to normal, when its figure says so)
  s.d.set(key, l === 'critical' ? { warning: active, critical: active } : { warning: active });
  const before = s.level.get(key);
  if (before !== 'critical') s.level.set(key, l);
}
