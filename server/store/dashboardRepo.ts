import { DAY_MS, localDate, localDayEnd } from '#contract/cityTime.ts';
import {
  type CalendarDay,
  type CameraAvailability,
  type DashboardPeriod,
  DEFAULT_RESOLVE_TARGET_HOURS,
  type DistrictFigures,
  INCIDENT_SOURCES,
  type IncidentGroup,
  type IncidentsBy,
  type Kpi,
  type KpiGroup,
  type KpiUnit,
  RESOLVE_TARGET_HOURS,
  type SeriesDay,
  type WorstSegment,
} from '#contract/dashboardApi.ts';
import { alarmHealth, alarmRate, alarmSources } from './alarmHealthRepo.ts';
import type { Db } from './db.ts';

// Dashboard figures. Traffic and cameras read only daily aggregates, never the raw readings: city and
// district figures the per-district ones of sql/010 (traffic_district_1d, camera_availability_district_1d:
// days x districts rows, whatever the number of segments), the rankings of segments and cameras the
// per-asset ones of sql/007 (traffic_1d, camera_availability_1d). Continuous aggregates on TimescaleDB,
// tables on plain PostgreSQL. Incidents are few (a few hundred a day) and read from their table by index.

const TS = (n: number) => `to_timestamp($${n}::float8 / 1000)`;
const LOCAL_DAY = (col: string) => `date_bin(INTERVAL '1 day', ${col}, TIMESTAMPTZ '2000-01-01 00:00:00+07')`;
const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
// Seconds, not extract(): since PostgreSQL 14 extract() returns numeric, which costs PGlite ~2 µs a
// row more than date_part's float8 (a 90-day summary sorts ~10,000 of them twice).
const SECONDS = (interval: string) => `date_part('epoch', ${interval})`;
// Each category's resolution target in seconds, written into the SQL (a CASE over code constants):
// a jsonb lookup per row was a third of the incident figures' time on PGlite.
const TARGET_SECONDS = `CASE category ${Object.entries(RESOLVE_TARGET_HOURS)
  .map(([c, h]) => {
    if (!/^[a-z_]+$/.test(c)) throw new Error(`category ${c} cannot be written into SQL`);
    return `WHEN '${c}' THEN ${h * 3600}`;
  })
  .join(' ')} ELSE ${DEFAULT_RESOLVE_TARGET_HOURS * 3600} END`;

/** Only one district's rows of a per-district aggregate, when asked (the district as $n). */
function inDistrict(n: number | null): string {
  return n === null ? '' : `AND district_id = $${n}`;
}

export interface TrafficTotals {
  avgSpeedKmh: number | null;
  peakSpeedKmh: number | null;
  congestedHours: number;
  segmentHours: number;
}

const TRAFFIC_FIGURES = (filter: string) => `
  (sum(speed_sum) FILTER (WHERE ${filter}) / nullif(sum(samples) FILTER (WHERE ${filter}), 0))::float8,
  (sum(peak_speed_sum) FILTER (WHERE ${filter}) / nullif(sum(peak_samples) FILTER (WHERE ${filter}), 0))::float8,
  coalesce(sum(congested_hours) FILTER (WHERE ${filter}), 0)::float8,
  coalesce(sum(hours) FILTER (WHERE ${filter}), 0)::float8`;

function toTotals(r: Record<string, number | null>, prefix: string): TrafficTotals {
  return {
    avgSpeedKmh: r[`${prefix}_avg`] ?? null,
    peakSpeedKmh: r[`${prefix}_peak`] ?? null,
    congestedHours: r[`${prefix}_cong`] ?? 0,
    segmentHours: r[`${prefix}_hours`] ?? 0,
  };
}

/** Traffic over the period's whole days and the previous period's, in one pass over traffic_district_1d. */
export async function trafficTotals(
  db: Db,
  p: DashboardPeriod,
): Promise<{ current: TrafficTotals; previous: TrafficTotals }> {
  const cols = (prefix: string, filter: string) =>
    TRAFFIC_FIGURES(filter)
      .split(',\n')
      .map((c, i) => `${c} AS ${prefix}_${['avg', 'peak', 'cong', 'hours'][i]}`)
      .join(',\n');
  const r = await db.query<Record<string, number | null>>(
    `SELECT ${cols('cur', `bucket >= ${TS(2)}`)}, ${cols('prev', `bucket < ${TS(2)}`)}
     FROM traffic_district_1d
     WHERE bucket >= ${TS(1)} AND bucket < ${TS(3)} ${inDistrict(p.district ? 4 : null)}`,
    [p.previousFrom, p.from, p.to, ...(p.district ? [p.district] : [])],
  );
  const row = r.rows[0] ?? {};
  return { current: toTotals(row, 'cur'), previous: toTotals(row, 'prev') };
}

