// The indicator feed (issue 14, contract v1.5): figures and events of the province's other systems
// (public-service portal, media monitoring, statistics office), as plain types and constants. No zod
// here, so the browser pages import it cheaply; the schemas that validate payloads are in indicators.ts.

import { DAY_MS, LOCAL_OFFSET_MS } from './cityTime.ts';

/** The services the indicators belong to. */
export const INDICATOR_DOMAINS = [
  'public_services',
  'online_information',
  'socio_economic',
  /** SIEM events' counts (issue 15, contract v1.7): operators and admins see them on the security panel */
  'information_security',
] as const;
export type IndicatorDomain = (typeof INDICATOR_DOMAINS)[number];

/**
 * One vocabulary of units. Counts of things (`dossier`, `mention`, `enterprise`, `count`) are whole
 * numbers ≥ 0; `percent` is a percentage (96.63, not 0.9663); money in billions of đồng or millions of US
 * dollars; `index_point` an index (CPI, previous year = 100).
 */
export const INDICATOR_UNITS = [
  'count',
  'dossier',
  'mention',
  'enterprise',
  'percent',
  'vnd_billion',
  'usd_million',
  'index_point',
] as const;
export type IndicatorUnit = (typeof INDICATOR_UNITS)[number];
/** Units whose values are whole numbers ≥ 0. */
export const COUNT_UNITS: readonly IndicatorUnit[] = ['count', 'dossier', 'mention', 'enterprise'];

/**
 * How often a figure is given. `event`: each message is one occurrence (a dossier received, a mention),
 * `value` its count (default 1). The others: one figure per period and place, dated at the period's
 * local start (a `ts` inside the period is moved there); sending it again replaces it.
 */
export const INDICATOR_PERIODS = ['event', 'hourly', 'daily', 'monthly', 'quarterly'] as const;
export type IndicatorPeriod = (typeof INDICATOR_PERIODS)[number];

/**
 * What a value is (contract v1.6): `actual`, a measured figure or an event (the default); `plan`, the year's
 * target of a monthly or quarterly indicator, sent with `"period": "2026"` (a year, at most next year).
 * A plan is the province's (no ward, agency or breakdown); sending the year's plan again replaces it.
 */
export const INDICATOR_VALUE_KINDS = ['actual', 'plan'] as const;
export type IndicatorValueKind = (typeof INDICATOR_VALUE_KINDS)[number];
/** The periods whose indicators take a year's plan. */
export const PLANNED_PERIODS: readonly IndicatorPeriod[] = ['monthly', 'quarterly'];

/** Where a figure belongs: a ward of the city (`ward` required), an agency (`agency` required, `ward` optional), the province (neither). */
export const INDICATOR_SCOPES = ['ward', 'agency', 'province'] as const;
export type IndicatorScope = (typeof INDICATOR_SCOPES)[number];

/** Which way is good: `up` (on-time rate, revenue), `down` (overdue dossiers, negative mentions). */
export const GOOD_DIRECTIONS = ['up', 'down'] as const;
export type GoodDirection = (typeof GOOD_DIRECTIONS)[number];

/** Optional breakdowns an indicator may carry (its catalogue entry lists which; events must give them all). */
export const INDICATOR_DIMENSIONS = ['topic', 'source', 'sentiment', 'channel'] as const;
export type IndicatorDimension = (typeof INDICATOR_DIMENSIONS)[number];
export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];
/** How a dossier was submitted: online (dịch vụ công trực tuyến), at a counter, by post. */
export const DOSSIER_CHANNELS = ['online', 'counter', 'postal'] as const;
export type DossierChannel = (typeof DOSSIER_CHANNELS)[number];

/**
 * Alarm thresholds of an indicator, read the bad way of `goodDirection` (down: at or above; up: at or
 * below). `basis`: `value`, the figure itself (per place and period; for events, the count of the last
 * hour); `baseline_ratio`, the last hour's count over the same hour's average of the previous 7 days
 * (3 = three times the usual). Null: no such level.
 */
export interface IndicatorThresholds {
  basis: 'value' | 'baseline_ratio';
  warning: number | null;
  critical: number | null;
}

