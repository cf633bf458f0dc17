// The alarm system's health over a period (EEMUA 191, the leaders' dashboard): read from the append-only
// alarm history (sql/012_alarms.sql) by its time index. Plain SQL that PGlite and PostgreSQL both run.
import {
  CHATTER_ACTIVATIONS,
  CHATTER_WINDOW_MS,
  FLOOD_RATE_WINDOW_MS,
  STANDING_ALARM_MS,
} from '#contract/alarms.ts';
import type { AlarmHealthKpi, AlarmRateBucket, AlarmSource } from '#contract/dashboardApi.ts';
import { alarmHealthKpi, alarmRateFigures, alarmRateSeries, keyDetail } from '../domain/alarmHealth.ts';
import type { Db } from './db.ts';

const TS = (n: number) => `to_timestamp($${n}::float8 / 1000)`;
const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
const INTERVAL_MS = (ms: number) => `(${Math.round(ms)} * interval '1 millisecond')`;
const ACTIVE = `('unack_active', 'ack_active')`;

/** What a figure is over: [from, until), one ward or the whole city. */
export interface AlarmScope {
  from: number;
  until: number;
  district: string | null;
}

/**
 * The alarms counted: every one but the flood parents (their children are), of the ward when asked.
 * `a` is `alarms`; the params are [from, until, district?].
 */
function scoped(q: AlarmScope): { where: string; params: unknown[] } {
  return {
    where: `a.title_code <> 'flood_group' ${q.district ? 'AND a.ward_id = $3' : ''}`,
    params: [q.from, q.until, ...(q.district ? [q.district] : [])],
  };
}

/** The alarms that chattered in the period: CHATTER_ACTIVATIONS activations within CHATTER_WINDOW_MS. */
function chatteringIds(where: string): string {
  return `SELECT DISTINCT x.alarm_id FROM (
      SELECT h.alarm_id, h.time,
        lag(h.time, ${CHATTER_ACTIVATIONS - 1}) OVER (PARTITION BY h.alarm_id ORDER BY h.time, h.id) AS back
      FROM alarm_history h JOIN alarms a ON a.id = h.alarm_id
      WHERE h.event = 'activate' AND h.time >= ${TS(1)} - ${INTERVAL_MS(CHATTER_WINDOW_MS)} AND h.time < ${TS(2)}
        AND ${where}
    ) x
    WHERE x.time >= ${TS(1)} AND x.time - x.back < ${INTERVAL_MS(CHATTER_WINDOW_MS)}`;
}

/** Alarms raised per 10-minute period from `from` (index → count; periods without any are left out). */
export async function alarmCounts(db: Db, q: AlarmScope): Promise<Map<number, number>> {
  const s = scoped(q);
  const r = await db.query<{ i: number; n: number }>(
    `SELECT floor((${MS('h.time')} - $1::float8) / ${FLOOD_RATE_WINDOW_MS})::int AS i, count(*)::int AS n
     FROM alarm_history h JOIN alarms a ON a.id = h.alarm_id
     WHERE h.event = 'activate' AND h.time >= ${TS(1)} AND h.time < ${TS(2)} AND ${s.where}
     GROUP BY 1`,
    s.params,
  );
  return new Map(r.rows.map((x) => [x.i, x.n]));
}

/**
 * The counts of the period beside the rate: the median minutes from an activation to its
 * acknowledgement (acknowledgements in the period; the activation may be older), the alarms standing
 * (active longer than STANDING_ALARM_MS at some time in it) and those chattering.
 */
