// What the indicator alarm rules remember of the feed, in memory: each place's latest figure and hourly
// counts of events (the last two hours; 8 days where a baseline is needed). Fed by ingest's
// `ingest:written` (no query per message) and from the aggregates at start and every few minutes, so a
// restart, or a leader that did not ingest every message itself, knows the baselines.
import { DAY_MS, HOUR_MS } from '#contract/cityTime.ts';
import { type IndicatorDef, type IndicatorPeriod, periodLabel } from '#contract/indicatorVocab.ts';
import type { BaselineSample, IndicatorPlace, ThresholdSample } from './rules/indicators.ts';

/** A figure older than this (from its period's start) is no longer "the latest": it decides nothing. */
export const FIGURE_MAX_AGE_MS: Record<Exclude<IndicatorPeriod, 'event'>, number> = {
  hourly: 3 * HOUR_MS,
  daily: 3 * DAY_MS,
  // statistics arrive weeks after their month or quarter ends
  monthly: 100 * DAY_MS,
  quarterly: 200 * DAY_MS,
};
/** The days a baseline averages. */
export const BASELINE_DAYS = 7;
/** Hours of counts kept for a baseline: the 7 previous days' same hours and the two of the window. */
const BASELINE_KEEP_MS = (BASELINE_DAYS * 24 + 2) * HOUR_MS;
const WINDOW_KEEP_MS = 2 * HOUR_MS;

/** A value as ingest wrote it, or a row of the aggregates (`time` the hour, `value` the hour's sum). */
export interface WindowRecord {
  time: number;
  indicatorId: string;
  value: number;
  wardId: string | null;
  agencyId: string | null;
  topic: string | null;
  source: string | null;
  sentiment: string | null;
  channel: string | null;
}

const hourOf = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;

function placeOf(def: IndicatorDef, r: WindowRecord): { id: string; place: IndicatorPlace } {
  switch (def.scope) {
    case 'agency':
      return { id: `agency=${r.agencyId}`, place: { scope: 'agency', agencyId: r.agencyId, wardId: null } };
    case 'ward':
      return { id: `ward=${r.wardId}`, place: { scope: 'ward', agencyId: null, wardId: r.wardId } };
    default:
      return { id: 'province', place: { scope: 'province', agencyId: null, wardId: null } };
  }
}

interface Figure {
  indicatorId: string;
  place: IndicatorPlace;
  periodStart: number;
  value: number;
}

interface Counts {
  indicatorId: string;
  place: IndicatorPlace;
  topic: string | null;
  sentiment: 'negative' | null;
  /** hour start → the events' sum */
  hours: Map<number, number>;
}

/** Whether the baseline rule counts only negative events of this indicator. */
const negativeOnly = (def: IndicatorDef) => def.dimensions.includes('sentiment');

/**
 * The memory of the indicator rules. Counts are kept per clock hour: the last hour's count is the
 * current hour's plus the previous hour's prorated to the part of it inside the window (a sliding-window
 * counter), and a baseline uses the same weights on the same hours of earlier days, so that it can be
 * read from the hourly aggregates at start.
 */
export class IndicatorWindows {
  private readonly figures = new Map<string, Figure>();
  private readonly counts = new Map<string, Counts>();

  /** The key of a count for `def` (value basis: per place; baseline: per place and topic), or null. */
  private countKey(def: IndicatorDef, r: WindowRecord): { key: string; c: Omit<Counts, 'hours'> } | null {
    const { id, place } = placeOf(def, r);
    if (def.thresholds.basis === 'value')
      return { key: `${def.id}:${id}`, c: { indicatorId: def.id, place, topic: null, sentiment: null } };
    if (negativeOnly(def) && r.sentiment !== 'negative') return null;
    const topic = def.dimensions.includes('topic') ? r.topic : null;
    return {
      key: `${def.id}:${id}${topic === null ? '' : `:topic=${topic}`}`,
      c: { indicatorId: def.id, place, topic, sentiment: negativeOnly(def) ? 'negative' : null },
    };
  }

  private figureKey(def: IndicatorDef, r: WindowRecord): string {
    const { id } = placeOf(def, r);
    // a figure is one per place and breakdown
    const dims = def.dimensions.map((d) => `${d}=${r[d] ?? ''}`);
    return [def.id, id, ...dims].join(':');
  }

