import type { CityModel } from '#contract/assets.ts';
import { distanceM } from '#contract/geo.ts';
import { topics } from '#contract/mqtt.ts';
import type { CameraEventKind } from '#contract/vocab.ts';
import {
  type CameraDetection,
  cameraOutages,
  cameraStatus,
  createCameraProfile,
  crowdCount,
  rareDetections,
  snapshotUrl,
  trafficDetections,
} from './cameraModel.ts';
import { createIncidentContext, type Incident, incidentsInHour } from './incidentModel.ts';
import { rngFor } from './rng.ts';
import { segmentGraph } from './segmentGraph.ts';
import { createServicesModel } from './servicesModel.ts';
import {
  createTrafficProfile,
  type Disruption,
  demandAt,
  slowdownAt,
  trafficReading,
} from './trafficModel.ts';

/** One MQTT message: a contract topic and its JSON payload. */
export interface SimMessage {
  topic: string;
  payload: object;
}

/** A running simulation of the city's devices. */
export interface Simulation {
  /** The messages due since the previous tick (the first tick gives one reading of every segment). */
  tick(nowMs: number): SimMessage[];
  /** History between two times, in time order, in chunks of about 5000 messages; ids are stable for a seed. */
  backfill(
    fromMs: number,
    toMs: number,
    opts?: { trafficStepMs?: number; cameraStepMs?: number },
  ): Generator<SimMessage[]>;
  /**
   * With `services`: what the province's offices have published by `nowMs` (monthly and quarterly figures of
   * the last 24 months, the year's plans), older than any backfill; ids stable. Else none.
   */
  published(nowMs: number): SimMessage[];
}

export interface SimulationOptions {
  city: CityModel;
  seed?: number;
  /** each segment reports this often, the segments spread evenly over the interval (default 5000) */
  trafficIntervalMs?: number;
  /** each camera reports its status this often (default 30000) */
  cameraStatusIntervalMs?: number;
  /** each online camera reports a vehicle count this often (default 60000) */
  cameraCountIntervalMs?: number;
  /** mean incident reports per hour over a day (default 6) */
  incidentsPerHour?: number;
  /**
   * also the province's other services on the indicator feed (servicesModel.ts: dossiers, mentions, the
   * statistics office's figures): a few messages a minute (default false, as for the traffic benchmarks)
   */
  services?: boolean;
}

const HOUR_MS = 3_600_000;
const CHUNK = 5000;
// A tick after a long pause (a laptop waking up) does not replay hours: backfill is for that.
const MAX_CATCH_UP_MS = 15 * 60_000;
// Disruptions last up to ~4 h plus an hour of recovery; reports lag the blockage by a few minutes.
const DISRUPTION_LOOKBACK_H = 6;
const CAMERA_SEES_INCIDENT_M = 350;
const CAMERA_KIND: Partial<Record<Incident['category'], CameraEventKind>> = {
  traffic_accident: 'accident',
  fire: 'fire',
  flooding: 'flood',
};

type Timed = { ts: number; msg: SimMessage };

