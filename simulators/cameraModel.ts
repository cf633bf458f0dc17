import type { CityModel } from '#contract/assets.ts';
import type { CameraEventKind } from '#contract/vocab.ts';
import { hashFloat, rngFor } from './rng.ts';
import { localClock } from './trafficModel.ts';

const HOUR_MS = 3_600_000;
// Outages are drawn per bucket: a steady camera may fail once in a few days, a flaky one every hour or two.
const STEADY_BUCKET_MS = 6 * HOUR_MS;
const FLAKY_BUCKET_MS = HOUR_MS;
const STEADY_MAX_MS = 10 * HOUR_MS;
const FLAKY_MAX_MS = 40 * 60_000;

/** Per-camera traits fixed for a seed. */
export interface CameraProfile {
  seed: number;
  ids: string[];
  flaky: Uint8Array;
  /** index of the segment the camera watches, -1 when none */
  segmentIndex: Int32Array;
  /** nominal stream settings */
  fps: Uint8Array;
  bitrateKbps: Uint16Array;
}

/** Picks which cameras are flaky and what each streams. */
export function createCameraProfile(
  city: Pick<CityModel, 'cameras' | 'segments'>,
  seed: number,
): CameraProfile {
  const segIndex = new Map(city.segments.map((s, i) => [s.id, i]));
  const n = city.cameras.length;
  const p: CameraProfile = {
    seed,
    ids: city.cameras.map((c) => c.id),
    flaky: new Uint8Array(n),
    segmentIndex: new Int32Array(n),
    fps: new Uint8Array(n),
    bitrateKbps: new Uint16Array(n),
  };
  city.cameras.forEach((c, i) => {
    p.flaky[i] = hashFloat(seed, 21, i) < 0.08 ? 1 : 0;
    p.segmentIndex[i] = segIndex.get(c.segmentId ?? '') ?? -1;
    const hd = hashFloat(seed, 22, i) < 0.6;
    p.fps[i] = hd ? 25 : 15;
    p.bitrateKbps[i] = hd ? 4096 : 2048;
  });
  return p;
}

/** One outage: offline from `startMs` (inclusive) to `endMs` (exclusive). */
export type Outage = [startMs: number, endMs: number];

function outageInBucket(p: CameraProfile, c: number, bucket: number): Outage | undefined {
  const flaky = p.flaky[c] === 1;
  const size = flaky ? FLAKY_BUCKET_MS : STEADY_BUCKET_MS;
  const rng = rngFor(p.seed, flaky ? 0xf1a : 0x57d, c, bucket);
  if (!rng.chance(flaky ? 0.35 : 0.15)) return undefined;
  const start = bucket * size + Math.floor(rng.next() * size);
  // Log-normal durations: most outages are short (a reboot, a link flap), a few last hours (a dead PSU).
  const median = flaky ? 5 * 60_000 : 45 * 60_000;
  const dur = Math.round(median * Math.exp(rng.normal(0, flaky ? 0.6 : 0.9)));
  return [start, start + Math.max(60_000, Math.min(flaky ? FLAKY_MAX_MS : STEADY_MAX_MS, dur))];
}

/** The outages of a camera that overlap [fromMs, toMs), in time order (overlapping ones merged). */
export function cameraOutages(p: CameraProfile, c: number, fromMs: number, toMs: number): Outage[] {
  const flaky = p.flaky[c] === 1;
  const size = flaky ? FLAKY_BUCKET_MS : STEADY_BUCKET_MS;
  const longest = flaky ? FLAKY_MAX_MS : STEADY_MAX_MS;
  const first = Math.floor((fromMs - longest) / size);
  const last = Math.floor(toMs / size);
  const out: Outage[] = [];
  for (let b = first; b <= last; b++) {
    const o = outageInBucket(p, c, b);
    if (!o || o[1] <= fromMs || o[0] >= toMs) continue;
    const prev = out[out.length - 1];
    if (prev && o[0] <= prev[1]) prev[1] = Math.max(prev[1], o[1]);
    else out.push(o);
  }
  return out;
}

/** Whether a camera is streaming at a time. */
export function isOnline(p: CameraProfile, c: number, tMs: number): boolean {
  return cameraOutages(p, c, tMs, tMs + 1).length === 0;
}

/** The status a camera reports at a time: while offline its encoder has nothing to send. */
export function cameraStatus(
  p: CameraProfile,
  c: number,
  tMs: number,
): { online: boolean; fps: number; bitrateKbps: number } {
  if (!isOnline(p, c, tMs)) return { online: false, fps: 0, bitrateKbps: 0 };
  // Bitrate breathes with scene complexity; fps dips now and then under load.
  const wobble = hashFloat(p.seed, 23, c, Math.floor(tMs / 30_000));
  return {
    online: true,
    fps: wobble < 0.05 ? p.fps[c] - 3 : p.fps[c],
    bitrateKbps: Math.round(p.bitrateKbps[c] * (0.8 + 0.35 * wobble)),
  };
}