  /** A value ingest stored (events: only new ones, never a duplicate; figures: stored or revised). */
  add(def: IndicatorDef, r: WindowRecord): void {
    if (def.period === 'event') {
      const k = this.countKey(def, r);
      if (!k) return;
      const c = this.counts.get(k.key) ?? { ...k.c, hours: new Map() };
      const h = hourOf(r.time);
      c.hours.set(h, (c.hours.get(h) ?? 0) + r.value);
      this.counts.set(k.key, c);
      return;
    }
    const key = this.figureKey(def, r);
    const before = this.figures.get(key);
    // the latest period wins; the same period sent again (revised) replaces it
    if (before && before.periodStart > r.time) return;
    this.figures.set(key, {
      indicatorId: def.id,
      place: placeOf(def, r).place,
      periodStart: r.time,
      value: r.value,
    });
  }

  /**
   * Rows of the aggregates: figures (their period's value) and events' hourly sums. An hour counted
   * here and in the database takes the larger (what this instance saw since the query, or what other
   * instances ingested), so nothing is counted twice.
   */
  load(catalogue: ReadonlyMap<string, IndicatorDef>, figures: WindowRecord[], hours: WindowRecord[]): void {
    for (const r of figures) {
      const def = catalogue.get(r.indicatorId);
      if (def && def.period !== 'event') this.add(def, r);
    }
    const sums = new Map<string, { c: Omit<Counts, 'hours'>; hours: Map<number, number> }>();
    for (const r of hours) {
      const def = catalogue.get(r.indicatorId);
      if (def?.period !== 'event') continue;
      const k = this.countKey(def, r);
      if (!k) continue;
      const s = sums.get(k.key) ?? { c: k.c, hours: new Map() };
      const h = hourOf(r.time);
      s.hours.set(h, (s.hours.get(h) ?? 0) + r.value);
      sums.set(k.key, s);
    }
    for (const [key, s] of sums) {
      const c = this.counts.get(key) ?? { ...s.c, hours: new Map() };
      for (const [h, n] of s.hours) c.hours.set(h, Math.max(c.hours.get(h) ?? 0, n));
      this.counts.set(key, c);
    }
  }

  /** The last hour's count of `c` at `now`, and the same window on the day `daysBack` before. */
  private window(c: Counts, now: number, daysBack = 0): number {
    const h = hourOf(now) - daysBack * DAY_MS;
    const f = (now - hourOf(now)) / HOUR_MS;
    const cur = c.hours.get(h) ?? 0;
    const prev = c.hours.get(h - HOUR_MS) ?? 0;
    // now: the current hour so far; a past day: its whole hour, weighted as the part of it the window covers
    return (daysBack === 0 ? cur : f * cur) + (1 - f) * prev;
  }

  /** What the rules read now; old hours and figures are dropped. */
  samples(
    catalogue: ReadonlyMap<string, IndicatorDef>,
    now: number,
  ): { thresholds: ThresholdSample[]; baselines: BaselineSample[] } {
    const thresholds: ThresholdSample[] = [];
    const baselines: BaselineSample[] = [];
    for (const [key, f] of this.figures) {
      const def = catalogue.get(f.indicatorId);
      if (!def || def.period === 'event' || now - f.periodStart > FIGURE_MAX_AGE_MS[def.period]) {
        this.figures.delete(key);
        continue;
      }
      thresholds.push({
        key,
        indicatorId: f.indicatorId,
        place: f.place,
        value: f.value,
        period: def.period,
        periodLabel: periodLabel(def.period, f.periodStart),
      });
    }
    for (const [key, c] of this.counts) {
      const def = catalogue.get(c.indicatorId);
      const baseline = def?.thresholds.basis === 'baseline_ratio';
      const keep = baseline ? BASELINE_KEEP_MS : WINDOW_KEEP_MS;
      for (const h of c.hours.keys()) if (h < now - keep) c.hours.delete(h);
      if (!def || c.hours.size === 0) {
        this.counts.delete(key);
        continue;
      }
      const count = Math.round(this.window(c, now));
      if (!baseline) {
        thresholds.push({
          key,
          indicatorId: c.indicatorId,
          place: c.place,
          value: count,
          period: 'event',
          periodLabel: null,
        });
        continue;
      }
      let sum = 0;
      for (let d = 1; d <= BASELINE_DAYS; d++) sum += this.window(c, now, d);
      baselines.push({
        key,
        indicatorId: c.indicatorId,
        place: c.place,
        topic: c.topic,
        sentiment: c.sentiment,
        count,
        baseline: sum / BASELINE_DAYS,
      });
    }
    return { thresholds, baselines };
  }
}
