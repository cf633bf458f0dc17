import type { CityModel } from '#contract/assets.ts';
import { DAY_MS, LOCAL_OFFSET_MS } from '#contract/cityTime.ts';
import { hashFloat } from './rng.ts';

const NOISE_KNOT_MS = 600_000;
/** Jam density, vehicles per km per lane (mixed traffic, mostly motorbikes counted as vehicles). */
const JAM_DENSITY = 110;

/** Per-segment traits that stay fixed for a seed: free-flow speed, how badly rush hour hits, lanes. */
export interface TrafficProfile {
  seed: number;
  ids: string[];
  limit: Float32Array;
  /** free-flow speed as a share of the limit */
  free: Float32Array;
  /** how much of the city's demand turns into slowdown here */
  sensitivity: Float32Array;
  lanes: Uint8Array;
}

/** A reading of one segment, as its detector would report it. */
export interface TrafficReading {
  speedKmh: number;
  volume: number;
  occupancy: number;
}

/** Builds each segment's personality from its road class (read off the speed limit) and the seed. */
export function createTrafficProfile(city: Pick<CityModel, 'segments'>, seed: number): TrafficProfile {
  const n = city.segments.length;
  const p: TrafficProfile = {
    seed,
    ids: city.segments.map((s) => s.id),
    limit: new Float32Array(n),
    free: new Float32Array(n),
    sensitivity: new Float32Array(n),
    lanes: new Uint8Array(n),
  };
  city.segments.forEach((s, i) => {
    const limit = s.speedLimitKmh;
    // Wide national roads absorb demand; arterials through town carry the rush and choke on it.
    const classSens = limit >= 80 ? 0.4 : limit >= 60 ? 0.62 : limit >= 50 ? 0.45 : 0.3;
    const hotspot = hashFloat(seed, 11, i) < 0.1; // school gates, markets, the bus station
    p.limit[i] = limit;
    p.free[i] = 0.86 + 0.16 * hashFloat(seed, 12, i);
    p.sensitivity[i] = classSens * (hotspot ? 1.35 : 0.75 + 0.5 * hashFloat(seed, 13, i));
    p.lanes[i] = limit >= 60 ? 2 : 1;
  });
  return p;
}

/** Local hour of day (0..24, fractional) and whether it is a weekend, in the city's time zone. */
export function localClock(tMs: number): { hour: number; weekend: boolean; month: number } {
  const local = tMs + LOCAL_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  const hour = (local - day * DAY_MS) / 3_600_000;
  const dow = (day + 4) % 7; // 1970-01-01 was a Thursday
  const month = new Date(local).getUTCMonth() + 1;
  return { hour, weekend: dow === 0 || dow === 6, month };
}

const bump = (h: number, mu: number, sigma: number) => Math.exp(-((h - mu) ** 2) / (2 * sigma * sigma));

/** How busy the city's roads are (0..1) at a time: two weekday rushes, a lighter weekend. */
export function demandAt(tMs: number): number {
  const { hour: h, weekend } = localClock(tMs);
  const d = weekend
    ? 0.07 +
      0.4 * bump(h, 9.5, 1.5) +
      0.25 * bump(h, 13, 2.5) +
      0.5 * bump(h, 18, 1.6) +
      0.3 * bump(h, 20.5, 1.5)
    : 0.06 +
      0.95 * bump(h, 7.5, 0.65) +
      0.35 * bump(h, 11.5, 1.2) +
      0.2 * bump(h, 14.5, 1.5) +
      bump(h, 17.5, 0.7) +
      0.25 * bump(h, 20, 1.5);
  return Math.min(1, d);
}

