import { DAY_MS, HOUR_MS, LOCAL_OFFSET_MS, localDate, localDayStart } from '#contract/cityTime.ts';
import type { DashboardPeriod } from '#contract/dashboardApi.ts';
import {
  BASELINE_MIN_COUNT,
  baselineRatio,
  type IndicatorDef,
  parsePeriod,
  periodLabel,
  periodStart,
} from '#contract/indicatorVocab.ts';
import {
  type DossierDay,
  type DossierFigures,
  type MentionBucket,
  type MentionFigures,
  type ServiceKpi,
  type ServiceLevel,
  type ServiceTile,
  type SocioEconomicFigure,
  type SocioEconomicPoint,
  thresholdLevel,
  yearAggregation,
} from '#contract/servicesApi.ts';
import { kpiDelta } from './dashboardRepo.ts';
import type { Db } from './db.ts';

// The three services on the indicator feed (issue 14): the console's tiles and the dashboard's tabs. Read
// from the aggregates only (indicator_1d for whole local days, indicator_1h for the hours of the day a
// period ends in) and the plans, never indicator_values: a 90-day period is ~100 days x places rows.

/** How far back the overdue stock is looked for: an agency silent longer has no figure "now". */
export const OVERDUE_LOOKBACK_MS = 7 * DAY_MS;
/** Days the negative mentions of the last hour are compared with (the same hour of each). */
export const BASELINE_DAYS = 7;

const DOSSIER = {
  received: 'dossier_received',
  onTime: 'dossier_resolved_on_time',
  late: 'dossier_resolved_late',
  returned: 'dossier_returned',
  overdue: 'dossier_overdue',
  rate: 'dossier_on_time_rate',
} as const;
const MENTIONS = 'online_mentions';
const GRDP = 'grdp_growth';

const MS = (col: string) => `(date_part('epoch', ${col}) * 1000)::float8`;
const LOCAL_DAY = (col: string) => `date_bin(INTERVAL '1 day', ${col}, TIMESTAMPTZ '2000-01-01 00:00:00+07')`;

/** Parameters of one statement, numbered as they are added. */
class Sql {
  readonly params: unknown[] = [];
  p(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }
  ts(ms: number): string {
    return `to_timestamp(${this.p(ms)}::float8 / 1000)`;
  }
}

/**
 * The aggregate rows covering [from, until): indicator_1d's whole local days before the day `until` falls
 * in, then indicator_1h's hours to `until` (rounded up to the hour). Today's figures thus come from the
 * hourly view, live on every database (plain PostgreSQL fills its daily table only by refresh).
 * `select(hourly)` names the columns; `where` filters both.
 */
function span(
  q: Sql,
  select: (hourly: boolean) => string,
  where: string,
  from: number,
  until: number,
): string {
  const days = Math.max(from, localDayStart(until));
  const hours = Math.ceil(until / HOUR_MS) * HOUR_MS;
  const parts: string[] = [];
  if (days > from)
    parts.push(
      `SELECT ${select(false)} FROM indicator_1d WHERE bucket >= ${q.ts(from)} AND bucket < ${q.ts(days)} AND ${where}`,
    );
  if (hours > days)
    parts.push(
      `SELECT ${select(true)} FROM indicator_1h WHERE bucket >= ${q.ts(days)} AND bucket < ${q.ts(hours)} AND ${where}`,
    );
  if (!parts.length) parts.push(`SELECT ${select(false)} FROM indicator_1d WHERE false`);
  return `(${parts.join(' UNION ALL ')})`;
}

/** Periods [from, until) asked in one statement (each row tagged with its index as `w`). */
type Window = readonly [from: number, until: number];

/** `span` of each window, tagged `w`: a period and its previous one in one statement (PGlite plans each). */
function spans(
  q: Sql,
  select: (hourly: boolean) => string,
  where: string,
  windows: readonly Window[],
): string {
  return `(${windows
    .map(([from, until], w) => `SELECT ${w} AS w, * FROM ${span(q, select, where, from, until)} s${w}`)
    .join(' UNION ALL ')})`;
}

/** Rows tagged `w` split into one map per window. */
function byWindow<R extends { w: number; key: string | null }, T>(
  rows: R[],
  n: number,
  f: (r: R) => T,
): Map<string, T>[] {
  const out = Array.from({ length: n }, () => new Map<string, T>());
  for (const r of rows) out[r.w]?.set(r.key ?? '', f(r));
  return out;
}

const pct = (n: number, d: number) => (d > 0 ? (100 * n) / d : null);

function serviceKpi(
  key: string,
  group: ServiceKpi['group'],
  unit: ServiceKpi['unit'],
  value: number | null,
  previous: number | null,
  level: ServiceLevel = 'none',
): ServiceKpi {
  return { key, group, unit, value, previous, ...kpiDelta(value, previous), level };
}