/** Camera-hours online / camera-hours reported, this period and the previous one (whole days). */
export async function cameraTotals(
  db: Db,
  p: DashboardPeriod,
): Promise<{ current: number | null; previous: number | null; cameraHours: number }> {
  const r = await db.query<{ cur: number | null; prev: number | null; hours: number }>(
    `SELECT (sum(online_hours) FILTER (WHERE bucket >= ${TS(2)}) / nullif(sum(hours) FILTER (WHERE bucket >= ${TS(2)}), 0))::float8 AS cur,
       (sum(online_hours) FILTER (WHERE bucket < ${TS(2)}) / nullif(sum(hours) FILTER (WHERE bucket < ${TS(2)}), 0))::float8 AS prev,
       coalesce(sum(hours) FILTER (WHERE bucket >= ${TS(2)}), 0)::float8 AS hours
     FROM camera_availability_district_1d
     WHERE bucket >= ${TS(1)} AND bucket < ${TS(3)} ${inDistrict(p.district ? 4 : null)}`,
    [p.previousFrom, p.from, p.to, ...(p.district ? [p.district] : [])],
  );
  const row = r.rows[0];
  return { current: row?.cur ?? null, previous: row?.prev ?? null, cameraHours: row?.hours ?? 0 };
}

export interface IncidentStats extends IncidentGroup {
  ackP90Min: number | null;
  resolveP90Min: number | null;
}

/**
 * Incident figures for [from, until): received (created in it), resolved (resolved in it), resolved
 * on time (within the category's target), open at `until` (created before, neither resolved nor closed
 * by then), medians and 90th percentiles of minutes from report to acknowledgement (of those
 * acknowledged in it) and to resolution (of those resolved in it). Merged duplicates are left out.
 */
export async function incidentStats(
  db: Db,
  q: { from: number; until: number; district: string | null; by?: IncidentsBy },
): Promise<IncidentStats[]> {
  const key =
    q.by === 'category'
      ? 'category'
      : q.by === 'district'
        ? "coalesce(district_id, '')"
        : q.by === 'source'
          ? 'source'
          : "''";
  const inAck = `acknowledged_at >= ${TS(1)} AND acknowledged_at < ${TS(2)}`;
  const inRes = `resolved_at >= ${TS(1)} AND resolved_at < ${TS(2)}`;
  const ackMin = `${SECONDS('acknowledged_at - created_at')} / 60`;
  const resMin = `${SECONDS('resolved_at - created_at')} / 60`;
  const r = await db.query<IncidentStats>(
    `SELECT ${key} AS key,
       count(*) FILTER (WHERE created_at >= ${TS(1)})::int AS received,
       count(*) FILTER (WHERE ${inRes})::int AS resolved,
       count(*) FILTER (WHERE ${inRes} AND ${SECONDS('resolved_at - created_at')} <= ${TARGET_SECONDS})::int AS "resolvedOnTime",
       count(*) FILTER (WHERE (resolved_at IS NULL OR resolved_at >= ${TS(2)})
         AND (closed_at IS NULL OR closed_at >= ${TS(2)}))::int AS open,
       (percentile_cont(0.5) WITHIN GROUP (ORDER BY ${ackMin}) FILTER (WHERE ${inAck}))::float8 AS "ackMedianMin",
       (percentile_cont(0.9) WITHIN GROUP (ORDER BY ${ackMin}) FILTER (WHERE ${inAck}))::float8 AS "ackP90Min",
       (percentile_cont(0.5) WITHIN GROUP (ORDER BY ${resMin}) FILTER (WHERE ${inRes}))::float8 AS "resolveMedianMin",
       (percentile_cont(0.9) WITHIN GROUP (ORDER BY ${resMin}) FILTER (WHERE ${inRes}))::float8 AS "resolveP90Min"
     FROM incidents
     WHERE created_at < ${TS(2)} AND merged_into IS NULL ${q.district ? 'AND district_id = $3' : ''}
       -- cheap pre-filter: an incident done with before the period counts in none of the figures
       AND (created_at >= ${TS(1)} OR acknowledged_at >= ${TS(1)}
         OR coalesce(resolved_at, closed_at, 'infinity'::timestamptz) >= ${TS(1)})
     GROUP BY 1
     ORDER BY 1`,
    [q.from, q.until, ...(q.district ? [q.district] : [])],
  );
  return r.rows.map((x) => ({ ...x, onTimeRate: x.resolved > 0 ? x.resolvedOnTime / x.resolved : null }));
}