/**
 * The guards of a `baseline_ratio` threshold, shared by the alarm rule (`indicator_baseline`) and the
 * dashboard's levels so that both say the same: the usual is never taken below BASELINE_FLOOR_PER_HOUR
 * events an hour (a topic usually silent, a baseline of 0.3, would otherwise reach 3× with one mention),
 * and fewer than BASELINE_MIN_COUNT bad events in the hour are no spike (the alarm rule's `threshold`
 * setting, 10 by default, overrides it for alarms). A topic without history then warns from 10 negative
 * mentions in an hour (10 / 5 = 2×) and is critical from 15.
 */
export const BASELINE_FLOOR_PER_HOUR = 5;
export const BASELINE_MIN_COUNT = 10;
/** The last hour's count over the usual (floored). */
export function baselineRatio(count: number, usual: number): number {
  return count / Math.max(usual, BASELINE_FLOOR_PER_HOUR);
}

/** A catalogue entry (`GET /api/indicators`, `/api/admin/indicators`). */
export interface IndicatorDef {
  id: string;
  domain: IndicatorDomain;
  nameVi: string;
  nameEn: string;
  unit: IndicatorUnit;
  period: IndicatorPeriod;
  scope: IndicatorScope;
  goodDirection: GoodDirection;
  /** the breakdowns its values carry */
  dimensions: IndicatorDimension[];
  /** bounds of a value (a value outside is refused as `invalid_payload`); null: none */
  min: number | null;
  max: number | null;
  thresholds: IndicatorThresholds;
  /** a disabled indicator takes no values (`unknown_indicator`) and is not shown */
  disabled: boolean;
  updatedAt: number;
}

/** An agency values can be given for (sở, ban, ngành; UBND of a city or district). */
export interface AgencyView {
  id: string;
  nameVi: string;
  nameEn: string;
  disabled: boolean;
}

/** The breakdowns whose codes have names (contract v1.6): a mention's topic and source. */
export const LABELLED_DIMENSIONS = ['topic', 'source'] as const;
export type LabelledDimension = (typeof LABELLED_DIMENSIONS)[number];

/** The name of a breakdown code (`topic` `giao-thong`: "Giao thông" / "Traffic"), kept by admins. */
export interface BreakdownLabel {
  dimension: LabelledDimension;
  code: string;
  nameVi: string;
  nameEn: string;
}

/** `GET /api/indicators`: the enabled catalogue entries and agencies, and the names of breakdown codes. */
export interface IndicatorsAnswer {
  items: IndicatorDef[];
  agencies: AgencyView[];
  labels: BreakdownLabel[];
}

/**
 * The name lookup of breakdown codes in a language: a code without a name (a topic media monitoring began
 * to send before an admin named it) is answered as sent, so a figure is never hidden for want of a name.
 */
export function breakdownNames(
  labels: readonly BreakdownLabel[],
): (dimension: LabelledDimension, code: string, lang: 'vi' | 'en') => string {
  const byKey = new Map(labels.map((x) => [`${x.dimension}\u0000${x.code}`, x]));
  return (dimension, code, lang) => {
    const x = byKey.get(`${dimension}\u0000${code}`);
    return x ? (lang === 'vi' ? x.nameVi : x.nameEn) : code;
  };
}

/** A system that sends values over HTTP (`POST /api/ingest/{source}`), as admins see it; never its key. */
export interface IndicatorSourceView {
  id: string;
  name: string;
  /** the indicators it may send */
  indicators: string[];
  /** requests a minute it may make (each up to MAX_INGEST_BATCH values) */
  ratePerMin: number;
  /** when its key was revoked; null while it works */
  revokedAt: number | null;
  createdAt: number;
  /** when its current key was made */
  keyCreatedAt: number;
}

/** `POST /api/admin/indicator-sources` and `.../{id}/key`: the key is shown this once. */
export interface IndicatorSourceKey {
  source: IndicatorSourceView;
  apiKey: string;
}

/** Values per `POST /api/ingest/{source}` request. */
export const MAX_INGEST_BATCH = 1000;
/** Largest CSV file `POST /api/admin/indicators/import` takes. */
export const MAX_CSV_BYTES = 5 * 1024 * 1024;
/** The header an HTTP source sends its key in (or `Authorization: Bearer <key>`). */
export const API_KEY_HEADER = 'x-api-key';

/** What became of one value of a batch or CSV row. `revised`: a figure sent again with a new value, replacing it. */
export type IngestRowStatus = 'stored' | 'revised' | 'duplicate' | 'rejected';

