import type { CameraEventKind } from '#contract/vocab.ts';
import { ALARM_COLUMNS, type AlarmRow } from './alarmsRepo.ts';
import type { Db } from './db.ts';
import { INCIDENT_COLUMNS, type IncidentRow } from './incidentRows.ts';

// The stored histories the replay reads (issue 16): the 5-minute traffic aggregates, the camera
// reports, the incidents' audit trail and the alarms' history. Every read is bounded by time and goes
// through an index per asset (a LATERAL per camera, segment or alarm), so a seek in a week of a city
// costs the same at any moment.

const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
const TS = (param: string) => `to_timestamp(${param}::float8 / 1000)`;
const REAL = (col: string) => `${col}::numeric::float8`;
const ORIGIN = `TIMESTAMPTZ '2000-01-01 00:00:00+00'`;
const STEP = `INTERVAL '5 minutes'`;

export interface TrafficBucketRow {
  /** bucket start, epoch ms */
  bucket: number;
  segmentId: string;
  avgSpeed: number;
  volume: number | null;
  samples: number;
}

/**
 * The 5-minute buckets of every segment that start in [fromBucket, toBucket] (epoch ms, aligned),
 * oldest first: from `traffic_5m` on TimescaleDB, from the same aggregation of the raw readings
 * per segment elsewhere (there `traffic_5m` is a view the planner cannot bound by time).
 */
export async function trafficBuckets(
  db: Db,
  fromBucket: number,
  toBucket: number,
): Promise<TrafficBucketRow[]> {
  const cols = `${MS('bucket')} AS bucket, segment_id AS "segmentId", avg_speed::float8 AS "avgSpeed",
    volume::float8 AS volume, samples::int AS samples`;
  if (db.timescale) {
    const r = await db.query<TrafficBucketRow>(
      `SELECT ${cols} FROM traffic_5m
       WHERE bucket >= ${TS('$1')} AND bucket <= ${TS('$2')}
       ORDER BY bucket, segment_id`,
      [fromBucket, toBucket],
    );
    return r.rows;
  }
  const r = await db.query<TrafficBucketRow>(
    `SELECT ${cols} FROM (
       SELECT date_bin(${STEP}, t.time, ${ORIGIN}) AS bucket, s.id AS segment_id, avg(t.speed_kmh) AS avg_speed,
         sum(t.volume) AS volume, count(*) AS samples
       FROM segments s
       JOIN LATERAL (
         SELECT time, speed_kmh, volume FROM traffic_readings r
         WHERE r.segment_id = s.id AND r.time >= ${TS('$1')} AND r.time < ${TS('$2')} + ${STEP}
       ) t ON true
       GROUP BY 1, 2
     ) x ORDER BY bucket, segment_id`,
    [fromBucket, toBucket],
  );
  return r.rows;
}

export interface CameraStatusRow {
  time: number;
  cameraId: string;
  online: boolean;
  fps: number | null;
  bitrateKbps: number | null;
}

export interface CameraEventRow {
  time: number;
  cameraId: string;
  kind: CameraEventKind;
  confidence: number | null;
  count: number | null;
  snapshotUrl: string | null;
}

const STATUS_COLS = `${MS('x.time')} AS "time", c.id AS "cameraId", x.online, ${REAL('x.fps')} AS fps,
  ${REAL('x.bitrate_kbps')} AS "bitrateKbps"`;
const EVENT_COLS = `${MS('x.time')} AS "time", c.id AS "cameraId", x.kind, ${REAL('x.confidence')} AS confidence,
  x.count, x.snapshot_url AS "snapshotUrl"`;

/** Each camera's newest status at or before `at` within `statusWindowMs`, and its newest event within `eventWindowMs`. */
export async function camerasAt(
  db: Db,
  at: number,
  o: { statusWindowMs: number; eventWindowMs: number },
): Promise<{ status: CameraStatusRow[]; events: CameraEventRow[] }> {
  const status = await db.query<CameraStatusRow>(
    `SELECT ${STATUS_COLS} FROM cameras c
     JOIN LATERAL (
       SELECT time, online, fps, bitrate_kbps FROM camera_status s
       WHERE s.camera_id = c.id AND s.time <= ${TS('$1')} AND s.time > ${TS('$2')}
       ORDER BY s.time DESC LIMIT 1
     ) x ON true`,
    [at, at - o.statusWindowMs],
  );
  const events = await db.query<CameraEventRow>(
    `SELECT ${EVENT_COLS} FROM cameras c
     JOIN LATERAL (
       SELECT time, kind, confidence, count, snapshot_url FROM camera_events e
       WHERE e.camera_id = c.id AND e.time <= ${TS('$1')} AND e.time > ${TS('$2')}
       ORDER BY e.time DESC LIMIT 1
     ) x ON true`,
    [at, at - o.eventWindowMs],
  );
  return { status: status.rows, events: events.rows };
}