const WORST: ServiceLevel[] = ['critical', 'warning', 'ok', 'none'];
const worst = (levels: ServiceLevel[]) => WORST.find((l) => levels.includes(l)) ?? 'none';

/** The catalogue the figures' levels and names come from (the indicators module's, disabled ones left out). */
export type Defs = () => ReadonlyMap<string, IndicatorDef>;
/**
 * When an indicator's newest value was received, epoch ms (the indicators module follows ingest: no query);
 * null when not known (long silent).
 */
export type Received = (indicatorId: string) => number | null;
const NOT_RECEIVED: Received = () => null;

function levelOf(defs: Defs, id: string, value: number | null): ServiceLevel {
  const d = defs().get(id);
  return d ? thresholdLevel(d.thresholds, d.goodDirection, value) : 'none';
}

// ---------------------------------------------------------------------------------------------
// Public services

export interface DossierCounts {
  received: number;
  receivedOnline: number;
  resolvedOnTime: number;
  resolvedLate: number;
  returned: number;
  /** the newest bucket with a resolution, epoch ms */
  lastResolved: number | null;
}
const NO_DOSSIERS: DossierCounts = {
  received: 0,
  receivedOnline: 0,
  resolvedOnTime: 0,
  resolvedLate: 0,
  returned: 0,
  lastResolved: null,
};
const onTimeRate = (c: DossierCounts) => pct(c.resolvedOnTime, c.resolvedOnTime + c.resolvedLate);

/** Dossier events in each window [from, until), in all or per agency or ward (events' values are their counts). */
export async function dossierCounts(
  db: Db,
  windows: readonly Window[],
  by: 'agency' | 'ward' | null,
): Promise<Map<string, DossierCounts>[]> {
  const q = new Sql();
  const key = by === 'agency' ? 'agency_id' : by === 'ward' ? 'ward_id' : "''";
  const ids = [DOSSIER.received, DOSSIER.onTime, DOSSIER.late, DOSSIER.returned];
  const rows = spans(
    q,
    () => `indicator_id AS i, ${key} AS key, channel, value_sum AS v, bucket AS b`,
    `indicator_id IN (${ids.map((i) => `'${i}'`).join(', ')})`,
    windows,
  );
  const sum = (f: string) => `coalesce(sum(v) FILTER (WHERE ${f}), 0)::float8`;
  const { rows: out } = await db.query<DossierCounts & { w: number; key: string | null }>(
    `SELECT w, key, ${sum(`i = '${DOSSIER.received}'`)} AS received,
       ${sum(`i = '${DOSSIER.received}' AND channel = 'online'`)} AS "receivedOnline",
       ${sum(`i = '${DOSSIER.onTime}'`)} AS "resolvedOnTime", ${sum(`i = '${DOSSIER.late}'`)} AS "resolvedLate",
       ${sum(`i = '${DOSSIER.returned}'`)} AS returned,
       ${MS(`max(b) FILTER (WHERE i IN ('${DOSSIER.onTime}', '${DOSSIER.late}'))`)} AS "lastResolved"
     FROM ${rows} x ${by ? 'WHERE key IS NOT NULL' : ''} GROUP BY w, key`,
    q.params,
  );
  return byWindow(out, windows.length, ({ w: _w, key: _k, ...c }) => c);
}

/**
 * Each agency's overdue dossiers at the end of each window [from, until): its newest hourly figure in
 * [max(from, until − 7 days), until), summed over the wards it gives them for. With the hour it is of.
 */
export async function overdueAt(
  db: Db,
  windows: readonly Window[],
): Promise<Map<string, { value: number; t: number }>[]> {
  const q = new Sql();
  const parts = windows.map(
    ([from, until], w) =>
      `SELECT ${w} AS w, agency_id, bucket, sum(value_sum)::float8 AS v FROM indicator_1h
       WHERE indicator_id = '${DOSSIER.overdue}' AND bucket >= ${q.ts(Math.max(from, until - OVERDUE_LOOKBACK_MS))}
         AND bucket < ${q.ts(until)} AND agency_id IS NOT NULL
       GROUP BY agency_id, bucket`,
  );
  const { rows } = await db.query<{ w: number; key: string; t: number; value: number }>(
    `SELECT DISTINCT ON (w, agency_id) w, agency_id AS key, ${MS('bucket')} AS t, v AS value
     FROM (${parts.join(' UNION ALL ')}) x ORDER BY w, agency_id, bucket DESC`,
    q.params,
  );
  return byWindow(rows, windows.length, (r) => ({ value: r.value, t: r.t }));
}

const sumOverdue = (m: Map<string, { value: number }> | undefined) =>
  m?.size ? [...m.values()].reduce((n, x) => n + x.value, 0) : null;

