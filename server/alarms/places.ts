// Where the alarm rules see each asset: its ward (district) and a point, from the city model.
import type { CityModel, LonLat } from '#contract/assets.ts';
import type { AssetInfo } from './rules/cameraOffline.ts';
import type { SegmentInfo } from './rules/roadJam.ts';

export interface CityPlaces {
  city: CityModel;
  segments: Map<string, SegmentInfo>;
  cameras: Map<string, AssetInfo>;
  /** a ward's centre (its ring's mean point): where a flood parent is drawn */
  wardCentre: Map<string, { lat: number; lon: number }>;
  /** the ward a point lies in, or null */
  wardAt(lon: number, lat: number): string | null;
}

function inRing([x, y]: LonLat, ring: readonly LonLat[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function cityPlaces(city: CityModel): CityPlaces {
  const segments = new Map<string, SegmentInfo>();
  const segWard = new Map<string, string | null>();
  for (const s of city.segments) {
    const mid = s.coords[Math.floor(s.coords.length / 2)];
    segWard.set(s.id, s.districtId ?? null);
    segments.set(s.id, {
      id: s.id,
      name: s.name,
      speedLimitKmh: s.speedLimitKmh,
      wardId: s.districtId ?? null,
      lon: mid?.[0] ?? null,
      lat: mid?.[1] ?? null,
    });
  }
  const wardAt = (lon: number, lat: number): string | null =>
    city.districts.find((d) => inRing([lon, lat], d.ring))?.id ?? null;
  const cameras = new Map<string, AssetInfo>(
    city.cameras.map((c) => [
      c.id,
      {
        id: c.id,
        name: c.name,
        wardId: c.districtId ?? (c.segmentId ? segWard.get(c.segmentId) : undefined) ?? wardAt(c.lon, c.lat),
        lat: c.lat,
        lon: c.lon,
      },
    ]),
  );
  const wardCentre = new Map(
    city.districts.map((d) => {
      const pts = d.ring.slice(0, -1);
      const n = Math.max(1, pts.length);
      return [
        d.id,
        { lon: pts.reduce((a, p) => a + p[0], 0) / n, lat: pts.reduce((a, p) => a + p[1], 0) / n },
      ];
    }),
  );
  return { city, segments, cameras, wardCentre, wardAt };
}