/** One row per local day of [from, min(to, the day of until)]: traffic, incidents, camera availability. */
export async function dailySeries(db: Db, p: DashboardPeriod): Promise<SeriesDay[]> {
  // days after the one `until` falls in have no data yet: left out
  const end = Math.min(p.to, Math.max(p.from + DAY_MS, localDayEnd(p.until)));
  const dn = p.district ? 3 : null;
  const params = [p.from, end, ...(p.district ? [p.district] : [])];
  const [traffic, incidents, cams] = await Promise.all([
    db.query<{ t: number; avg: number | null; peak: number | null; cong: number }>(
      `SELECT ${MS('bucket')} AS t,
         (sum(speed_sum) / nullif(sum(samples), 0))::float8 AS avg,
         (sum(peak_speed_sum) / nullif(sum(peak_samples), 0))::float8 AS peak,
         sum(congested_hours)::float8 AS cong
       FROM traffic_district_1d WHERE bucket >= ${TS(1)} AND bucket < ${TS(2)} ${inDistrict(dn)}
       GROUP BY bucket`,
      params,
    ),
    db.query<{ t: number; received: number; resolved: number }>(
      `SELECT ${MS('d')} AS t, sum(r)::int AS received, sum(s)::int AS resolved FROM (
         SELECT ${LOCAL_DAY('created_at')} AS d, 1 AS r, 0 AS s FROM incidents
         WHERE created_at >= ${TS(1)} AND created_at < ${TS(2)} AND merged_into IS NULL ${dn ? 'AND district_id = $3' : ''}
         UNION ALL
         SELECT ${LOCAL_DAY('resolved_at')}, 0, 1 FROM incidents
         WHERE resolved_at >= ${TS(1)} AND resolved_at < ${TS(2)} AND merged_into IS NULL ${dn ? 'AND district_id = $3' : ''}
       ) x GROUP BY d`,
      params,
    ),
    db.query<{ t: number; a: number | null }>(
      `SELECT ${MS('bucket')} AS t, (sum(online_hours) / nullif(sum(hours), 0))::float8 AS a
       FROM camera_availability_district_1d WHERE bucket >= ${TS(1)} AND bucket < ${TS(2)} ${inDistrict(dn)}
       GROUP BY bucket`,
      params,
    ),
  ]);
  const byT = <R extends { t: number }>(rows: R[]) => new Map(rows.map((r) => [Math.round(r.t), r]));
  const tr = byT(traffic.rows);
  const inc = byT(incidents.rows);
  const cam = byT(cams.rows);
  const out: SeriesDay[] = [];
  for (let t = p.from; t < end; t += DAY_MS) {
    const a = tr.get(t);
    const b = inc.get(t);
    out.push({
      day: localDate(t),
      t,
      avgSpeedKmh: a?.avg ?? null,
      peakSpeedKmh: a?.peak ?? null,
      congestedHours: a?.cong ?? 0,
      received: b?.received ?? 0,
      resolved: b?.resolved ?? 0,
      cameraAvailability: cam.get(t)?.a ?? null,
    });
  }
  return out;
}

