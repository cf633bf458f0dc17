// The alarm system's health over a period (EEMUA 191): pure arithmetic on the alarms raised per
// 10-minute period, which the store counts (server/store/alarmHealthRepo.ts).
import { FLOOD_RATE_LIMIT, FLOOD_RATE_WINDOW_MS } from '#contract/alarms.ts';
import {
  ALARM_HEALTH_TARGETS,
  type AlarmHealthKey,
  type AlarmHealthKpi,
  type AlarmRateBucket,
  type KpiUnit,
} from '#contract/dashboardApi.ts';

/** The time a figure covers: [from, until), and the operator positions sharing the alarms. */
export interface AlarmRateWindow {
  from: number;
  until: number;
  positions: number;
}

/**
 * Every 10-minute period of [from, until), the last one cut at `until`, with the alarms raised in it
 * (`counts`: by period index from `from`; periods not in it raised none).
 */
export function alarmRateSeries(counts: ReadonlyMap<number, number>, w: AlarmRateWindow): AlarmRateBucket[] {
  const n = Math.max(0, Math.ceil((w.until - w.from) / FLOOD_RATE_WINDOW_MS));
  const out: AlarmRateBucket[] = [];
  for (let i = 0; i < n; i++) {
    const raised = counts.get(i) ?? 0;
    const perPosition = raised / w.positions;
    out.push({
      t: w.from + i * FLOOD_RATE_WINDOW_MS,
      raised,
      perPosition,
      flood: perPosition > FLOOD_RATE_LIMIT,
    });
  }
  return out;
}

export interface AlarmRateFigures {
  raised: number;
  /** mean alarms per 10 minutes per position over the time elapsed; null for no time at all */
  rate: number | null;
  /** the busiest 10-minute period, per position */
  peak: number | null;
  /** share of 10-minute periods in flood */
  floodShare: number | null;
}

/** The rate figures of a series (see alarmRateSeries). */
export function alarmRateFigures(series: readonly AlarmRateBucket[], w: AlarmRateWindow): AlarmRateFigures {
  const raised = series.reduce((s, b) => s + b.raised, 0);
  const windows = (w.until - w.from) / FLOOD_RATE_WINDOW_MS;
  if (series.length === 0 || windows <= 0) return { raised, rate: null, peak: null, floodShare: null };
  return {
    raised,
    rate: raised / windows / w.positions,
    peak: series.reduce((m, b) => Math.max(m, b.perPosition), 0),
    floodShare: series.filter((b) => b.flood).length / series.length,
  };
}

const UNITS: Record<AlarmHealthKey, KpiUnit> = {
  alarmsRaised: 'count',
  alarmRate: 'rate',
  alarmPeakRate: 'rate',
  alarmFloodShare: 'share',
  alarmAckMedian: 'minutes',
  alarmStanding: 'count',
  alarmChattering: 'count',
  operatorPositions: 'count',
};

/** One figure with its previous value, its target and whether it meets it. */
export function alarmHealthKpi(
  key: AlarmHealthKey,
  value: number | null,
  previous: number | null,
): AlarmHealthKpi {
  const target = ALARM_HEALTH_TARGETS[key];
  const delta = value !== null && previous !== null ? value - previous : null;
  return {
    key,
    group: 'alarms',
    unit: UNITS[key],
    value,
    previous,
    delta,
    deltaRatio: delta !== null && previous ? delta / previous : null,
    target,
    withinTarget: target === null || value === null ? null : value <= target,
  };
}

/** What an alarm key says after its rule and asset (`camera_detection:cam-1:fire` → `fire`). */
export function keyDetail(key: string, rule: string, assetId: string | null): string | null {
  let rest = key.startsWith(`${rule}:`) ? key.slice(rule.length + 1) : key;
  if (assetId !== null) {
    if (rest === assetId) return null;
    if (rest.startsWith(`${assetId}:`)) rest = rest.slice(assetId.length + 1);
  }
  return rest === '' ? null : rest;
}
