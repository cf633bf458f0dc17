import { describe, expect, it } from 'vitest';
import {
  cameraOutages,
  cameraStatus,
  createCameraProfile,
  crowdCount,
  isOnline,
  rareDetections,
  trafficDetections,
  watchesCrowds,
} from './cameraModel.ts';
import { generateCity } from './city.ts';

const city = generateCity();
const cams = createCameraProfile(city, 42);
const from = Date.UTC(2026, 10, 1);
const to = from + 7 * 86_400_000;

describe('camera model', () => {
  it('has a few per cent of cameras offline at any time, with both short blips and long outages', () => {
    let offline = 0;
    let samples = 0;
    for (let t = from; t < to; t += 600_000) {
      for (let c = 0; c < cams.ids.length; c++) {
        samples++;
        if (!isOnline(cams, c, t)) offline++;
      }
    }
    const share = offline / samples;
    expect(share).toBeGreaterThan(0.005);
    expect(share).toBeLessThan(0.08);
    const durations = cams.ids.flatMap((_, c) => cameraOutages(cams, c, from, to).map(([s, e]) => e - s));
    expect(durations.some((d) => d < 15 * 60_000)).toBe(true);
    expect(durations.some((d) => d > 2 * 3_600_000)).toBe(true);
    // Flaky cameras fail far more often than steady ones.
    const perCam = (flaky: number) => {
      const idx = cams.ids.map((_, c) => c).filter((c) => cams.flaky[c] === flaky);
      return idx.reduce((n, c) => n + cameraOutages(cams, c, from, to).length, 0) / Math.max(1, idx.length);
    };
    expect(perCam(1)).toBeGreaterThan(perCam(0) * 3);
  });

  it('reports offline status with no stream, and comes back online when an outage ends', () => {
    const [c, outage] = cams.ids
      .map((_, i) => [i, cameraOutages(cams, i, from, to)[0]] as const)
      .find(([, o]) => o !== undefined) ?? [0, undefined];
    expect(outage).toBeDefined();
    const [start, end] = outage ?? [0, 0];
    expect(cameraStatus(cams, c, start)).toEqual({ online: false, fps: 0, bitrateKbps: 0 });
    expect(cameraStatus(cams, c, end - 1).online).toBe(false);
    expect(cameraStatus(cams, c, end).online).toBe(true);
    expect(cameraStatus(cams, c, end).fps).toBeGreaterThan(0);
  });

  it('counts vehicles always, and flags congestion only on a slow segment', () => {
    const free = trafficDetections(cams, 0, from, { speedKmh: 55, volume: 120 }, 60);
    expect(free.map((d) => d.kind)).toEqual(['vehicle_count']);
    expect(free[0].count).toBe(120);
    const jammed = trafficDetections(cams, 0, from, { speedKmh: 8, volume: 300 }, 60);
    expect(jammed.map((d) => d.kind)).toEqual(['vehicle_count', 'congestion']);
    expect(jammed[1].confidence).toBeGreaterThan(0.8);
  });

  it('now and then sees rare things: crowds, wrong-way riders, accidents, fires, floods', () => {
    const kinds = new Set<string>();
    for (let h = from / 3_600_000; h < to / 3_600_000; h++) {
      for (let c = 0; c < cams.ids.length; c++) for (const d of rareDetections(cams, c, h)) kinds.add(d.kind);
    }
    for (const k of ['crowd', 'wrong_way', 'accident', 'flood', 'fire']) expect(kinds).toContain(k);
  });
});

describe('crowd counts (the hotspot layer)', () => {
  it('counts people at about one camera in five, now and then past the default threshold of 50', () => {
    const p = createCameraProfile(city, 42);
    const watching = city.cameras.map((_, c) => c).filter((c) => watchesCrowds(p, c));
    expect(watching.length / city.cameras.length).toBeGreaterThan(0.1);
    expect(watching.length / city.cameras.length).toBeLessThan(0.3);
    // a day of minutely counts (19:00 local is 12:00 UTC)
    const day = Date.UTC(2026, 10, 23, 0);
    const counts: number[] = [];
    for (const c of watching)
      for (let m = 0; m < 24 * 60; m += 5) {
        const d = crowdCount(p, c, day + m * 60_000);
        if (d) counts.push(d.count ?? 0);
      }
    const over = counts.filter((n) => n >= 50).length / counts.length;
    expect(over).toBeGreaterThan(0.005);
    expect(over).toBeLessThan(0.15);
    expect(
      crowdCount(
        p,
        city.cameras.findIndex((_, c) => !watchesCrowds(p, c)),
        day,
      ),
    ).toBeUndefined();
  });
});