/** Camera reports and events in (from, to], oldest first. */
export async function cameraReports(
  db: Db,
  from: number,
  to: number,
): Promise<{ status: CameraStatusRow[]; events: CameraEventRow[] }> {
  const range = `x.time > ${TS('$1')} AND x.time <= ${TS('$2')}`;
  const status = await db.query<CameraStatusRow>(
    `SELECT ${STATUS_COLS} FROM cameras c
     JOIN LATERAL (SELECT time, online, fps, bitrate_kbps FROM camera_status x WHERE x.camera_id = c.id AND ${range}) x ON true
     ORDER BY x.time`,
    [from, to],
  );
  const events = await db.query<CameraEventRow>(
    `SELECT ${EVENT_COLS} FROM cameras c
     JOIN LATERAL (SELECT time, kind, confidence, count, snapshot_url FROM camera_events x WHERE x.camera_id = c.id AND ${range}) x ON true
     ORDER BY x.time`,
    [from, to],
  );
  return { status: status.rows, events: events.rows };
}

// An incident as it stood at $1: its status from the newest audit event at or before then (rows
// stored without a trail: from the lifecycle's timestamps), its `updated_at` that event's time.
const INCIDENT_AT = (where: string) => `
  SELECT i.id, i.created_at, coalesce(e.time, i.created_at) AS updated_at, i.category, i.severity,
    coalesce(e.to_status, CASE
      WHEN i.closed_at <= ${TS('$1')} THEN 'closed' WHEN i.resolved_at <= ${TS('$1')} THEN 'resolved'
      WHEN i.dispatched_at <= ${TS('$1')} THEN 'dispatched' WHEN i.acknowledged_at <= ${TS('$1')} THEN 'acknowledged'
      ELSE 'new' END) AS status,
    i.lat, i.lon, i.description, i.photo_url, i.reporter, i.source, i.assignee, i.camera_id, i.detection_kind,
    i.detection_confidence
  FROM incidents i
  LEFT JOIN LATERAL (
    SELECT time, to_status FROM incident_events ev
    WHERE ev.incident_id = i.id AND ev.time <= ${TS('$1')} AND ev.to_status IS NOT NULL
    ORDER BY ev.time DESC, ev.id DESC LIMIT 1
  ) e ON true
  WHERE ${where}`;

/**
 * Incidents reported at or before `at` and not closed then, each in the state it had then. A
 * candidate is any incident whose `closed_at` is later (or none: a reopening clears it): one closed,
 * reopened and closed again carries only its last closing, and its trail says whether it was closed at `at`.
 */
export async function incidentsAt(db: Db, at: number, limit = 5000): Promise<IncidentRow[]> {
  const r = await db.query<IncidentRow>(
    `WITH x AS (${INCIDENT_AT(`i.created_at <= ${TS('$1')} AND (i.closed_at IS NULL OR i.closed_at > ${TS('$1')})`)})
     SELECT ${INCIDENT_COLUMNS} FROM x WHERE status <> 'closed'
     ORDER BY created_at DESC, id DESC LIMIT $2`,
    [at, limit],
  );
  return r.rows;
}

export interface IncidentChangeRow extends IncidentRow {
  /** the audit event's time */
  time: number;
}

/** Every change of an incident's status in (from, to] (its trail), the incident as it stood after it, oldest first. */
export async function incidentChanges(db: Db, from: number, to: number): Promise<IncidentChangeRow[]> {
  const r = await db.query<IncidentChangeRow>(
    `SELECT ${MS('ev.time')} AS time, i.id::text AS id, ${MS('i.created_at')} AS ts, ${MS('ev.time')} AS updated_at,
       i.category, i.severity::int AS severity, ev.to_status AS status, i.lat, i.lon, i.description, i.photo_url,
       i.reporter, i.source, i.assignee, i.camera_id, i.detection_kind, i.detection_confidence
     FROM incident_events ev JOIN incidents i ON i.id = ev.incident_id
     WHERE ev.time > ${TS('$1')} AND ev.time <= ${TS('$2')} AND ev.to_status IS NOT NULL
     ORDER BY ev.time, ev.id`,
    [from, to],
  );
  return r.rows;
}

