// The three services on the indicator feed (issue 14, contract v1.6): the console's province tiles and the
// leaders' dashboard tabs. Plain types (no zod): the pages import this. Every figure names its unit (the
// indicator vocabulary's) and the period it covers; the page renders both in the reader's language.
// The server reads the aggregates (indicator_1h, indicator_1d) and the plans, never indicator_values.

import type { DashboardResponse, Kpi } from './dashboardApi.ts';
import type {
  GoodDirection,
  IndicatorDomain,
  IndicatorThresholds,
  IndicatorUnit,
  Sentiment,
} from './indicatorVocab.ts';

/** A threshold colour: `none` when the figure has no thresholds or no value. */
export type ServiceLevel = 'ok' | 'warning' | 'critical' | 'none';

/**
 * The level of a figure against an indicator's thresholds, read the bad way of `good` (down: at or above;
 * up: at or below); `none` without a value or without thresholds. With `basis: 'baseline_ratio'` the figure
 * is the ratio, not the indicator's value.
 */
export function thresholdLevel(
  t: Pick<IndicatorThresholds, 'warning' | 'critical'>,
  good: GoodDirection,
  value: number | null,
): ServiceLevel {
  if (value === null || (t.warning === null && t.critical === null)) return 'none';
  const bad = (limit: number | null) => limit !== null && (good === 'down' ? value >= limit : value <= limit);
  return bad(t.critical) ? 'critical' : bad(t.warning) ? 'warning' : 'ok';
}

/**
 * The span a headline figure covers: `hour` (the last 60 minutes), `today` (since local midnight), `month`
 * (this month so far), `quarter`, `year`, `now` (a stock, like the overdue dossiers). With the period's
 * local start as `periodStart`.
 */
export type ServiceSpan = 'now' | 'hour' | 'today' | 'month' | 'quarter' | 'year';

/** The headline figure of one service (`GET /api/services/tiles`, the console's province row). */
export interface ServiceTile {
  service: IndicatorDomain;
  /**
   * which figure: `onTimeRate` (public services: dossiers resolved on time ÷ resolved, this month),
   * `negativeShare` (online information: negative mentions ÷ mentions, today), `grdpGrowth` (socio-economic:
   * the latest quarter's GRDP growth)
   */
  key: 'onTimeRate' | 'negativeShare' | 'grdpGrowth';
  value: number | null;
  unit: IndicatorUnit;
  span: ServiceSpan;
  /** local start of the period the value covers, epoch ms */
  periodStart: number;
  /**
   * when the newest value behind it was received, epoch ms (its age is now − asOf); null: none in the
   * period yet. An indicator silent for over a week (events) falls back to its newest aggregate bucket's
   * start (the hour of the newest event), older still. The quarter a GRDP figure is for is `periodStart`.
   */
  asOf: number | null;
  level: ServiceLevel;
  /** the same figure one period earlier, for an arrow */
  previous: number | null;
  /** a second, smaller figure: overdue dossiers now / mentions today / the quarter's plan */
  secondary: {
    key: 'overdueNow' | 'mentionsToday' | 'plan';
    value: number | null;
    unit: IndicatorUnit;
  } | null;
}
export interface ServiceTilesResponse {
  /** when the tiles were computed, epoch ms */
  at: number;
  items: ServiceTile[];
}

/** A KPI of a service tab: the dashboard's Kpi with the indicator unit and a threshold level. */
export interface ServiceKpi extends Omit<Kpi, 'group' | 'unit'> {
  group: IndicatorDomain;
  unit: IndicatorUnit;
  level: ServiceLevel;
}

// ---------------------------------------------------------------------------------------------
// Public-service monitoring: /api/dashboard/public-services/{kpis,series,agencies,wards}
// Every endpoint takes from, to, format=csv like the other dashboard endpoints and answers { period, items }.

/**
 * One agency's (or ward's) dossiers in the period: events summed, the overdue stock at the period's end
 * (its latest hourly figure), the online share (received online ÷ received). Ranked by onTimeRate, best first
 * (null last).
 */