export async function alarmCountsBeside(
  db: Db,
  q: AlarmScope,
): Promise<{ ackMedianMin: number | null; standing: number; chattering: number }> {
  const s = scoped(q);
  const standingMs = INTERVAL_MS(STANDING_ALARM_MS);
  const [ack, standing, chattering] = await Promise.all([
    db.query<{ m: number | null }>(
      `SELECT (percentile_cont(0.5) WITHIN GROUP (ORDER BY x.m))::float8 AS m FROM (
         SELECT date_part('epoch', k.time - (
             SELECT max(v.time) FROM alarm_history v
             WHERE v.alarm_id = k.alarm_id AND v.event = 'activate' AND v.time <= k.time
           )) / 60 AS m
         FROM alarm_history k JOIN alarms a ON a.id = k.alarm_id
         WHERE k.event = 'acknowledge' AND k.time >= ${TS(1)} AND k.time < ${TS(2)} AND ${s.where}
       ) x WHERE x.m IS NOT NULL`,
      s.params,
    ),
    // an activation [at, ended) stands from at + 24 h; it counts when that overlaps [from, until).
    // Those that can: still active now, or with history from the period on (where their end is)
    db.query<{ n: number }>(
      `SELECT count(DISTINCT h.alarm_id)::int AS n
       FROM alarm_history h JOIN alarms a ON a.id = h.alarm_id
       WHERE h.event = 'activate' AND h.time + ${standingMs} < ${TS(2)} AND ${s.where}
         AND (a.state IN ${ACTIVE}
           OR EXISTS (SELECT 1 FROM alarm_history y WHERE y.alarm_id = h.alarm_id AND y.time >= ${TS(1)}))
         AND coalesce((
             SELECT min(e.time) FROM alarm_history e
             WHERE e.alarm_id = h.alarm_id AND (e.time > h.time OR (e.time = h.time AND e.id > h.id))
               AND e.to_state NOT IN ${ACTIVE}
           ), 'infinity'::timestamptz) > greatest(${TS(1)}, h.time + ${standingMs})`,
      s.params,
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${chatteringIds(s.where)}) c`, s.params),
  ]);
  return {
    ackMedianMin: ack.rows[0]?.m ?? null,
    standing: standing.rows[0]?.n ?? 0,
    chattering: chattering.rows[0]?.n ?? 0,
  };
}

/** The period of a request and the operator positions sharing its alarms. */
export interface AlarmHealthQuery {
  from: number;
  until: number;
  previousFrom: number;
  previousUntil: number;
  district: string | null;
  positions: number;
}

/** Alarms raised per 10 minutes over [from, until), per operator position. */
export async function alarmRate(db: Db, q: AlarmHealthQuery): Promise<AlarmRateBucket[]> {
  const w = { from: q.from, until: q.until, positions: q.positions };
  return alarmRateSeries(await alarmCounts(db, { ...w, district: q.district }), w);
}

/** The alarm system's headline figures, each beside the previous period's and its target. */
export async function alarmHealth(db: Db, q: AlarmHealthQuery): Promise<AlarmHealthKpi[]> {
  const cur = { from: q.from, until: q.until, district: q.district };
  const prev = { from: q.previousFrom, until: q.previousUntil, district: q.district };
  const [c, p, cb, pb] = await Promise.all([
    alarmCounts(db, cur),
    alarmCounts(db, prev),
    alarmCountsBeside(db, cur),
    alarmCountsBeside(db, prev),
  ]);
  const fig = (counts: Map<number, number>, s: AlarmScope) => {
    const w = { from: s.from, until: s.until, positions: q.positions };
    return alarmRateFigures(alarmRateSeries(counts, w), w);
  };
  const fc = fig(c, cur);
  const fp = fig(p, prev);
  return [
    alarmHealthKpi('alarmsRaised', fc.raised, fp.raised),
    alarmHealthKpi('alarmRate', fc.rate, fp.rate),
    alarmHealthKpi('alarmPeakRate', fc.peak, fp.peak),
    alarmHealthKpi('alarmFloodShare', fc.floodShare, fp.floodShare),
    alarmHealthKpi('alarmAckMedian', cb.ackMedianMin, pb.ackMedianMin),
    alarmHealthKpi('alarmStanding', cb.standing, pb.standing),
    alarmHealthKpi('alarmChattering', cb.chattering, pb.chattering),
    alarmHealthKpi('operatorPositions', q.positions, q.positions),
  ];
}

/** The alarms raised most often in the period (then by key), with their place and whether they chattered. */
export async function alarmSources(db: Db, q: AlarmScope, limit: number): Promise<AlarmSource[]> {
  const s = scoped(q);
  const n = s.params.length + 1;
  const r = await db.query<Omit<AlarmSource, 'rank' | 'detail'>>(
    `WITH raised AS (
       SELECT h.alarm_id, count(*)::int AS n, max(h.time) AS last
       FROM alarm_history h JOIN alarms a ON a.id = h.alarm_id
       WHERE h.event = 'activate' AND h.time >= ${TS(1)} AND h.time < ${TS(2)} AND ${s.where}
       GROUP BY 1
     ), chat AS (${chatteringIds(s.where)})
     SELECT a.key, a.rule, a.asset_id AS "assetId",
       CASE WHEN a.rule LIKE 'incident%' THEN a.title_params ->> 'number' ELSE coalesce(sg.name, cm.name) END AS name,
       a.ward_id AS "wardId", r.n AS raised, (ch.alarm_id IS NOT NULL) AS chattering, ${MS('r.last')} AS "lastRaisedAt"
     FROM raised r JOIN alarms a ON a.id = r.alarm_id
       LEFT JOIN segments sg ON sg.id = a.asset_id
       LEFT JOIN cameras cm ON cm.id = a.asset_id
       LEFT JOIN chat ch ON ch.alarm_id = r.alarm_id
     ORDER BY r.n DESC, a.key COLLATE "C"
     LIMIT $${n}`,
    [...s.params, limit],
  );
  return r.rows.map((x, i) => ({
    rank: i + 1,
    key: x.key,
    rule: x.rule,
    assetId: x.assetId,
    name: x.name ?? null,
    detail: keyDetail(x.key, x.rule, x.assetId),
    wardId: x.wardId,
    raised: x.raised,
    chattering: x.chattering,
    lastRaisedAt: x.lastRaisedAt,
  }));
}