/** The public-service tab's KPIs against the previous period (cut at the same elapsed time). */
export async function publicServiceKpis(db: Db, defs: Defs, p: DashboardPeriod): Promise<ServiceKpi[]> {
  const windows: Window[] = [
    [p.from, p.until],
    [p.previousFrom, p.previousUntil],
  ];
  const [[cur, prev], [od, odPrev]] = await Promise.all([
    dossierCounts(db, windows, null),
    overdueAt(db, windows),
  ]);
  const c = cur?.get('') ?? NO_DOSSIERS;
  const v = prev?.get('') ?? NO_DOSSIERS;
  const rate = onTimeRate(c);
  const g = 'public_services';
  return [
    serviceKpi('onTimeRate', g, 'percent', rate, onTimeRate(v), levelOf(defs, DOSSIER.rate, rate)),
    serviceKpi('received', g, 'dossier', c.received, v.received),
    serviceKpi(
      'onlineShare',
      g,
      'percent',
      pct(c.receivedOnline, c.received),
      pct(v.receivedOnline, v.received),
    ),
    serviceKpi('resolvedOnTime', g, 'dossier', c.resolvedOnTime, v.resolvedOnTime),
    serviceKpi('resolvedLate', g, 'dossier', c.resolvedLate, v.resolvedLate),
    serviceKpi('returned', g, 'dossier', c.returned, v.returned),
    serviceKpi(
      'overdueNow',
      g,
      'dossier',
      sumOverdue(od),
      sumOverdue(odPrev),
      worst([...(od?.values() ?? [])].map((x) => levelOf(defs, DOSSIER.overdue, x.value))),
    ),
  ];
}

/** Dossiers per local day of the period (days after the one `until` falls in left out). */
export async function dossierSeries(db: Db, p: DashboardPeriod): Promise<DossierDay[]> {
  const q = new Sql();
  const ids = [DOSSIER.received, DOSSIER.onTime, DOSSIER.late, DOSSIER.returned];
  const rows = span(
    q,
    (hourly) => `indicator_id AS i, ${hourly ? LOCAL_DAY('bucket') : 'bucket'} AS d, value_sum AS v`,
    `indicator_id IN (${ids.map((i) => `'${i}'`).join(', ')})`,
    p.from,
    p.until,
  );
  const { rows: out } = await db.query<{ t: number; i: string; v: number }>(
    `SELECT ${MS('d')} AS t, i, sum(v)::float8 AS v FROM ${rows} x GROUP BY d, i`,
    q.params,
  );
  const by = new Map<number, Record<string, number>>();
  for (const r of out) {
    const t = Math.round(r.t);
    by.set(t, { ...by.get(t), [r.i]: r.v });
  }
  const end = Math.max(p.from + DAY_MS, localDayStart(p.until - 1) + DAY_MS);
  const days: DossierDay[] = [];
  for (let t = p.from; t < Math.min(p.to, end); t += DAY_MS) {
    const x = by.get(t) ?? {};
    const onTime = x[DOSSIER.onTime] ?? 0;
    const late = x[DOSSIER.late] ?? 0;
    days.push({
      day: localDate(t),
      t,
      received: x[DOSSIER.received] ?? 0,
      resolvedOnTime: onTime,
      resolvedLate: late,
      returned: x[DOSSIER.returned] ?? 0,
      onTimeRate: pct(onTime, onTime + late),
    });
  }
  return days;
}

/** Ranked by on-time rate, best first (none resolved last), then by dossiers received. */
function rankDossiers(rows: Omit<DossierFigures, 'rank'>[]): DossierFigures[] {
  return rows
    .sort(
      (a, b) =>
        (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1) || b.received - a.received || a.id.localeCompare(b.id),
    )
    .map((r, i) => ({ rank: i + 1, ...r }));
}

function dossierRow(
  id: string,
  nameVi: string,
  nameEn: string,
  c: DossierCounts,
  overdueNow: number | null,
  level: ServiceLevel,
): Omit<DossierFigures, 'rank'> {
  return {
    id,
    nameVi,
    nameEn,
    received: c.received,
    receivedOnline: c.receivedOnline,
    resolvedOnTime: c.resolvedOnTime,
    resolvedLate: c.resolvedLate,
    returned: c.returned,
    onTimeRate: onTimeRate(c),
    onlineShare: pct(c.receivedOnline, c.received),
    overdueNow,
    level,
  };
}

/** Every agency (enabled, or with dossiers in the period) with its figures, ranked. */
export async function agencyFigures(db: Db, defs: Defs, p: DashboardPeriod): Promise<DossierFigures[]> {
  const [[counts = new Map()], [od = new Map()], agencies] = await Promise.all([
    dossierCounts(db, [[p.from, p.until]], 'agency'),
    overdueAt(db, [[p.from, p.until]]),
    db.query<{ id: string; name_vi: string; name_en: string; disabled: boolean }>(
      'SELECT id, name_vi, name_en, disabled FROM agencies',
    ),
  ]);
  const rows = agencies.rows
    .filter((a) => !a.disabled || counts.has(a.id) || od.has(a.id))
    .map((a) => {
      const o = od.get(a.id)?.value ?? null;
      return dossierRow(
        a.id,
        a.name_vi,
        a.name_en,
        counts.get(a.id) ?? NO_DOSSIERS,
        o,
        levelOf(defs, DOSSIER.overdue, o),
      );
    });
  return rankDossiers(rows);
}

