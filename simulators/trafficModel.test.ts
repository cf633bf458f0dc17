import { describe, expect, it } from 'vitest';
import { generateCity } from './city.ts';
import { segmentGraph, upstreamWithin } from './segmentGraph.ts';
import {
  createTrafficProfile,
  type Disruption,
  localClock,
  RECOVERY_MS,
  slowdownAt,
  trafficReading,
} from './trafficModel.ts';

const city = generateCity();
const profile = createTrafficProfile(city, 42);
const arterials = city.segments.flatMap((s, i) => (s.speedLimitKmh === 60 ? [i] : []));
const FIVE_MIN = 300_000;
// Wednesday 18 Nov 2026 and Saturday 21 Nov 2026, local times (UTC+7).
const local = (day: number, h: number, m = 0) => Date.UTC(2026, 10, day, h - 7, m);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const speeds = (t: number, idx: number[]) => idx.map((i) => trafficReading(profile, i, t, FIVE_MIN).speedKmh);

describe('traffic model', () => {
  it('knows the local clock and the weekend', () => {
    expect(localClock(local(18, 7, 30))).toMatchObject({ hour: 7.5, weekend: false, month: 11 });
    expect(localClock(local(21, 9)).weekend).toBe(true);
  });

  it('runs near the limit at 3 a.m. and much slower in the weekday rushes on arterials', () => {
    const night = mean(speeds(local(18, 3), arterials));
    const morning = mean(speeds(local(18, 7, 30), arterials));
    const evening = mean(speeds(local(18, 17, 30), arterials));
    expect(night).toBeGreaterThan(50);
    expect(morning).toBeLessThan(night * 0.65);
    expect(evening).toBeLessThan(night * 0.65);
    // A Saturday morning is lighter than a Wednesday's rush.
    expect(mean(speeds(local(21, 7, 30), arterials))).toBeGreaterThan(morning * 1.2);
  });

  it('reports volume and occupancy consistent with speed: a slow road is a full one', () => {
    const night = arterials.map((i) => trafficReading(profile, i, local(18, 3), FIVE_MIN));
    const rush = arterials.map((i) => trafficReading(profile, i, local(18, 7, 30), FIVE_MIN));
    expect(mean(rush.map((r) => r.occupancy))).toBeGreaterThan(mean(night.map((r) => r.occupancy)) * 3);
    expect(mean(rush.map((r) => r.volume))).toBeGreaterThan(mean(night.map((r) => r.volume)) * 3);
    for (const r of [...night, ...rush]) {
      expect(Number.isInteger(r.volume)).toBe(true);
      expect(r.occupancy).toBeGreaterThanOrEqual(0);
      expect(r.occupancy).toBeLessThanOrEqual(1);
    }
  });

  it('backs congestion up several segments upstream of an incident, and lets it fade after it clears', () => {
    const graph = segmentGraph(city);
    const at = city.segments.findIndex(
      (s) => s.name.startsWith('Lê Hồng Phong') && (graph.upstream.get(s.id)?.length ?? 0) > 1,
    );
    const reach = upstreamWithin(graph, city.segments[at].id, 4);
    const index = new Map(city.segments.map((s, i) => [s.id, i]));
    const start = local(18, 10);
    const d: Disruption = {
      startMs: start,
      clearMs: start + 40 * 60_000,
      severity: 4,
      segments: Int32Array.from([...reach.keys()].map((id) => index.get(id) ?? 0)),
      hops: Uint8Array.from(reach.values()),
    };
    const speedAt = (hop: number, t: number) => {
      const idx = [...reach.entries()].filter(([, h]) => h === hop).map(([id]) => index.get(id) ?? 0);
      const slow = slowdownAt(city.segments.length, [d], t);
      return {
        hit: mean(idx.map((i) => trafficReading(profile, i, t, FIVE_MIN, slow[i]).speedKmh)),
        calm: mean(idx.map((i) => trafficReading(profile, i, t, FIVE_MIN).speedKmh)),
      };
    };
    const during = start + 30 * 60_000;
    expect(speedAt(0, during).hit).toBeLessThan(speedAt(0, during).calm * 0.5);
    expect(speedAt(1, during).hit).toBeLessThan(speedAt(1, during).calm * 0.7);
    expect(speedAt(3, during).hit).toBeLessThan(speedAt(3, during).calm * 0.9);
    // Before it happened, nothing; soon after clearing, still slow; an hour later, gone.
    expect(speedAt(1, start - 60_000).hit).toBe(speedAt(1, start - 60_000).calm);
    const justCleared = speedAt(1, d.clearMs + 10 * 60_000);
    expect(justCleared.hit).toBeLessThan(justCleared.calm * 0.9);
    const later = speedAt(1, d.clearMs + RECOVERY_MS + 10 * 60_000);
    expect(later.hit).toBe(later.calm);
  });

  it('is a pure function of the seed and the time', () => {
    const other = createTrafficProfile(city, 43);
    const t = local(18, 12, 3);
    expect(trafficReading(createTrafficProfile(city, 42), 5, t, FIVE_MIN)).toEqual(
      trafficReading(profile, 5, t, FIVE_MIN),
    );
    expect(arterials.map((i) => trafficReading(other, i, t, FIVE_MIN).speedKmh)).not.toEqual(
      speeds(t, arterials),
    );
  });
});