export interface DossierFigures {
  rank: number;
  /** an agency id (agencies endpoint) or a ward id (wards endpoint) */
  id: string;
  nameVi: string;
  nameEn: string;
  received: number;
  receivedOnline: number;
  resolvedOnTime: number;
  resolvedLate: number;
  returned: number;
  /** resolvedOnTime ÷ (resolvedOnTime + resolvedLate), percent; null when none resolved */
  onTimeRate: number | null;
  /** percent; null when none received */
  onlineShare: number | null;
  /** the latest overdue figure in the period (agencies only; wards: null) */
  overdueNow: number | null;
  /** the agency's catalogue threshold level on overdueNow */
  level: ServiceLevel;
}

/** One local day of dossiers. */
export interface DossierDay {
  day: string;
  t: number;
  received: number;
  resolvedOnTime: number;
  resolvedLate: number;
  returned: number;
  onTimeRate: number | null;
}

// ---------------------------------------------------------------------------------------------
// Monitoring information on the internet: /api/dashboard/online-information/{kpis,series,topics,sources}

/** A topic's (or source's) mentions in the period, ranked by mentions (hot topics first). */
export interface MentionFigures {
  rank: number;
  /** the topic or source code as sent */
  id: string;
  mentions: number;
  positive: number;
  neutral: number;
  negative: number;
  /** negative ÷ mentions, percent */
  negativeShare: number | null;
  /** mentions in the previous period */
  previous: number;
  /** the last hour's negative mentions ÷ the same hour's mean over the 7 days before, never below BASELINE_FLOOR_PER_HOUR (topics only; contract/indicatorVocab.ts) */
  baselineRatio: number | null;
  level: ServiceLevel;
}

/** One bucket (an hour for periods of ≤ 2 days, else a local day) of mentions by sentiment. */
export interface MentionBucket {
  t: number;
  bucket: '1h' | '1d';
  positive: number;
  neutral: number;
  negative: number;
}

// ---------------------------------------------------------------------------------------------
// Socio-economic information: /api/dashboard/socio-economic/{indicators,series}

/**
 * How an indicator adds up over a year: `sum` (flows: revenue, sales, investment, enterprises; the year so
 * far against the year's plan), `last` (rates and indices: GRDP growth, CPI; the latest period against it).
 */
export type YearAggregation = 'sum' | 'last';
export function yearAggregation(unit: IndicatorUnit): YearAggregation {
  return unit === 'percent' || unit === 'index_point' ? 'last' : 'sum';
}

/** One socio-economic indicator: its latest period, the one before, the same period a year earlier, the plan. */
export interface SocioEconomicFigure {
  indicatorId: string;
  nameVi: string;
  nameEn: string;
  unit: IndicatorUnit;
  period: 'monthly' | 'quarterly';
  /** the latest period with a value, its label (`2026-10`, `2026-Q3`); null: none yet */
  latestPeriod: string | null;
  latest: number | null;
  previous: number | null;
  /** the same period of the year before */
  sameLastYear: number | null;
  /** (latest − sameLastYear) ÷ sameLastYear, percent */
  yearOnYear: number | null;
  /** `sum`: the year so far; `last`: the latest */
  yearToDate: number | null;
  /** the year's plan (target); null: none given */
  plan: number | null;
  /** yearToDate ÷ plan, percent (`sum`); for `last`, null */
  planShare: number | null;
  aggregation: YearAggregation;
  level: ServiceLevel;
  /**
   * when the indicator's newest value was received, epoch ms (a revision of an older period's counts too);
   * null: no value yet
   */
  asOf: number | null;
}

/** One period of a socio-economic series (`?indicator=`; the last 24 months or 8 quarters by default). */
export interface SocioEconomicPoint {
  period: string;
  t: number;
  value: number | null;
  sameLastYear: number | null;
}

/** Sentiment counts of a MentionFigures row or bucket. */
export type SentimentCounts = Record<Sentiment, number>;

/**
 * `/api/dashboard/services-summary`: every service's headline for the leaders: the period's KPIs (`items`,
 * the CSV's rows: on-time rate, dossiers received, overdue now, mentions, negative share, GRDP growth) and
 * the tiles as they are now.
 */
export interface ServicesSummary extends DashboardResponse<ServiceKpi> {
  tiles: ServiceTile[];
}