export interface AlarmHistoryRow {
  alarmId: string;
  time: number;
  event: string;
  actor: string;
  toState: string;
  note: string | null;
}

/**
 * Alarms (as stored now) whose newest history entry at or before `at` left them out of `normal`, and
 * their whole history up to `at` (to rebuild the state they had then).
 */
export async function alarmsAt(
  db: Db,
  at: number,
): Promise<{ alarms: AlarmRow[]; history: AlarmHistoryRow[] }> {
  const alarms = await db.query<AlarmRow>(
    `SELECT ${ALARM_COLUMNS} FROM alarms a
     JOIN LATERAL (
       SELECT to_state FROM alarm_history h WHERE h.alarm_id = a.id AND h.time <= ${TS('$1')}
       ORDER BY h.time DESC, h.id DESC LIMIT 1
     ) last ON last.to_state <> 'normal'`,
    [at],
  );
  const ids = alarms.rows.map((a) => a.id);
  return { alarms: alarms.rows, history: await alarmHistory(db, ids, at) };
}

/** The alarms with history in (from, to], and their whole history up to `to`. */
export async function alarmChanges(
  db: Db,
  from: number,
  to: number,
): Promise<{ alarms: AlarmRow[]; history: AlarmHistoryRow[] }> {
  const alarms = await db.query<AlarmRow>(
    `SELECT ${ALARM_COLUMNS} FROM alarms a
     WHERE a.id IN (SELECT alarm_id FROM alarm_history WHERE time > ${TS('$1')} AND time <= ${TS('$2')})`,
    [from, to],
  );
  const ids = alarms.rows.map((a) => a.id);
  return { alarms: alarms.rows, history: await alarmHistory(db, ids, to) };
}

async function alarmHistory(db: Db, ids: string[], to: number): Promise<AlarmHistoryRow[]> {
  if (ids.length === 0) return [];
  const r = await db.query<AlarmHistoryRow>(
    `SELECT alarm_id::text AS "alarmId", ${MS('time')} AS time, event, actor, to_state AS "toState", note
     FROM alarm_history
     WHERE alarm_id IN (SELECT (jsonb_array_elements_text($1::jsonb))::bigint) AND time <= ${TS('$2')}
     ORDER BY time, id`,
    [JSON.stringify(ids), to],
  );
  return r.rows;
}

export interface MarkerRow {
  ts: number;
  kind: 'incident' | 'alarm';
  id: string;
  level: number;
}

/** Where incidents were reported and alarms activated in [from, to], the newest `limit` + 1, oldest first. */
export async function replayMarkers(db: Db, from: number, to: number, limit: number): Promise<MarkerRow[]> {
  const r = await db.query<MarkerRow>(
    `SELECT * FROM (
       (SELECT ${MS('created_at')} AS ts, 'incident' AS kind, id::text AS id, severity::int AS level FROM incidents
        WHERE created_at >= ${TS('$1')} AND created_at <= ${TS('$2')} ORDER BY created_at DESC LIMIT $3)
       UNION ALL
       (SELECT ${MS('h.time')} AS ts, 'alarm' AS kind, h.alarm_id::text AS id, a.priority::int AS level
        FROM alarm_history h JOIN alarms a ON a.id = h.alarm_id
        WHERE h.event = 'activate' AND h.time >= ${TS('$1')} AND h.time <= ${TS('$2')} ORDER BY h.time DESC LIMIT $3)
     ) m ORDER BY ts DESC LIMIT $3`,
    [from, to, limit + 1],
  );
  return r.rows.reverse();
}

/**
 * The oldest moment the stored history can show: the oldest traffic reading (per segment, through
 * its index), incident or alarm entry; undefined when nothing is stored.
 */
export async function oldestStored(db: Db): Promise<number | undefined> {
  const r = await db.query<{ t: number | null }>(
    `SELECT ${MS(`least(
       (SELECT min(x.time) FROM segments s
          JOIN LATERAL (SELECT time FROM traffic_readings r WHERE r.segment_id = s.id ORDER BY time LIMIT 1) x ON true),
       (SELECT min(created_at) FROM incidents),
       (SELECT min(time) FROM alarm_history))`)} AS t`,
  );
  return r.rows[0]?.t ?? undefined;
}

/** Traffic readings stored per second in one 5-minute bucket (the replay's ingest tile), null when none. */
export function rateOf(rows: TrafficBucketRow[]): number | null {
  if (rows.length === 0) return null;
  let n = 0;
  for (const r of rows) n += r.samples;
  return n / 300;
}
