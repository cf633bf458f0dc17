import { describe, expect, it } from 'vitest';
import { HOTSPOT_MAX_AGE_MS } from '#contract/hotspots.ts';
import type { CameraItem } from '#contract/live.ts';
import { hotspotPoints, hotspotRadius } from './hotspotLayer.ts';

const now = Date.UTC(2026, 10, 23, 12);
const cams = new Map([
  ['a', { lon: 109.2, lat: 13.7 }],
  ['b', { lon: 109.3, lat: 13.8 }],
  ['c', { lon: 109.4, lat: 13.9 }],
]);
const item = (id: string, count: number, age: number): CameraItem => ({
  id,
  ts: now,
  online: true,
  crowd: { count, ts: now - age },
});

describe('hotspot points', () => {
  it('levels each count against its camera’s threshold, fullest last, and drops old counts', () => {
    const pts = hotspotPoints(
      [
        item('a', 60, 0),
        item('b', 8, 60_000),
        item('c', 90, HOTSPOT_MAX_AGE_MS + 1),
        { id: 'x', ts: now, online: true },
      ],
      cams,
      (id) => (id === 'b' ? 10 : 50),
      now,
    );
    expect(pts.map((p) => [p.cameraId, p.count, p.threshold, p.level])).toEqual([
      ['b', 8, 10, 'busy'],
      ['a', 60, 50, 'over'],
    ]);
    expect(pts[1].position).toEqual([109.2, 13.7]);
  });

  it('draws a crowd four times as large twice as wide, within bounds', () => {
    expect(hotspotRadius(100) - 5).toBeCloseTo(2 * (hotspotRadius(25) - 5));
    expect(hotspotRadius(1e6)).toBe(48);
  });
});
