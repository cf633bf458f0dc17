import type { CityModel } from '#contract/assets.ts';
import type { CameraItem, IncidentItem, TrafficItem } from '#contract/live.ts';
import { speedLevel } from '#contract/live.ts';
import type { UnitItem } from '#contract/units.ts';
import type { CameraEventRecord, CameraStatusRecord, IngestBatch, TrafficRecord } from './records.ts';

/** What one applied batch changed, and the transitions alert rules look at. */
export interface StateChanges {
  traffic: TrafficItem[];
  cameras: CameraItem[];
  incidents: IncidentItem[];
  /** segments that went into `jam` with this batch */
  jammed: TrafficItem[];
  /** cameras that went from online to offline */
  wentOffline: CameraItem[];
  /** new camera detections of a serious kind */
  seriousEvents: CameraEventRecord[];
  newIncidents: IncidentItem[];
}

/** A change set with nothing in it. */
export function noChanges(): StateChanges {
  return {
    traffic: [],
    cameras: [],
    incidents: [],
    jammed: [],
    wentOffline: [],
    seriousEvents: [],
    newIncidents: [],
  };
}

const SERIOUS_EVENTS = new Set(['accident', 'fire', 'flood', 'wrong_way']);
/** closed incidents stay in the live layer this long, so operators see them leave */
const CLOSED_VISIBLE_MS = 15 * 60_000;

/**
 * The latest state of every asset, kept in memory: the live layers' snapshot and the source of deltas.
 * A reading older than the one held is ignored, so late or redelivered messages never move state back.
 */
export class CityState {
  readonly traffic = new Map<string, TrafficItem>();
  readonly cameras = new Map<string, CameraItem>();
  readonly incidents = new Map<string, IncidentItem>();
  /** patrol and field units (issue 15): the units module keeps them */
  readonly units = new Map<string, UnitItem>();
  private readonly limits: Map<string, number>;

  constructor(city: CityModel) {
    this.limits = new Map(city.segments.map((s) => [s.id, s.speedLimitKmh]));
  }

  /** Replaces the speed limits when the city model is reloaded. */
  setCity(city: CityModel): void {
    this.limits.clear();
    for (const s of city.segments) this.limits.set(s.id, s.speedLimitKmh);
  }

  /** Applies a stored batch and returns what changed. */
  apply(batch: IngestBatch, incidents: IncidentItem[]): StateChanges {
    const ch = noChanges();
    const touchedSeg = new Map<string, TrafficItem>();
    const levelBefore = new Map<string, string | undefined>();
    for (const r of batch.traffic) {
      const prev = this.traffic.get(r.segmentId);
      if (prev && prev.ts > r.time) continue;
      if (!levelBefore.has(r.segmentId)) levelBefore.set(r.segmentId, prev?.level);
      const item = this.trafficItem(r);
      this.traffic.set(r.segmentId, item);
      touchedSeg.set(r.segmentId, item);
    }
    ch.traffic = [...touchedSeg.values()];
    for (const item of ch.traffic)
      if (item.level === 'jam' && levelBefore.get(item.id) !== 'jam') ch.jammed.push(item);

    const touchedCam = new Map<string, CameraItem>();
    for (const r of batch.cameraStatus) {
      const prev = this.cameras.get(r.cameraId);
      if (prev && prev.ts > r.time) continue;
      const item = this.cameraStatusItem(r, prev);
      this.cameras.set(r.cameraId, item);
      if (prev?.online && !item.online) ch.wentOffline.push(item);
      touchedCam.set(r.cameraId, item);
    }
    for (const e of batch.cameraEvents) {
      const prev = this.cameras.get(e.cameraId);
      // a people count is kept apart from the last event, which the minutely vehicle counts replace
      const crowd =
        e.kind === 'crowd' && e.count !== null && !(prev?.crowd && prev.crowd.ts > e.time)
          ? { count: e.count, ts: e.time }
          : undefined;
      if (prev?.lastEvent && prev.lastEvent.ts > e.time && !crowd) continue;
      const item: CameraItem = {
        ...(prev ?? { id: e.cameraId, ts: e.time, online: true }),
        ...(prev?.lastEvent && prev.lastEvent.ts > e.time ? {} : { lastEvent: eventOf(e) }),
        ...(crowd ? { crowd } : {}),
      };
      this.cameras.set(e.cameraId, item);
      touchedCam.set(e.cameraId, item);
      if (SERIOUS_EVENTS.has(e.kind)) ch.seriousEvents.push(e);
    }
    ch.cameras = [...touchedCam.values()];

    for (const inc of incidents) {
      const isNew = !this.incidents.has(inc.id);
      this.incidents.set(inc.id, inc);
      ch.incidents.push(inc);
      if (isNew) ch.newIncidents.push(inc);
    }
    return ch;
  }

