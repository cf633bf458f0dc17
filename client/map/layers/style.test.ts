import { describe, expect, it } from 'vitest';
import type { CameraItem, TrafficItem } from '#contract/live.ts';
import {
  cameraStatus,
  incidentRadius,
  SPEED_DASHES,
  SPEED_WIDTHS,
  svgDash,
  TRAFFIC_STALE_MS,
  trafficLevel,
  worstStatus,
} from './style.ts';

const now = 1_700_000_000_000;
const reading = (speedKmh: number, ageMs = 0, level?: TrafficItem['level']): TrafficItem =>
  Object.freeze({ id: 's1', ts: now - ageMs, speedKmh, level: level ?? ('unknown' as const) });

describe('trafficLevel', () => {
  it('colours by speed relative to the limit', () => {
    expect(trafficLevel(reading(45), 50, now)).toBe('free');
    expect(trafficLevel(reading(30), 50, now)).toBe('slow');
    expect(trafficLevel(reading(20), 50, now)).toBe('heavy');
    expect(trafficLevel(reading(7), 50, now)).toBe('jam');
  });
  it("trusts the server's level when it gives one", () => {
    expect(trafficLevel(reading(45, 0, 'heavy'), 50, now)).toBe('heavy');
  });
  it('is unknown without a reading or when the reading is old', () => {
    expect(trafficLevel(undefined, 50, now)).toBe('unknown');
    expect(trafficLevel(reading(45, TRAFFIC_STALE_MS + 1), 50, now)).toBe('unknown');
    expect(trafficLevel(reading(45, TRAFFIC_STALE_MS - 1000), 50, now)).toBe('free');
  });
  it('draws congestion wider, so colour is not the only signal', () => {
    expect(SPEED_WIDTHS.jam).toBeGreaterThan(SPEED_WIDTHS.heavy);
    expect(SPEED_WIDTHS.heavy).toBeGreaterThan(SPEED_WIDTHS.slow);
    expect(SPEED_WIDTHS.slow).toBeGreaterThan(SPEED_WIDTHS.free);
  });
  it('draws congestion dashed, jammed unlike heavy, and free flow solid', () => {
    expect(svgDash('free')).toBeUndefined();
    expect(svgDash('slow')).toBeUndefined();
    expect(svgDash('unknown')).toBeUndefined();
    expect(svgDash('heavy')).toBeDefined();
    expect(svgDash('jam')).toBeDefined();
    expect(SPEED_DASHES.jam).not.toEqual(SPEED_DASHES.heavy);
    for (const level of ['heavy', 'jam'] as const) {
      const [dash, gap] = SPEED_DASHES[level];
      // round caps eat half a width into each gap: a gap must still show
      expect(gap - SPEED_WIDTHS[level]).toBeGreaterThanOrEqual(5);
      expect(dash).toBeGreaterThan(0);
    }
  });
});

describe('camera status', () => {
  const cam = (over: Partial<CameraItem>): CameraItem => ({ id: 'c1', ts: now, online: true, ...over });
  it('is offline, online, or marked by a recent event', () => {
    expect(cameraStatus(cam({ online: false }), now)).toBe('offline');
    expect(cameraStatus(cam({}), now)).toBe('online');
    expect(cameraStatus(cam({ lastEvent: { kind: 'accident', ts: now - 60_000 } }), now)).toBe('event');
    expect(cameraStatus(cam({ lastEvent: { kind: 'accident', ts: now - 3_600_000 } }), now)).toBe('online');
    expect(cameraStatus(cam({ lastEvent: { kind: 'vehicle_count', ts: now } }), now)).toBe('online');
    expect(cameraStatus(undefined, now)).toBe('unknown');
  });
  it("gives a cluster its worst member's status", () => {
    expect(worstStatus(['online', 'offline', 'online'])).toBe('offline');
    expect(worstStatus(['online', 'event', 'offline'])).toBe('event');
    expect(worstStatus(['online'])).toBe('online');
    expect(worstStatus([])).toBe('unknown');
  });
});

describe('incidentRadius', () => {
  it('grows with severity and clamps to 1..5', () => {
    expect(incidentRadius(5)).toBeGreaterThan(incidentRadius(1));
    expect(incidentRadius(9)).toBe(incidentRadius(5));
    expect(incidentRadius(0)).toBe(incidentRadius(1));
  });
});
