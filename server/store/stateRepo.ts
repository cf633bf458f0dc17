import type { IncidentItem } from '#contract/live.ts';
import type { CameraEventRecord, CameraStatusRecord, TrafficRecord } from '../domain/records.ts';
import type { Db } from './db.ts';
import { INCIDENT_COLUMNS, type IncidentRow, toIncidentItem } from './incidentRows.ts';

const H = 3_600_000;
const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
// real -> numeric -> float8 gives back 42.3 as sent, not 42.29999923706055.
const REAL = (col: string) => `${col}::numeric::float8`;

/**
 * The newest reading of each segment within `windowMs` (1 h) before `now`, for the live state at
 * start-up. DISTINCT ON over the (segment_id, time DESC) index (a skip scan on TimescaleDB).
 */
export async function latestTraffic(
  db: Db,
  opts: { now?: number; windowMs?: number } = {},
): Promise<TrafficRecord[]> {
  const since = (opts.now ?? Date.now()) - (opts.windowMs ?? H);
  const r = await db.query<TrafficRecord>(
    `SELECT DISTINCT ON (segment_id) ${MS('time')} AS "time", segment_id AS "segmentId",
       ${REAL('speed_kmh')} AS "speedKmh", volume, ${REAL('occupancy')} AS occupancy, msg_id AS "msgId"
     FROM traffic_readings
     WHERE time >= to_timestamp($1::float8 / 1000)
     ORDER BY segment_id, time DESC`,
    [since],
  );
  return r.rows;
}

/** The newest status of each camera within `windowMs` (24 h) before `now`. */
export async function latestCameraStatus(
  db: Db,
  opts: { now?: number; windowMs?: number } = {},
): Promise<CameraStatusRecord[]> {
  const since = (opts.now ?? Date.now()) - (opts.windowMs ?? 24 * H);
  const r = await db.query<CameraStatusRecord>(
    `SELECT DISTINCT ON (camera_id) ${MS('time')} AS "time", camera_id AS "cameraId", online,
       ${REAL('fps')} AS fps, ${REAL('bitrate_kbps')} AS "bitrateKbps", msg_id AS "msgId"
     FROM camera_status
     WHERE time >= to_timestamp($1::float8 / 1000)
     ORDER BY camera_id, time DESC`,
    [since],
  );
  return r.rows;
}

/**
 * The newest analytic event of each camera since `sinceMs` (epoch ms), and its newest people count
 * (a `crowd` event: the hotspot layer), oldest first.
 */
export async function latestCameraEvents(db: Db, sinceMs: number): Promise<CameraEventRecord[]> {
  const cols = `${MS('time')} AS "time", camera_id AS "cameraId", kind,
       ${REAL('confidence')} AS confidence, count, snapshot_url AS "snapshotUrl", msg_id AS "msgId"`;
  const r = await db.query<CameraEventRecord>(
    `SELECT * FROM (
       SELECT DISTINCT ON (camera_id) ${cols} FROM camera_events
       WHERE time >= to_timestamp($1::float8 / 1000) ORDER BY camera_id, time DESC
     ) latest
     UNION
     SELECT * FROM (
       SELECT DISTINCT ON (camera_id) ${cols} FROM camera_events
       WHERE time >= to_timestamp($1::float8 / 1000) AND kind = 'crowd' AND count IS NOT NULL
       ORDER BY camera_id, time DESC
     ) crowd
     ORDER BY "time"`,
    [sinceMs],
  );
  return r.rows;
}

/** Incidents not closed, newest first (at most `limit`, 5000). */
export async function openIncidents(db: Db, opts: { limit?: number } = {}): Promise<IncidentItem[]> {
  const r = await db.query<IncidentRow>(
    `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE status <> 'closed' ORDER BY created_at DESC, id DESC LIMIT $1`,
    [opts.limit ?? 5000],
  );
  return r.rows.map(toIncidentItem);
}

/** How many traffic readings are stored, counting no further than `cap` (cheap on any table size). */
export async function countReadings(db: Db, cap = 10_000): Promise<number> {
  const r = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM (SELECT 1 FROM traffic_readings LIMIT $1) AS x',
    [cap],
  );
  return r.rows[0]?.n ?? 0;
}