/** Every ward of the city (and any other ward with dossiers) with its figures, ranked. */
export async function wardFigures(
  db: Db,
  p: DashboardPeriod,
  wards: ReadonlyArray<{ id: string; name: string }>,
): Promise<DossierFigures[]> {
  const [counts = new Map<string, DossierCounts>()] = await dossierCounts(db, [[p.from, p.until]], 'ward');
  const named = new Map(wards.map((w) => [w.id, w.name]));
  const ids = [...named.keys(), ...[...counts.keys()].filter((k) => !named.has(k))];
  return rankDossiers(
    ids.map((id) => {
      const name = named.get(id) ?? id;
      return dossierRow(id, name, name, counts.get(id) ?? NO_DOSSIERS, null, 'none');
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Online information

interface MentionCounts {
  mentions: number;
  positive: number;
  neutral: number;
  negative: number;
  /** topics mentioned */
  topics: number;
  /** the newest bucket with a mention, epoch ms */
  last: number | null;
}
const NO_MENTIONS: MentionCounts = {
  mentions: 0,
  positive: 0,
  neutral: 0,
  negative: 0,
  topics: 0,
  last: null,
};

/** Mentions in each window [from, until) by sentiment, in all or per topic or source. */
export async function mentionCounts(
  db: Db,
  windows: readonly Window[],
  by: 'topic' | 'source' | null,
): Promise<Map<string, MentionCounts>[]> {
  const q = new Sql();
  const rows = spans(
    q,
    () => `${by ?? "''"} AS key, topic, sentiment, value_sum AS v, bucket AS b`,
    `indicator_id = '${MENTIONS}'`,
    windows,
  );
  const sum = (s: string) => `coalesce(sum(v) FILTER (WHERE sentiment = '${s}'), 0)::float8`;
  const { rows: out } = await db.query<MentionCounts & { w: number; key: string | null }>(
    `SELECT w, key, coalesce(sum(v), 0)::float8 AS mentions, ${sum('positive')} AS positive,
       ${sum('neutral')} AS neutral, ${sum('negative')} AS negative, count(DISTINCT topic)::int AS topics,
       ${MS('max(b)')} AS last
     FROM ${rows} x ${by ? 'WHERE key IS NOT NULL' : ''} GROUP BY w, key`,
    q.params,
  );
  return byWindow(out, windows.length, ({ w: _w, key: _k, ...c }) => c);
}

/**
 * The negative mentions of the hour before `at` over the same hour's mean of the 7 days before, in all or
 * per topic; null when that mean is 0. From hourly buckets: the hour `at` falls in counts whole, the one
 * before it for the part of it within the hour before `at`; the days before are weighed alike (their
 * mentions taken as spread evenly over the hour).
 */
export async function negativeBaselineRatio(
  db: Db,
  at: number,
  by: 'topic' | null,
): Promise<Map<string, { last: number; baseline: number; ratio: number | null }>> {
  const h0 = Math.floor(at / HOUR_MS) * HOUR_MS;
  const f = (at - h0) / HOUR_MS;
  const q = new Sql();
  const { rows } = await db.query<{ key: string | null; t: number; v: number }>(
    `SELECT ${by ?? "''"} AS key, ${MS('bucket')} AS t, sum(value_sum)::float8 AS v FROM indicator_1h
     WHERE indicator_id = '${MENTIONS}' AND sentiment = 'negative'
       AND bucket >= ${q.ts(h0 - HOUR_MS - BASELINE_DAYS * DAY_MS)} AND bucket <= ${q.ts(h0)}
     GROUP BY 1, 2`,
    q.params,
  );
  const byKey = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const k = r.key ?? '';
    if (!byKey.has(k)) byKey.set(k, new Map());
    byKey.get(k)?.set(Math.round(r.t), r.v);
  }
  const out = new Map<string, { last: number; baseline: number; ratio: number | null }>();
  for (const [k, m] of byKey) {
    const n = (t: number) => m.get(t) ?? 0;
    const last = (f > 0 ? n(h0) : 0) + n(h0 - HOUR_MS) * (1 - f);
    let sum = 0;
    for (let d = 1; d <= BASELINE_DAYS; d++)
      sum += n(h0 - d * DAY_MS) * f + n(h0 - HOUR_MS - d * DAY_MS) * (1 - f);
    const baseline = sum / BASELINE_DAYS;
    // the alarm rule's guards (contract/indicatorVocab.ts), so the tab's level says what the alarms say
    out.set(k, { last, baseline, ratio: baselineRatio(last, baseline) });
  }
  return out;
}

function mentionLevel(defs: Defs, r: { last: number; ratio: number | null } | undefined): ServiceLevel {
  const d = defs().get(MENTIONS);
  if (d?.thresholds.basis !== 'baseline_ratio') return 'none';
  // fewer bad mentions than a spike needs: no level past ok, as no alarm either
  if (r && r.last < BASELINE_MIN_COUNT) return thresholdLevel(d.thresholds, 'down', 0);
  // the ratio is bad upwards whatever the indicator's direction
  return thresholdLevel(d.thresholds, 'down', r?.ratio ?? null);
}

/** The online-information tab's KPIs against the previous period. */
export async function onlineKpis(db: Db, defs: Defs, p: DashboardPeriod): Promise<ServiceKpi[]> {
  const [[cur, prev], ratio] = await Promise.all([
    mentionCounts(
      db,
      [
        [p.from, p.until],
        [p.previousFrom, p.previousUntil],
      ],
      null,
    ),
    negativeBaselineRatio(db, p.until, null),
  ]);
  const c = cur?.get('') ?? NO_MENTIONS;
  const v = prev?.get('') ?? NO_MENTIONS;
  const g = 'online_information';
  return [
    serviceKpi('mentions', g, 'mention', c.mentions, v.mentions),
    serviceKpi('negativeShare', g, 'percent', pct(c.negative, c.mentions), pct(v.negative, v.mentions)),
    serviceKpi('negative', g, 'mention', c.negative, v.negative, mentionLevel(defs, ratio.get(''))),
    serviceKpi('positive', g, 'mention', c.positive, v.positive),
    serviceKpi('neutral', g, 'mention', c.neutral, v.neutral),
    serviceKpi('topics', g, 'count', c.topics, v.topics),
  ];
}

/** Topics (with the baseline ratio of the hour before the period's end) or sources, most mentioned first. */
export async function mentionFigures(
  db: Db,
  defs: Defs,
  p: DashboardPeriod,
  by: 'topic' | 'source',
  limit: number,
): Promise<MentionFigures[]> {
  const [[cur = new Map<string, MentionCounts>(), prev], ratios] = await Promise.all([
    mentionCounts(
      db,
      [
        [p.from, p.until],
        [p.previousFrom, p.previousUntil],
      ],
      by,
    ),
    by === 'topic' ? negativeBaselineRatio(db, p.until, 'topic') : Promise.resolve(undefined),
  ]);
  return [...cur.entries()]
    .sort(([a, x], [b, y]) => y.mentions - x.mentions || a.localeCompare(b))
    .slice(0, limit)
    .map(([id, c], i) => {
      const ratio = ratios?.get(id)?.ratio ?? null;
      return {
        rank: i + 1,
        id,
        mentions: c.mentions,
        positive: c.positive,
        neutral: c.neutral,
        negative: c.negative,
        negativeShare: pct(c.negative, c.mentions),
        previous: prev?.get(id)?.mentions ?? 0,
        baselineRatio: ratio,
        level: by === 'topic' ? mentionLevel(defs, ratios?.get(id)) : 'none',
      };
    });
}

/** Mentions by sentiment per hour (periods of up to 2 days) or local day, to `until`. */
export async function mentionSeries(db: Db, p: DashboardPeriod): Promise<MentionBucket[]> {
  const hourly = p.days <= 2;
  const q = new Sql();
  const rows = hourly
    ? `(SELECT bucket AS d, sentiment, value_sum AS v FROM indicator_1h WHERE indicator_id = '${MENTIONS}'
         AND bucket >= ${q.ts(p.from)} AND bucket < ${q.ts(p.until)})`
    : span(
        q,
        (h) => `${h ? LOCAL_DAY('bucket') : 'bucket'} AS d, sentiment, value_sum AS v`,
        `indicator_id = '${MENTIONS}'`,
        p.from,
        p.until,
      );
  const { rows: out } = await db.query<{ t: number; sentiment: string | null; v: number }>(
    `SELECT ${MS('d')} AS t, sentiment, sum(v)::float8 AS v FROM ${rows} x GROUP BY d, sentiment`,
    q.params,
  );
  const step = hourly ? HOUR_MS : DAY_MS;
  const by = new Map<number, MentionBucket>();
  const end = hourly ? Math.ceil(p.until / HOUR_MS) * HOUR_MS : localDayStart(p.until - 1) + DAY_MS;
  const buckets: MentionBucket[] = [];
  for (let t = p.from; t < Math.min(p.to, Math.max(end, p.from + step)); t += step) {
    const b: MentionBucket = { t, bucket: hourly ? '1h' : '1d', positive: 0, neutral: 0, negative: 0 };
    by.set(t, b);
    buckets.push(b);
  }
  for (const r of out) {
    const b = by.get(Math.round(r.t));
    if (b && (r.sentiment === 'positive' || r.sentiment === 'neutral' || r.sentiment === 'negative'))
      b[r.sentiment] += r.v;
  }
  return buckets;
}

// ---------------------------------------------------------------------------------------------
// Socio-economic information

type FigurePeriod = 'monthly' | 'quarterly';
const isFigurePeriod = (p: string): p is FigurePeriod => p === 'monthly' || p === 'quarterly';

/** The local start of the period `n` periods after (negative: before) the one starting at `start`. */
export function shiftPeriod(period: FigurePeriod, start: number, n: number): number {
  const d = new Date(start + LOCAL_OFFSET_MS);
  const months = period === 'monthly' ? n : 3 * n;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1) - LOCAL_OFFSET_MS;
}
const yearOf = (start: number) => new Date(start + LOCAL_OFFSET_MS).getUTCFullYear();

/** The socio-economic indicators' values (period start → value) in [from, until) and their plans by year. */
async function socioValues(
  db: Db,
  ids: string[],
  from: number,
  until: number,
): Promise<{ values: Map<string, Map<number, number>>; plans: Map<string, Map<number, number>> }> {
  const q = new Sql();
  const [v, pl] = await Promise.all([
    db.query<{ id: string; t: number; v: number }>(
      `SELECT indicator_id AS id, ${MS('bucket')} AS t, sum(value_sum)::float8 AS v FROM indicator_1d
       WHERE indicator_id = ANY(${q.p(ids)}) AND bucket >= ${q.ts(from)} AND bucket < ${q.ts(until)}
       GROUP BY 1, 2`,
      q.params,
    ),
    db.query<{ id: string; year: number; target: number }>(
      'SELECT indicator_id AS id, year, target FROM indicator_plans WHERE indicator_id = ANY($1)',
      [ids],
    ),
  ]);
  const values = new Map<string, Map<number, number>>();
  for (const r of v.rows) {
    if (!values.has(r.id)) values.set(r.id, new Map());
    values.get(r.id)?.set(Math.round(r.t), r.v);
  }
  const plans = new Map<string, Map<number, number>>();
  for (const r of pl.rows) {
    if (!plans.has(r.id)) plans.set(r.id, new Map());
    plans.get(r.id)?.set(Number(r.year), Number(r.target));
  }
  return { values, plans };
}

/**
 * One indicator's figure as of `until` from its values by period start, its plans by year and when its
 * newest value was received (`asOf`; not known: the latest period's start) (pure).
 * Level: the catalogue's thresholds on the latest value when it has some; else against the plan: `last`
 * figures the latest value, `sum` figures the year so far against the plan's share of the periods gone
 * (a quarter's flow: a quarter of the plan); the bad way of the good direction is `warning`.
 */
export function socioFigure(
  def: IndicatorDef & { period: FigurePeriod },
  values: ReadonlyMap<number, number>,
  plans: ReadonlyMap<number, number>,
  until: number,
  received: number | null = null,
): SocioEconomicFigure {
  const latestT = [...values.keys()]
    .filter((t) => t < until)
    .reduce<number | null>((a, t) => (a === null || t > a ? t : a), null);
  const aggregation = yearAggregation(def.unit);
  const at = (t: number) => values.get(t) ?? null;
  const latest = latestT === null ? null : at(latestT);
  const sameLastYear =
    latestT === null ? null : at(shiftPeriod(def.period, latestT, def.period === 'monthly' ? -12 : -4));
  const year = yearOf(latestT ?? until - 1);
  const plan = plans.get(year) ?? null;
  let yearToDate: number | null = latest;
  let expectedShare = 1;
  if (aggregation === 'sum' && latestT !== null) {
    const y0 = Date.UTC(year, 0, 1) - LOCAL_OFFSET_MS;
    yearToDate = [...values.entries()]
      .filter(([t]) => t >= y0 && t <= latestT)
      .reduce((n, [, v]) => n + v, 0);
    const periods = def.period === 'monthly' ? 12 : 4;
    const elapsed = Math.round((shiftPeriod(def.period, latestT, 1) - y0) / ((365.25 / periods) * DAY_MS));
    expectedShare = Math.min(1, elapsed / periods);
  }
  const planShare = aggregation === 'sum' && plan && yearToDate !== null ? (100 * yearToDate) / plan : null;
  let level = thresholdLevel(def.thresholds, def.goodDirection, latest);
  if (level === 'none' && plan !== null && yearToDate !== null) {
    const target = aggregation === 'sum' ? plan * expectedShare : plan;
    const behind = def.goodDirection === 'up' ? yearToDate < target : yearToDate > target;
    level = behind ? 'warning' : 'ok';
  }
  return {
    indicatorId: def.id,
    nameVi: def.nameVi,
    nameEn: def.nameEn,
    unit: def.unit,
    period: def.period,
    latestPeriod: latestT === null ? null : periodLabel(def.period, latestT),
    latest,
    previous: latestT === null ? null : at(shiftPeriod(def.period, latestT, -1)),
    sameLastYear,
    yearOnYear:
      latest !== null && sameLastYear !== null && sameLastYear !== 0
        ? (100 * (latest - sameLastYear)) / Math.abs(sameLastYear)
        : null,
    yearToDate,
    plan,
    planShare,
    aggregation,
    level,
    asOf: latestT === null ? null : (received ?? latestT),
  };
}

const socioDefs = (defs: Defs) =>
  [...defs().values()].filter(
    (d): d is IndicatorDef & { period: FigurePeriod } =>
      d.domain === 'socio_economic' && isFigurePeriod(d.period),
  );

/** Every socio-economic indicator's figure as of the period's end (two years of values read). */
export async function socioFigures(
  db: Db,
  defs: Defs,
  until: number,
  only?: string,
  received: Received = NOT_RECEIVED,
): Promise<SocioEconomicFigure[]> {
  const ds = socioDefs(defs).filter((d) => !only || d.id === only);
  if (!ds.length) return [];
  // the latest period may be long before `until` (a yearly report): three years back covers it and its year
  const from = Date.UTC(yearOf(until - 1) - 3, 0, 1) - LOCAL_OFFSET_MS;
  const { values, plans } = await socioValues(
    db,
    ds.map((d) => d.id),
    from,
    until,
  );
  return ds.map((d) =>
    socioFigure(d, values.get(d.id) ?? new Map(), plans.get(d.id) ?? new Map(), until, received(d.id)),
  );
}

/**
 * One indicator's periods ending with the period's: the last 24 months or 8 quarters, or from the period's
 * start when it goes back further. Undefined: not a socio-economic indicator of the catalogue.
 */
export async function socioSeries(
  db: Db,
  defs: Defs,
  p: DashboardPeriod,
  id: string,
): Promise<SocioEconomicPoint[] | undefined> {
  const def = socioDefs(defs).find((d) => d.id === id);
  if (!def) return undefined;
  const end = periodStart(def.period, p.until - 1);
  const n = def.period === 'monthly' ? 24 : 8;
  const first = Math.min(shiftPeriod(def.period, end, 1 - n), periodStart(def.period, p.from));
  const yearBack = def.period === 'monthly' ? -12 : -4;
  const { values } = await socioValues(db, [id], shiftPeriod(def.period, first, yearBack), p.until);
  const v = values.get(id) ?? new Map<number, number>();
  const out: SocioEconomicPoint[] = [];
  for (let t = first; t <= end; t = shiftPeriod(def.period, t, 1))
    out.push({
      period: periodLabel(def.period, t),
      t,
      value: v.get(t) ?? null,
      sameLastYear: v.get(shiftPeriod(def.period, t, yearBack)) ?? null,
    });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The console's tiles

/**
 * The three services' headline figures at `now`. `asOf`: when the newest value behind a figure was
 * received (`received`); the newest bucket's start when that is not known.
 */
export async function serviceTiles(
  db: Db,
  defs: Defs,
  now: number,
  received: Received = NOT_RECEIVED,
): Promise<ServiceTile[]> {
  const month = periodStart('monthly', now);
  const lastMonth = periodStart('monthly', month - 1);
  const today = localDayStart(now);
  const [[dossiers, dossiersBefore], [overdue], [mentions, mentionsBefore], ratio, grdp] = await Promise.all([
    dossierCounts(
      db,
      [
        [month, now],
        [lastMonth, month],
      ],
      null,
    ),
    overdueAt(db, [[now - OVERDUE_LOOKBACK_MS, now]]),
    mentionCounts(
      db,
      [
        [today, now],
        [today - DAY_MS, today],
      ],
      null,
    ),
    negativeBaselineRatio(db, now, null),
    socioFigures(db, defs, now, GRDP, received),
  ]);
  const newest = (bucket: number | null, ...ids: string[]) => {
    if (bucket === null) return null;
    const ts = ids.map(received).filter((t) => t !== null);
    return ts.length ? Math.max(...ts) : bucket;
  };
  const d = dossiers?.get('') ?? NO_DOSSIERS;
  const rate = onTimeRate(d);
  const m = mentions?.get('') ?? NO_MENTIONS;
  const g = grdp[0];
  const quarter = periodStart('quarterly', now);
  return [
    {
      service: 'public_services',
      key: 'onTimeRate',
      value: rate,
      unit: 'percent',
      span: 'month',
      periodStart: month,
      // the feed's newest value, not only the resolutions the rate counts: offices resolve nothing at night, but
      // the one-stop-shop system still sends its hourly overdue figure, and a tile 'stale since 17:00' each
      // evening would teach the wall to ignore staleness
      asOf: newest(d.lastResolved, DOSSIER.onTime, DOSSIER.late, DOSSIER.overdue, DOSSIER.received),
      level: levelOf(defs, DOSSIER.rate, rate),
      previous: onTimeRate(dossiersBefore?.get('') ?? NO_DOSSIERS),
      secondary: { key: 'overdueNow', value: sumOverdue(overdue), unit: 'dossier' },
    },
    {
      service: 'online_information',
      key: 'negativeShare',
      value: pct(m.negative, m.mentions),
      unit: 'percent',
      span: 'today',
      periodStart: today,
      asOf: newest(m.last, MENTIONS),
      level: mentionLevel(defs, ratio.get('')),
      previous: (() => {
        const y = mentionsBefore?.get('') ?? NO_MENTIONS;
        return pct(y.negative, y.mentions);
      })(),
      secondary: { key: 'mentionsToday', value: m.mentions, unit: 'mention' },
    },
    {
      service: 'socio_economic',
      key: 'grdpGrowth',
      value: g?.latest ?? null,
      unit: g?.unit ?? 'percent',
      span: 'quarter',
      periodStart: latestQuarter(g) ?? quarter,
      asOf: g?.asOf ?? null,
      level: g?.latest !== null && g?.latest !== undefined ? g.level : 'none',
      previous: g?.previous ?? null,
      secondary: { key: 'plan', value: g?.plan ?? null, unit: g?.unit ?? 'percent' },
    },
  ];
}

/** The local start of a quarterly figure's latest period. */
function latestQuarter(g: SocioEconomicFigure | undefined): number | null {
  const t = g?.latestPeriod ? parsePeriod('quarterly', g.latestPeriod) : null;
  return typeof t === 'number' ? t : null;
}

/** The leaders' summary: each service's headline KPIs for the period. */
export async function servicesSummary(db: Db, defs: Defs, p: DashboardPeriod): Promise<ServiceKpi[]> {
  const [ps, [cur, prev], grdp] = await Promise.all([
    publicServiceKpis(db, defs, p),
    mentionCounts(
      db,
      [
        [p.from, p.until],
        [p.previousFrom, p.previousUntil],
      ],
      null,
    ),
    socioFigures(db, defs, p.until, GRDP),
  ]);
  const c = cur?.get('') ?? NO_MENTIONS;
  const v = prev?.get('') ?? NO_MENTIONS;
  const g = grdp[0];
  return [
    ...['onTimeRate', 'received', 'overdueNow'].flatMap((k) => ps.filter((x) => x.key === k)),
    serviceKpi('mentions', 'online_information', 'mention', c.mentions, v.mentions),
    serviceKpi(
      'negativeShare',
      'online_information',
      'percent',
      pct(c.negative, c.mentions),
      pct(v.negative, v.mentions),
    ),
    ...(g ? [serviceKpi('grdpGrowth', 'socio_economic', g.unit, g.latest, g.previous, g.level)] : []),
  ];
}

/** How long computed tiles are answered again: every wall console polls them, the summary shows them. */
export const TILES_TTL_MS = 5_000;

/** The services' queries bound to a database and the catalogue (what the composition root hands the router). */
export function servicesQueries(db: Db, defs: Defs, received: Received = NOT_RECEIVED) {
  // one computation at a time, answered to every call within its TTL
  let tiles: { at: number; answer: Promise<ServiceTile[]> } | undefined;
  return {
    /** the tiles at `now`, or as computed less than TILES_TTL_MS before */
    tiles: (now: number): Promise<ServiceTile[]> => {
      if (!tiles || now - tiles.at >= TILES_TTL_MS || now < tiles.at) {
        const answer = serviceTiles(db, defs, now, received);
        const entry = { at: now, answer };
        tiles = entry;
        answer.catch(() => {
          if (tiles === entry) tiles = undefined;
        });
      }
      return tiles.answer;
    },
    /** the tiles computed now, whatever was computed before (the benchmark) */
    computeTiles: (now: number) => serviceTiles(db, defs, now, received),
    summary: (p: DashboardPeriod) => servicesSummary(db, defs, p),
    publicKpis: (p: DashboardPeriod) => publicServiceKpis(db, defs, p),
    dossierSeries: (p: DashboardPeriod) => dossierSeries(db, p),
    agencies: (p: DashboardPeriod) => agencyFigures(db, defs, p),
    wards: (p: DashboardPeriod, wards: ReadonlyArray<{ id: string; name: string }>) =>
      wardFigures(db, p, wards),
    onlineKpis: (p: DashboardPeriod) => onlineKpis(db, defs, p),
    mentionSeries: (p: DashboardPeriod) => mentionSeries(db, p),
    mentions: (p: DashboardPeriod, by: 'topic' | 'source', limit: number) =>
      mentionFigures(db, defs, p, by, limit),
    socioFigures: (p: DashboardPeriod) => socioFigures(db, defs, p.until, undefined, received),
    socioSeries: (p: DashboardPeriod, id: string) => socioSeries(db, defs, p, id),
  };
}
export type ServicesQueries = ReturnType<typeof servicesQueries>;