/** An analytics event detected by a camera. */
export interface CameraDetection {
  ts: number;
  kind: CameraEventKind;
  confidence: number;
  count?: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The rare detections (crowds, wrong-way riders, fires, floods, crashes) a camera makes in one hour, online or not. */
export function rareDetections(p: CameraProfile, c: number, hour: number): CameraDetection[] {
  const start = hour * HOUR_MS;
  const rng = rngFor(p.seed, 0xca3, c, hour);
  const { hour: h, month } = localClock(start);
  const evening = h >= 17 && h < 23;
  const rainy = month >= 9 && month <= 12;
  const rates: [CameraEventKind, number][] = [
    ['wrong_way', 0.02],
    ['crowd', evening ? 0.04 : 0.008],
    ['accident', 0.004],
    ['flood', rainy ? 0.01 : 0.001],
    ['fire', 0.0008],
    ['other', 0.004],
  ];
  const out: CameraDetection[] = [];
  for (const [kind, rate] of rates) {
    if (!rng.chance(rate)) continue;
    out.push({
      ts: start + Math.floor(rng.next() * HOUR_MS),
      kind,
      // Analytics are less sure about rare things: false positives are part of a real feed.
      confidence: round2(rng.float(0.45, 0.95)),
      count: kind === 'crowd' ? rng.int(15, 80) : kind === 'wrong_way' ? rng.int(1, 3) : undefined,
    });
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** Detections from the camera's own segment at a time: a vehicle count always, congestion when it is slow. */
export function trafficDetections(
  p: CameraProfile,
  c: number,
  tMs: number,
  reading: { speedKmh: number; volume: number },
  limitKmh: number,
): CameraDetection[] {
  const conf = 0.85 + 0.13 * hashFloat(p.seed, 24, c, Math.floor(tMs / 1000));
  const out: CameraDetection[] = [
    { ts: tMs, kind: 'vehicle_count', confidence: round2(conf), count: reading.volume },
  ];
  const ratio = reading.speedKmh / limitKmh;
  if (ratio < 0.45) {
    out.push({
      ts: tMs,
      kind: 'congestion',
      confidence: round2(Math.min(0.99, 0.6 + 0.9 * (0.45 - ratio))),
      count: Math.round(12 + 50 * (1 - ratio)),
    });
  }
  return out;
}

/** Whether a camera looks over a gathering place (a square, a market, a beach front): it counts people. */
export function watchesCrowds(p: CameraProfile, c: number): boolean {
  return hashFloat(p.seed, 25, c) < 0.2;
}

/** How full a gathering place is by the hour (0–1): a quiet night, busy afternoons, a full evening. */
function crowdCurve(hour: number): number {
  if (hour < 5) return 0.05;
  if (hour < 7) return 0.3;
  if (hour < 17) return 0.45;
  if (hour < 22) return 0.85;
  return 0.3;
}

/**
 * The people a crowd-watching camera counts at a time (a `crowd` event with its count), or nothing
 * when the place is all but empty. A place holds 20–50 people on an ordinary evening; now and then
 * (about one 20-minute spell in twelve) a gathering fills it to one and a half to two and a half times
 * that, past the default threshold of 50: the hotspots and their alarms.
 */
export function crowdCount(p: CameraProfile, c: number, tMs: number): CameraDetection | undefined {
  if (!watchesCrowds(p, c)) return undefined;
  const capacity = 20 + 30 * hashFloat(p.seed, 26, c);
  const spell = Math.floor(tMs / (20 * 60_000));
  const surge = hashFloat(p.seed, 27, c, spell) < 0.08 ? 1.5 + hashFloat(p.seed, 28, c, spell) : 1;
  const noise = 0.85 + 0.3 * hashFloat(p.seed, 29, c, Math.floor(tMs / 60_000));
  const count = Math.round(capacity * crowdCurve(localClock(tMs).hour) * surge * noise);
  if (count < 3) return undefined;
  return { ts: tMs, kind: 'crowd', confidence: round2(0.8 + 0.15 * hashFloat(p.seed, 30, c, tMs)), count };
}

/** Where the server serves a camera's current frame. */
export function snapshotUrl(cameraId: string): string {
  return `/api/cameras/${encodeURIComponent(cameraId)}/snapshot`;
}