/** The segments with the most congested hours in the period (then the lowest speed against the limit). */
export async function worstSegments(db: Db, p: DashboardPeriod, limit: number): Promise<WorstSegment[]> {
  const r = await db.query<Omit<WorstSegment, 'rank'>>(
    `WITH agg AS (
       SELECT segment_id, sum(speed_sum) / nullif(sum(samples), 0) AS avg,
         sum(peak_speed_sum) / nullif(sum(peak_samples), 0) AS peak,
         sum(congested_hours) AS cong, sum(hours) AS hours
       FROM traffic_1d WHERE bucket >= ${TS(1)} AND bucket < ${TS(2)}
       GROUP BY segment_id
     )
     SELECT agg.segment_id AS "segmentId", s.name, s.district_id AS "districtId",
       s.speed_limit_kmh::float8 AS "speedLimitKmh", agg.avg::float8 AS "avgSpeedKmh", agg.peak::float8 AS "peakSpeedKmh",
       (agg.avg / nullif(s.speed_limit_kmh, 0))::float8 AS "speedRatio",
       agg.cong::float8 AS "congestedHours", agg.hours::float8 AS hours
     FROM agg JOIN segments s ON s.id = agg.segment_id
     -- the district filtered after aggregating: a semi-join into the real-time aggregate made PGlite
     -- re-plan its union per segment (790 ms p95 for one ward against 120 ms for the whole city)
     ${p.district ? 'WHERE s.district_id = $4' : ''}
     ORDER BY agg.cong DESC, agg.avg / nullif(s.speed_limit_kmh, 0) ASC NULLS LAST, agg.segment_id
     LIMIT $3`,
    [p.from, p.to, limit, ...(p.district ? [p.district] : [])],
  );
  return r.rows.map((x, i) => ({ rank: i + 1, ...x }));
}

/** The least available cameras in the period (camera-hours online / camera-hours reported). */
export async function leastAvailableCameras(
  db: Db,
  p: DashboardPeriod,
  limit: number,
): Promise<CameraAvailability[]> {
  const r = await db.query<Omit<CameraAvailability, 'rank'>>(
    `WITH agg AS (
       SELECT camera_id, sum(online_hours) / nullif(sum(hours), 0) AS a, sum(hours) AS hours
       FROM camera_availability_1d WHERE bucket >= ${TS(1)} AND bucket < ${TS(2)}
       GROUP BY camera_id
     )
     SELECT agg.camera_id AS "cameraId", c.name, c.district_id AS "districtId",
       agg.a::float8 AS availability, agg.hours::float8 AS hours
     FROM agg JOIN cameras c ON c.id = agg.camera_id
     ${p.district ? 'WHERE c.district_id = $4' : ''}
     ORDER BY agg.a ASC, agg.camera_id
     LIMIT $3`,
    [p.from, p.to, limit, ...(p.district ? [p.district] : [])],
  );
  return r.rows.map((x, i) => ({ rank: i + 1, ...x }));
}

/** Traffic and camera figures per district over the period's whole days (for the map). */
export async function districtAssetFigures(
  db: Db,
  p: DashboardPeriod,
): Promise<
  Map<
    string,
    {
      avgSpeedKmh: number | null;
      congestedHours: number;
      segmentHours: number;
      cameraAvailability: number | null;
    }
  >
> {
  const [traffic, cams] = await Promise.all([
    db.query<{ d: string; avg: number | null; cong: number; hours: number }>(
      `SELECT district_id AS d, (sum(speed_sum) / nullif(sum(samples), 0))::float8 AS avg,
         sum(congested_hours)::float8 AS cong, sum(hours)::float8 AS hours
       FROM traffic_district_1d
       WHERE bucket >= ${TS(1)} AND bucket < ${TS(2)} AND district_id IS NOT NULL GROUP BY 1`,
      [p.from, p.to],
    ),
    db.query<{ d: string; a: number | null }>(
      `SELECT district_id AS d, (sum(online_hours) / nullif(sum(hours), 0))::float8 AS a
       FROM camera_availability_district_1d
       WHERE bucket >= ${TS(1)} AND bucket < ${TS(2)} AND district_id IS NOT NULL GROUP BY 1`,
      [p.from, p.to],
    ),
  ]);
  const out = new Map<
    string,
    {
      avgSpeedKmh: number | null;
      congestedHours: number;
      segmentHours: number;
      cameraAvailability: number | null;
    }
  >();
  const get = (d: string) => {
    let v = out.get(d);
    if (!v) {
      v = { avgSpeedKmh: null, congestedHours: 0, segmentHours: 0, cameraAvailability: null };
      out.set(d, v);
    }
    return v;
  };
  for (const r of traffic.rows)
    Object.assign(get(r.d), { avgSpeedKmh: r.avg, congestedHours: r.cong, segmentHours: r.hours });
  for (const r of cams.rows) get(r.d).cameraAvailability = r.a;
  return out;
}