/** Creates a seeded simulation of the city's traffic detectors, cameras and incident reports. */
export function createSimulation(opts: SimulationOptions): Simulation {
  const { city } = opts;
  const seed = opts.seed ?? 42;
  const trafficInterval = opts.trafficIntervalMs ?? 5000;
  const statusInterval = opts.cameraStatusIntervalMs ?? 30_000;
  const countInterval = opts.cameraCountIntervalMs ?? 60_000;
  const pre = `s${seed}`;

  const graph = segmentGraph(city);
  const traffic = createTrafficProfile(city, seed);
  const cams = createCameraProfile(city, seed);
  const incidentCtx = createIncidentContext(city, graph, seed, opts.incidentsPerHour ?? 6);
  const nSeg = city.segments.length;
  const nCam = city.cameras.length;
  const segTopic = city.segments.map((s) => topics.traffic(s.id));
  const statusTopic = city.cameras.map((c) => topics.cameraStatus(c.id));
  const eventTopic = city.cameras.map((c) => topics.cameraEvent(c.id));
  const snapUrl = city.cameras.map((c) => snapshotUrl(c.id));
  const incidentTopic = topics.incidentReport();

  const incidentCache = new Map<number, Incident[]>();
  const incidentsOf = (hour: number): Incident[] => {
    let list = incidentCache.get(hour);
    if (!list) {
      list = incidentsInHour(incidentCtx, hour);
      if (incidentCache.size > 500) incidentCache.delete(incidentCache.keys().next().value as number);
      incidentCache.set(hour, list);
    }
    return list;
  };
  // the city's serious incidents are what people then write about online
  const services = opts.services
    ? createServicesModel({ seed, wards: city.districts.map((d) => d.id), incidentsOfHour: incidentsOf })
    : undefined;

  type CamDetection = { c: number; det: CameraDetection; linked: boolean };
  const detectionCache = new Map<number, CamDetection[]>();
  /** Rare detections of every camera in an hour, and cameras catching the incidents reported near them. */
  const detectionsOf = (hour: number): CamDetection[] => {
    let list = detectionCache.get(hour);
    if (list) return list;
    list = [];
    for (let c = 0; c < nCam; c++)
      for (const det of rareDetections(cams, c, hour)) list.push({ c, det, linked: false });
    for (const inc of incidentsOf(hour)) {
      const kind = CAMERA_KIND[inc.category];
      if (!kind) continue;
      const rng = rngFor(seed, 0x5ee, hour, Number(inc.id.slice(inc.id.lastIndexOf('-') + 1)));
      city.cameras.forEach((cam, c) => {
        if (distanceM([cam.lon, cam.lat], [inc.lon, inc.lat]) > CAMERA_SEES_INCIDENT_M || !rng.chance(0.75))
          return;
        // The camera's analytics usually notice before anyone phones it in.
        const ts = Math.max(0, inc.ts - rng.int(0, 240_000));
        list?.push({
          c,
          det: { ts, kind, confidence: Math.round(rng.float(0.7, 0.97) * 100) / 100 },
          linked: true,
        });
      });
    }
    if (detectionCache.size > 500) detectionCache.delete(detectionCache.keys().next().value as number);
    detectionCache.set(hour, list);
    return list;
  };

  let disruptionHour = Number.NaN;
  let disruptions: Disruption[] = [];
  const disruptionsAt = (tMs: number): Disruption[] => {
    const hour = Math.floor(tMs / HOUR_MS);
    if (hour !== disruptionHour) {
      disruptionHour = hour;
      disruptions = [];
      for (let h = hour - DISRUPTION_LOOKBACK_H; h <= hour + 1; h++) {
        for (const inc of incidentsOf(h)) if (inc.disruption) disruptions.push(inc.disruption);
      }
    }
    return disruptions;
  };
  const slowdownCache = new Map<number, Float32Array>();
  /** Slowdown per segment, resolved to the minute: incidents evolve over minutes, not milliseconds. */
  const slowdownFor = (tMs: number): Float32Array => {
    const minute = Math.floor(tMs / 60_000);
    let s = slowdownCache.get(minute);
    if (!s) {
      s = slowdownAt(nSeg, disruptionsAt(tMs), minute * 60_000);
      if (slowdownCache.size > 64) slowdownCache.delete(slowdownCache.keys().next().value as number);
      slowdownCache.set(minute, s);
    }
    return s;
  };

  const trafficMsg = (
    i: number,
    ts: number,
    slowdown: number,
    demand: number,
    intervalMs: number,
  ): SimMessage => {
    const r = trafficReading(traffic, i, ts, intervalMs, slowdown, demand);
    return {
      topic: segTopic[i],
      payload: {
        ts,
        speedKmh: r.speedKmh,
        volume: r.volume,
        occupancy: r.occupancy,
        id: `${pre}-tr-${traffic.ids[i]}-${ts}`,
      },
    };
  };
  const statusMsg = (c: number, ts: number, tag = ''): Timed => {
    const st = cameraStatus(cams, c, ts);
    return {
      ts,
      msg: { topic: statusTopic[c], payload: { ts, ...st, id: `${pre}-cs-${cams.ids[c]}-${ts}${tag}` } },
    };
  };
  const eventMsg = (c: number, d: CameraDetection, tag = ''): Timed => ({
    ts: d.ts,
    msg: {
      topic: eventTopic[c],
      payload: {
        ts: d.ts,
        kind: d.kind,
        confidence: d.confidence,
        ...(d.count === undefined ? {} : { count: d.count }),
        snapshotUrl: snapUrl[c],
        id: `${pre}-ce-${cams.ids[c]}-${d.kind}-${d.ts}${tag}`,
      },
    },
  });
  const incidentMsg = (inc: Incident): Timed => ({
    ts: inc.ts,
    msg: {
      topic: incidentTopic,
      payload: {
        ts: inc.ts,
        category: inc.category,
        lat: inc.lat,
        lon: inc.lon,
        description: inc.description,
        severity: inc.severity,
        reporter: inc.reporter,
        id: inc.id,
      },
    },
  });
  /** What the camera's own segment shows at a time: counts always, congestion when slow. */
  const cameraTrafficMsgs = (c: number, ts: number, windowMs: number, out: Timed[]) => {
    const i = cams.segmentIndex[c];
    if (i < 0) return;
    const r = trafficReading(traffic, i, ts, windowMs, slowdownFor(ts)[i]);
    for (const d of trafficDetections(cams, c, ts, r, traffic.limit[i])) out.push(eventMsg(c, d));
  };
  /** A crowd-watching camera's people count (the console's hotspots), with each count of its own. */
  const crowdMsg = (c: number, ts: number, out: Timed[]) => {
    const d = crowdCount(cams, c, ts);
    if (d) out.push(eventMsg(c, d, '-n'));
  };

  /** Everything but the per-segment readings in (a, b]: reports, camera statuses, transitions and events. */
  const eventsBetween = (
    a: number,
    b: number,
    statusStep: number,
    countStep: number,
    stagger: boolean,
  ): Timed[] => {
    const out: Timed[] = [];
    for (let h = Math.floor(a / HOUR_MS); h <= Math.floor(b / HOUR_MS); h++) {
      for (const inc of incidentsOf(h)) if (inc.ts > a && inc.ts <= b) out.push(incidentMsg(inc));
    }
    if (services) out.push(...services.between(a, b));
    for (let h = Math.floor(a / HOUR_MS) - 1; h <= Math.floor(b / HOUR_MS) + 1; h++) {
      for (const { c, det, linked } of detectionsOf(h)) {
        if (det.ts > a && det.ts <= b && cameraStatus(cams, c, det.ts).online)
          out.push(eventMsg(c, det, linked ? '-i' : ''));
      }
    }
    for (let c = 0; c < nCam; c++) {
      const statusOffset = stagger ? Math.floor((c * statusStep) / nCam) : 0;
      for (let t = nextAfter(a, statusStep, statusOffset); t <= b; t += statusStep) out.push(statusMsg(c, t));
      const countOffset = stagger ? Math.floor((c * countStep) / nCam) : 0;
      for (let t = nextAfter(a, countStep, countOffset); t <= b; t += countStep) {
        if (!cameraStatus(cams, c, t).online) continue;
        cameraTrafficMsgs(c, t, countStep, out);
        crowdMsg(c, t, out);
      }
      // Going down and coming back are reported when they happen, not at the next periodic status.
      for (const [start, end] of cameraOutages(cams, c, a + 1, b + 1)) {
        if (start > a && start <= b) out.push(statusMsg(c, start, '-x'));
        if (end > a && end <= b) out.push(statusMsg(c, end, '-x'));
      }
    }
    return out.sort((x, y) => x.ts - y.ts);
  };

  let last: number | undefined;
  return {
    tick(nowMs) {
      if (last === undefined) last = nowMs - trafficInterval;
      if (nowMs <= last) return [];
      const a = Math.max(last, nowMs - MAX_CATCH_UP_MS);
      last = nowMs;
      const timed = eventsBetween(a, nowMs, statusInterval, countInterval, true);
      for (let i = 0; i < nSeg; i++) {
        const offset = Math.floor((i * trafficInterval) / nSeg);
        for (let t = nextAfter(a, trafficInterval, offset); t <= nowMs; t += trafficInterval) {
          timed.push({ ts: t, msg: trafficMsg(i, t, slowdownFor(t)[i], demandAt(t), trafficInterval) });
        }
      }
      return timed.sort((x, y) => x.ts - y.ts).map((x) => x.msg);
    },

    *backfill(fromMs, toMs, o = {}) {
      const tStep = o.trafficStepMs ?? 300_000;
      const cStep = o.cameraStepMs ?? 900_000;
      let buf: SimMessage[] = [];
      // The first window includes fromMs itself.
      let a = fromMs - 1;
      for (let t = nextAfter(a, tStep, 0); a < toMs; t += tStep) {
        const b = Math.min(t, toMs);
        for (const x of eventsBetween(a, b, cStep, cStep, false)) buf.push(x.msg);
        if (t <= toMs) {
          const slow = slowdownFor(t);
          const demand = demandAt(t);
          for (let i = 0; i < nSeg; i++) buf.push(trafficMsg(i, t, slow[i], demand, tStep));
        }
        a = b;
        if (buf.length >= CHUNK) {
          yield buf;
          buf = [];
        }
      }
      if (buf.length > 0) yield buf;
    },

    published: (nowMs) => services?.published(nowMs) ?? [],
  };
}

/** The first time after `a` on the grid offset + k·step. */
function nextAfter(a: number, step: number, offset: number): number {
  return offset + (Math.floor((a - offset) / step) + 1) * step;
}