export interface IngestRowResult {
  /** index of the value in the batch (0-based); for a CSV, the file's line number (the header is line 1) */
  row: number;
  status: IngestRowStatus;
  /** with `rejected`: a reject reason of the contract (`REJECT_REASONS`) */
  reason?: string;
  /** with `rejected`: why, in English, naming the field */
  detail?: string;
}

/** Answer of `POST /api/ingest/{source}` and `POST /api/admin/indicators/import`. */
export interface IngestAnswer {
  stored: number;
  revised: number;
  duplicate: number;
  rejected: number;
  /** every row, in order */
  rows: IngestRowResult[];
}

/**
 * Columns of the CSV import; `indicator`, `period` and `value` are required, the rest as the indicator needs
 * (`kind`: `actual`, the default when empty, or `plan` with a year as `period`).
 */
export const CSV_COLUMNS = [
  'indicator',
  'period',
  'value',
  'unit',
  'ward',
  'agency',
  'topic',
  'source',
  'sentiment',
  'channel',
  'id',
  'kind',
] as const;

/** How old a value may be, by period (older: `too_old`): events and hourly figures as device readings. */
export const MAX_AGE_DAYS: Record<IndicatorPeriod, number> = {
  event: 30,
  hourly: 30,
  daily: 400,
  monthly: 3660,
  quarterly: 3660,
};

// ---------------------------------------------------------------------------------------------
// Periods in the city's local time (UTC+7)

/** The local start of the period holding `ms` (events: `ms` itself). */
export function periodStart(period: IndicatorPeriod, ms: number): number {
  switch (period) {
    case 'event':
      return ms;
    case 'hourly':
      return Math.floor(ms / 3_600_000) * 3_600_000;
    case 'daily':
      return Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;
    case 'monthly':
    case 'quarterly': {
      const d = new Date(ms + LOCAL_OFFSET_MS);
      const m = period === 'monthly' ? d.getUTCMonth() : d.getUTCMonth() - (d.getUTCMonth() % 3);
      return Date.UTC(d.getUTCFullYear(), m, 1) - LOCAL_OFFSET_MS;
    }
  }
}

/** The period label of a period start: `2026-10` (monthly), `2026-Q3`, `2026-10-05` (daily), else ISO-8601. */
export function periodLabel(period: IndicatorPeriod, start: number): string {
  const d = new Date(start + LOCAL_OFFSET_MS);
  const ym = d.toISOString().slice(0, 7);
  switch (period) {
    case 'monthly':
      return ym;
    case 'quarterly':
      return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    case 'daily':
      return d.toISOString().slice(0, 10);
    default:
      return new Date(start).toISOString();
  }
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const YEAR = /^(\d{4})$/;

/** The year a plan's `period` names (`2026`), or an error message (English) when it is not one. */
export function parsePlanYear(s: string): number | { error: string } {
  const m = YEAR.exec(s.trim());
  return m ? Number(m[1]) : { error: 'a year as YYYY' };
}

const QUARTER = /^(\d{4})-Q([1-4])$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The local start of a period written as the indicator's period asks: `YYYY-MM` (monthly), `YYYY-Qn`
 * (quarterly), `YYYY-MM-DD` (daily); hourly figures and events take an ISO-8601 time with offset. An error
 * message (English) when it is not one.
 */
export function parsePeriod(period: IndicatorPeriod, s: string): number | { error: string } {
  const t = s.trim();
  if (period === 'monthly') {
    const m = MONTH.exec(t);
    return m
      ? Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) - LOCAL_OFFSET_MS
      : { error: 'a month as YYYY-MM' };
  }
  if (period === 'quarterly') {
    const m = QUARTER.exec(t);
    return m
      ? Date.UTC(Number(m[1]), (Number(m[2]) - 1) * 3, 1) - LOCAL_OFFSET_MS
      : { error: 'a quarter as YYYY-Qn (n 1-4)' };
  }
  if (period === 'daily') {
    const m = DATE.exec(t);
    const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
    return m && new Date(ms).toISOString().slice(0, 10) === t
      ? ms - LOCAL_OFFSET_MS
      : { error: 'a date as YYYY-MM-DD' };
  }
  // ISO-8601 with an offset (Z or ±hh:mm)
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(t))
    return { error: 'a time as ISO-8601 with an offset, e.g. 2026-10-05T08:30:00+07:00' };
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? periodStart(period, ms) : { error: 'a valid time' };
}