/** Incidents received per local day over [from, to) (the calendar heatmap). */
export async function incidentCalendar(
  db: Db,
  q: { from: number; to: number; district: string | null },
): Promise<CalendarDay[]> {
  const r = await db.query<{ t: number; n: number }>(
    `SELECT ${MS(LOCAL_DAY('created_at'))} AS t, count(*)::int AS n FROM incidents
     WHERE created_at >= ${TS(1)} AND created_at < ${TS(2)} AND merged_into IS NULL ${q.district ? 'AND district_id = $3' : ''}
     GROUP BY 1`,
    [q.from, q.to, ...(q.district ? [q.district] : [])],
  );
  const byT = new Map(r.rows.map((x) => [Math.round(x.t), x.n]));
  const out: CalendarDay[] = [];
  for (let t = q.from; t < q.to; t += DAY_MS) out.push({ day: localDate(t), t, received: byT.get(t) ?? 0 });
  return out;
}

/** A figure's change from the previous period: null when either is; the ratio null when previous is 0. */
export function kpiDelta(value: number | null, previous: number | null): Pick<Kpi, 'delta' | 'deltaRatio'> {
  const delta = value !== null && previous !== null ? value - previous : null;
  return { delta, deltaRatio: delta !== null && previous ? delta / previous : null };
}

function kpi(
  key: string,
  group: KpiGroup,
  unit: KpiUnit,
  value: number | null,
  previous: number | null,
): Kpi {
  return { key, group, unit, value, previous, ...kpiDelta(value, previous) };
}

const EMPTY_STATS: IncidentStats = {
  key: '',
  received: 0,
  resolved: 0,
  resolvedOnTime: 0,
  onTimeRate: null,
  ackMedianMin: null,
  ackP90Min: null,
  resolveMedianMin: null,
  resolveP90Min: null,
  open: 0,
};

/** The headline figures of the period, each with its value in the previous period. */
export async function dashboardSummary(db: Db, p: DashboardPeriod): Promise<Kpi[]> {
  const d = p.district;
  const [traffic, cams, cur, prev, sources] = await Promise.all([
    trafficTotals(db, p),
    cameraTotals(db, p),
    incidentStats(db, { from: p.from, until: p.until, district: d }),
    incidentStats(db, { from: p.previousFrom, until: p.previousUntil, district: d }),
    db.query<{ source: string; cur: number; prev: number }>(
      `SELECT source, count(*) FILTER (WHERE created_at >= ${TS(3)})::int AS cur,
         count(*) FILTER (WHERE created_at < ${TS(2)})::int AS prev
       FROM incidents
       WHERE created_at >= ${TS(1)} AND created_at < ${TS(4)} AND merged_into IS NULL
         AND (created_at < ${TS(2)} OR created_at >= ${TS(3)}) ${d ? 'AND district_id = $5' : ''}
       GROUP BY source`,
      [p.previousFrom, p.previousUntil, p.from, p.until, ...(d ? [d] : [])],
    ),
  ]);
  const c = cur[0] ?? EMPTY_STATS;
  const v = prev[0] ?? EMPTY_STATS;
  const share = (t: TrafficTotals) => (t.segmentHours > 0 ? t.congestedHours / t.segmentHours : null);
  const t0 = traffic.current;
  const t1 = traffic.previous;
  const bySource = new Map(sources.rows.map((r) => [r.source, r]));
  return [
    kpi('avgSpeed', 'traffic', 'kmh', t0.avgSpeedKmh, t1.avgSpeedKmh),
    kpi('peakSpeed', 'traffic', 'kmh', t0.peakSpeedKmh, t1.peakSpeedKmh),
    kpi('congestedHours', 'traffic', 'hours', t0.congestedHours, t1.congestedHours),
    kpi('congestionShare', 'traffic', 'share', share(t0), share(t1)),
    kpi('received', 'incidents', 'count', c.received, v.received),
    kpi('resolved', 'incidents', 'count', c.resolved, v.resolved),
    kpi('open', 'incidents', 'count', c.open, v.open),
    kpi('onTimeRate', 'incidents', 'share', c.onTimeRate, v.onTimeRate),
    kpi('ackMedian', 'incidents', 'minutes', c.ackMedianMin, v.ackMedianMin),
    kpi('ackP90', 'incidents', 'minutes', c.ackP90Min, v.ackP90Min),
    kpi('resolveMedian', 'incidents', 'minutes', c.resolveMedianMin, v.resolveMedianMin),
    kpi('resolveP90', 'incidents', 'minutes', c.resolveP90Min, v.resolveP90Min),
    kpi('cameraAvailability', 'cameras', 'share', cams.current, cams.previous),
    ...INCIDENT_SOURCES.map((src) =>
      kpi(`reports.${src}`, 'reports', 'count', bySource.get(src)?.cur ?? 0, bySource.get(src)?.prev ?? 0),
    ),
  ];
}

