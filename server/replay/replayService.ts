import type { CityModel } from '#contract/assets.ts';
import type { CameraItem, Delta, TrafficItem } from '#contract/live.ts';
import {
  REPLAY_MAX_MARKERS,
  REPLAY_STEP_MS,
  type ReplayChanges,
  type ReplayMarkers,
  type ReplayRange,
  type ReplayState,
} from '#contract/replayApi.ts';
import {
  alarmAsOf,
  alarmChangesOf,
  type CameraEventLike,
  type CameraStatusLike,
  cameraChanges,
  cameraItem,
  mergeChanges,
  pushChange,
  trafficItem,
} from '../domain/replay.ts';
import { toAlarmItem } from '../store/alarmsRepo.ts';
import type { Db } from '../store/db.ts';
import { toIncidentItem } from '../store/incidentRows.ts';
import {
  alarmChanges,
  alarmsAt,
  cameraReports,
  camerasAt,
  incidentChanges,
  incidentsAt,
  oldestStored,
  rateOf,
  replayMarkers,
  trafficBuckets,
} from '../store/replayRepo.ts';

/** As the live state at start-up: a camera's status counts for a day, its event for an hour. */
const CAMERA_STATUS_WINDOW_MS = 24 * 3_600_000;
const CAMERA_EVENT_WINDOW_MS = 3_600_000;
/** How long the stored range is remembered (its oldest moment moves only with retention). */
const RANGE_CACHE_MS = 60_000;

export interface ReplayService {
  /** the picture at `at` */
  state(at: number): Promise<ReplayState>;
  /** the changes in (from, to] */
  changes(from: number, to: number): Promise<ReplayChanges>;
  markers(from: number, to: number): Promise<ReplayMarkers>;
  range(): Promise<ReplayRange>;
}

/** The 5-minute bucket whose figure is the traffic at `at`: the last one that ended at or before it. */
export const bucketAt = (at: number) => Math.floor(at / REPLAY_STEP_MS) * REPLAY_STEP_MS - REPLAY_STEP_MS;

/** The replay of the console from the stored histories (issue 16). */
export function replayService(db: Db, city: () => CityModel, now: () => number = Date.now): ReplayService {
  let limitsFor: CityModel | undefined;
  let limits = new Map<string, number>();
  const limitOf = (id: string) => {
    const c = city();
    if (c !== limitsFor) {
      limitsFor = c;
      limits = new Map(c.segments.map((s) => [s.id, s.speedLimitKmh]));
    }
    return limits.get(id);
  };
  let cachedRange: { at: number; from: number | undefined } | undefined;
  const range = async (): Promise<ReplayRange> => {
    const t = now();
    if (!cachedRange || t - cachedRange.at > RANGE_CACHE_MS)
      cachedRange = { at: t, from: await oldestStored(db) };
    return { from: cachedRange.from ?? t, to: t };
  };
  const cameraState = async (at: number) => {
    const { status, events } = await camerasAt(db, at, {
      statusWindowMs: CAMERA_STATUS_WINDOW_MS,
      eventWindowMs: CAMERA_EVENT_WINDOW_MS,
    });
    const by = new Map<string, { status?: CameraStatusLike; event?: CameraEventLike }>();
    for (const s of status) by.set(s.cameraId, { status: s });
    for (const e of events) by.set(e.cameraId, { ...by.get(e.cameraId), event: e });
    return by;
  };

  return {
    range,
    async state(at) {
      const b = bucketAt(at);
      const [rows, cams, incidents, alarms, r] = [
        await trafficBuckets(db, b, b),
        await cameraState(at),
        await incidentsAt(db, at),
        await alarmsAt(db, at),
        await range(),
      ];
      const traffic: TrafficItem[] = rows.map((x) => trafficItem(x, limitOf(x.segmentId)));
      const cameras: CameraItem[] = [];
      for (const [id, c] of cams) {
        const item = cameraItem(id, c.status, c.event);
        if (item) cameras.push(item);
      }
      const history = groupBy(alarms.history, (h) => h.alarmId);
      return {
        at,
        snapshot: {
          traffic,
          cameras,
          incidents: incidents.map(toIncidentItem),
          alarms: alarms.alarms.map((a) => alarmAsOf(toAlarmItem(a), history.get(a.id) ?? [])),
        },
        stats: { ingestRate: rateOf(rows) },
        range: r,
      };
    },
    async changes(from, to) {
      // traffic: each bucket that ends in (from, to], at its end
      const traffic: Delta<'traffic'>[] = [];
      const first = bucketAt(from) + REPLAY_STEP_MS;
      const last = bucketAt(to);
      if (last >= first) {
        for (const row of await trafficBuckets(db, first, last))
          pushChange(
            traffic,
            'traffic',
            row.bucket + REPLAY_STEP_MS,
            trafficItem(row, limitOf(row.segmentId)),
          );
      }
      const reports = await cameraReports(db, from, to);
      const cameras = cameraChanges(await cameraState(from), reports.status, reports.events);
      const incidents: Delta<'incidents'>[] = [];
      for (const row of await incidentChanges(db, from, to))
        pushChange(incidents, 'incidents', row.time, toIncidentItem(row));
      const a = await alarmChanges(db, from, to);
      const alarms = alarmChangesOf(a.alarms.map(toAlarmItem), a.history, from);
      return { from, to, deltas: mergeChanges(traffic, cameras, incidents, alarms) };
    },
    async markers(from, to) {
      const rows = await replayMarkers(db, from, to, REPLAY_MAX_MARKERS);
      const truncated = rows.length > REPLAY_MAX_MARKERS;
      return { from, to, markers: truncated ? rows.slice(1) : rows, truncated };
    },
  };
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}
