import type { LonLat } from '#contract/assets.ts';
import { distanceM, pathLengthM } from '#contract/geo.ts';

/** Metres per degree of longitude at a latitude. */
export function metresPerDegLon(lat: number): number {
  return 111_320 * Math.cos((lat * Math.PI) / 180);
}

/** The point at fraction f (0..1) of a polyline's length. */
export function pointAlong(coords: readonly LonLat[], f: number): LonLat {
  const total = pathLengthM(coords);
  let left = Math.max(0, Math.min(1, f)) * total;
  for (let i = 1; i < coords.length; i++) {
    const d = distanceM(coords[i - 1], coords[i]);
    if (left <= d && d > 0) {
      const t = left / d;
      const [x0, y0] = coords[i - 1];
      const [x1, y1] = coords[i];
      return [x0 + (x1 - x0) * t, y0 + (y1 - y0) * t];
    }
    left -= d;
  }
  return coords[coords.length - 1];
}

/** Whether a point lies inside a polygon ring (even-odd rule). */
export function pointInRing(p: readonly number[], ring: readonly (readonly number[])[]): boolean {
  let inside = false;
  const [x, y] = p;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Clips a polygon (any shape) to the half-plane a·x + b·y <= c (one Sutherland–Hodgman pass). */
export function clipHalfPlane(poly: readonly LonLat[], a: number, b: number, c: number): LonLat[] {
  const out: LonLat[] = [];
  const inside = (p: LonLat) => a * p[0] + b * p[1] <= c;
  for (let i = 0; i < poly.length; i++) {
    const cur = poly[i];
    const prev = poly[(i + poly.length - 1) % poly.length];
    const cin = inside(cur);
    const pin = inside(prev);
    if (cin !== pin) {
      const dp = a * prev[0] + b * prev[1] - c;
      const dc = a * cur[0] + b * cur[1] - c;
      const t = dp / (dp - dc);
      out.push([prev[0] + (cur[0] - prev[0]) * t, prev[1] + (cur[1] - prev[1]) * t]);
    }
    if (cin) out.push(cur);
  }
  return out;
}

/** Signed area of a ring in its own units (positive when counter-clockwise). */
export function ringArea(ring: readonly LonLat[]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
    s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return s / 2;
}