/** Incident figures grouped by category, district or source; every known key present, zeros included. */
export async function incidentsBy(
  db: Db,
  p: DashboardPeriod,
  by: IncidentsBy,
  keys: readonly string[],
): Promise<IncidentGroup[]> {
  const rows = await incidentStats(db, { from: p.from, until: p.until, district: p.district, by });
  const found = new Map(rows.map((r) => [r.key, r]));
  const all = [...keys, ...rows.map((r) => r.key).filter((k) => !keys.includes(k))];
  return all.map((key) => {
    const { ackP90Min: _a, resolveP90Min: _r, ...g } = found.get(key) ?? { ...EMPTY_STATS, key };
    return g;
  });
}

/** Per district: incidents, traffic and camera figures (the choropleth and its table). */
export async function districtFigures(
  db: Db,
  p: DashboardPeriod,
  districts: ReadonlyArray<{ id: string; name: string }>,
): Promise<DistrictFigures[]> {
  const [inc, assets] = await Promise.all([
    incidentStats(db, { from: p.from, until: p.until, district: null, by: 'district' }),
    districtAssetFigures(db, p),
  ]);
  const byId = new Map(inc.map((r) => [r.key, r]));
  return districts.map((d) => {
    const i = byId.get(d.id);
    const a = assets.get(d.id);
    return {
      districtId: d.id,
      name: d.name,
      received: i?.received ?? 0,
      resolved: i?.resolved ?? 0,
      onTimeRate: i?.onTimeRate ?? null,
      avgSpeedKmh: a?.avgSpeedKmh ?? null,
      congestedHours: a?.congestedHours ?? 0,
      congestionShare: a && a.segmentHours > 0 ? a.congestedHours / a.segmentHours : null,
      cameraAvailability: a?.cameraAvailability ?? null,
    };
  });
}

/**
 * The dashboard's queries bound to a database (what the composition root hands the router).
 * `operatorPositions`: the operator positions sharing the alarms (the alarm rate is per position).
 */
export function dashboardQueries(db: Db, opts: { operatorPositions?: number } = {}) {
  const positions = Math.max(1, opts.operatorPositions ?? 1);
  const alarmQuery = (p: DashboardPeriod) => ({ ...p, positions });
  return {
    summary: (p: DashboardPeriod) => dashboardSummary(db, p),
    series: (p: DashboardPeriod) => dailySeries(db, p),
    worstSegments: (p: DashboardPeriod, limit: number) => worstSegments(db, p, limit),
    incidentsBy: (p: DashboardPeriod, by: IncidentsBy, keys: readonly string[]) =>
      incidentsBy(db, p, by, keys),
    cameras: (p: DashboardPeriod, limit: number) => leastAvailableCameras(db, p, limit),
    districts: (p: DashboardPeriod, districts: ReadonlyArray<{ id: string; name: string }>) =>
      districtFigures(db, p, districts),
    calendar: (q: { from: number; to: number; district: string | null }) => incidentCalendar(db, q),
    alarmHealth: (p: DashboardPeriod) => alarmHealth(db, alarmQuery(p)),
    alarmRate: (p: DashboardPeriod) => alarmRate(db, alarmQuery(p)),
    alarmSources: (p: DashboardPeriod, limit: number) =>
      alarmSources(db, { from: p.from, until: p.until, district: p.district }, limit),
  };
}
export type DashboardQueries = ReturnType<typeof dashboardQueries>;