  /**
   * Applies items that another instance ingested; an older item than the one held is ignored. Answers
   * those taken (a replay after a break of the link between instances repeats items already held).
   */
  applyItems<T extends TrafficItem | CameraItem | IncidentItem | UnitItem>(
    layer: 'traffic' | 'cameras' | 'incidents' | 'units',
    items: T[],
  ): T[] {
    const m = (
      layer === 'traffic'
        ? this.traffic
        : layer === 'cameras'
          ? this.cameras
          : layer === 'units'
            ? this.units
            : this.incidents
    ) as Map<string, { ts?: number; updatedAt?: number }>;
    const taken: T[] = [];
    const t = (x: { ts?: number; updatedAt?: number }) => x.updatedAt ?? x.ts ?? 0;
    for (const it of items) {
      const prev = m.get(it.id);
      if (!prev || t(prev) <= t(it as { ts?: number; updatedAt?: number })) {
        m.set(it.id, it);
        taken.push(it);
      }
    }
    return taken;
  }

  /** Updates incidents changed outside ingest (lifecycle steps). */
  applyIncidents(items: IncidentItem[]): void {
    for (const i of items) this.incidents.set(i.id, i);
  }

  /** Loads the state found in the database at start-up. */
  load(init: {
    traffic: TrafficRecord[];
    cameraStatus: CameraStatusRecord[];
    cameraEvents: CameraEventRecord[];
    incidents: IncidentItem[];
  }): void {
    this.apply(
      {
        traffic: init.traffic,
        cameraStatus: init.cameraStatus,
        cameraEvents: init.cameraEvents,
        incidents: [],
        indicators: [],
        securityEvents: [],
        unitPositions: [],
      },
      init.incidents,
    );
  }

  /** The incidents an operator's live layer shows: all open ones and those closed a short while ago. */
  liveIncidents(now: number): IncidentItem[] {
    const out: IncidentItem[] = [];
    for (const [id, i] of this.incidents) {
      if (i.status === 'closed' && now - i.updatedAt > CLOSED_VISIBLE_MS) {
        this.incidents.delete(id);
        continue;
      }
      out.push(i);
    }
    return out;
  }

  private trafficItem(r: TrafficRecord): TrafficItem {
    const item: TrafficItem = {
      id: r.segmentId,
      ts: r.time,
      speedKmh: round1(r.speedKmh),
      level: speedLevel(r.speedKmh, this.limits.get(r.segmentId) ?? 50),
    };
    if (r.volume !== null) item.volume = r.volume;
    if (r.occupancy !== null) item.occupancy = round3(r.occupancy);
    return item;
  }

  private cameraStatusItem(r: CameraStatusRecord, prev: CameraItem | undefined): CameraItem {
    const item: CameraItem = { id: r.cameraId, ts: r.time, online: r.online };
    if (r.fps !== null) item.fps = r.fps;
    if (r.bitrateKbps !== null) item.bitrateKbps = r.bitrateKbps;
    if (prev?.lastEvent) item.lastEvent = prev.lastEvent;
    if (prev?.crowd) item.crowd = prev.crowd;
    return item;
  }
}

function eventOf(e: CameraEventRecord): NonNullable<CameraItem['lastEvent']> {
  const ev: NonNullable<CameraItem['lastEvent']> = { kind: e.kind, ts: e.time };
  if (e.confidence !== null) ev.confidence = e.confidence;
  if (e.count !== null) ev.count = e.count;
  if (e.snapshotUrl !== null) ev.snapshotUrl = e.snapshotUrl;
  return ev;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