/** A smooth per-segment wobble (-1..1) that drifts over ten-minute knots, plus a little per-reading jitter. */
function noise(seed: number, i: number, tMs: number): number {
  const k = Math.floor(tMs / NOISE_KNOT_MS);
  const f = (tMs - k * NOISE_KNOT_MS) / NOISE_KNOT_MS;
  const a = hashFloat(seed, i, k) * 2 - 1;
  const b = hashFloat(seed, i, k + 1) * 2 - 1;
  const s = f * f * (3 - 2 * f);
  const jitter = hashFloat(seed ^ 0x5bd1e995, i, Math.floor(tMs / 1000)) * 2 - 1;
  return 0.8 * (a + (b - a) * s) + 0.2 * jitter;
}

/**
 * A segment's reading at a time: the city's demand, the segment's personality, noise, and `slowdown`
 * (0..1, from incidents nearby). Volume and occupancy follow speed through Greenshields' model, so a
 * slow segment is a full one. `demand` may be passed in when many segments are read at the same time.
 */
export function trafficReading(
  p: TrafficProfile,
  i: number,
  tMs: number,
  intervalMs: number,
  slowdown = 0,
  demand = demandAt(tMs),
): TrafficReading {
  const freeSpeed = p.limit[i] * p.free[i];
  const rush = Math.max(0.12, 1 - p.sensitivity[i] * demand);
  const wobble = 1 + 0.07 * noise(p.seed, i, tMs);
  const speed = Math.max(2, Math.min(p.limit[i] * 1.15, freeSpeed * rush * (1 - slowdown) * wobble));
  const r = Math.min(1, speed / freeSpeed);
  // Density rises as speed falls; a floor that grows with demand keeps quiet roads from reading empty.
  const density = JAM_DENSITY * (1 - r) + 2 + 10 * demand;
  const flowPerHour = density * speed * p.lanes[i];
  return {
    speedKmh: Math.round(speed * 10) / 10,
    volume: Math.round((flowPerHour * intervalMs) / 3_600_000),
    occupancy: Math.round(Math.min(0.98, (0.92 * density) / JAM_DENSITY) * 1000) / 1000,
  };
}

/** An incident's grip on traffic: where it is, when it started and cleared, how bad, and the upstream reach. */
export interface Disruption {
  startMs: number;
  clearMs: number;
  severity: number;
  /** segment indexes affected, the incident's own first */
  segments: Int32Array;
  /** hops upstream from the incident's segment, per entry of `segments` */
  hops: Uint8Array;
}

const HOP_DELAY_MS = 4 * 60_000;
const ONSET_MS = 5 * 60_000;
const RECOVERY_TAU_MS = 15 * 60_000;
/** After clearing, a queue takes about this long to dissolve (the factor is then below 2 %). */
export const RECOVERY_MS = 60 * 60_000;

/** Slowdown (0..1) a disruption causes `hop` segments upstream at a time: it builds, holds, then decays. */
export function disruptionFactor(d: Disruption, hop: number, tMs: number): number {
  const reach = d.startMs + hop * HOP_DELAY_MS;
  if (tMs < reach || tMs > d.clearMs + RECOVERY_MS) return 0;
  const peak = Math.min(0.85, 0.35 + 0.1 * d.severity) * 0.72 ** hop;
  const onset = Math.min(1, (tMs - reach) / ONSET_MS);
  // The queue's tail clears last: upstream segments recover a little later than the incident's own.
  const clearAt = d.clearMs + hop * (HOP_DELAY_MS / 2);
  const recovery = tMs <= clearAt ? 1 : Math.exp(-(tMs - clearAt) / RECOVERY_TAU_MS);
  return peak * onset * recovery;
}

/** Combined slowdown per segment at a time from every disruption given (independent effects multiply). */
export function slowdownAt(n: number, disruptions: readonly Disruption[], tMs: number): Float32Array {
  const out = new Float32Array(n);
  for (const d of disruptions) {
    if (tMs < d.startMs || tMs > d.clearMs + RECOVERY_MS) continue;
    for (let k = 0; k < d.segments.length; k++) {
      const f = disruptionFactor(d, d.hops[k], tMs);
      if (f > 0) out[d.segments[k]] = 1 - (1 - out[d.segments[k]]) * (1 - f);
    }
  }
  return out;
}
