import type { Camera, CityModel, District, LonLat, Segment } from '#contract/assets.ts';
import { distanceM, pathLengthM } from '#contract/geo.ts';

/** A segment as the map draws it: its path and length (for length-weighted averages). */
export interface MapSegment extends Segment {
  lengthM: number;
}

export interface MapCity extends Omit<CityModel, 'segments'> {
  segments: MapSegment[];
  segmentById: Map<string, MapSegment>;
  cameraById: Map<string, Camera>;
  districtById: Map<string, District>;
}

interface Feature {
  geometry: { type: string; coordinates: unknown };
  properties: Record<string, unknown> & { kind?: string; id?: string | number; name?: string };
}

/**
 * Reads the contract's city GeoJSON (served by the IOC, so already validated there) without
 * bundling the schema library; features it does not understand are skipped.
 */
export function parseCity(json: { name?: string; features?: Feature[] }): MapCity {
  const segments: MapSegment[] = [];
  const cameras: Camera[] = [];
  const districts: District[] = [];
  const water: LonLat[][] = [];
  for (const f of json.features ?? []) {
    const p = f.properties ?? {};
    const id = String(p.id ?? '');
    const name = typeof p.name === 'string' ? p.name : id;
    const g = f.geometry;
    if (p.kind === 'segment' && g?.type === 'LineString') {
      const coords = (g.coordinates as number[][]).map((c) => [c[0], c[1]] as LonLat);
      segments.push({
        id,
        name,
        speedLimitKmh: typeof p.speedLimitKmh === 'number' ? p.speedLimitKmh : 50,
        districtId: typeof p.districtId === 'string' ? p.districtId : undefined,
        coords,
        lengthM: pathLengthM(coords),
      });
    } else if (p.kind === 'camera' && g?.type === 'Point') {
      const [lon, lat] = g.coordinates as number[];
      cameras.push({
        id,
        name,
        lon,
        lat,
        segmentId: typeof p.segmentId === 'string' ? p.segmentId : undefined,
        districtId: typeof p.districtId === 'string' ? p.districtId : undefined,
      });
    } else if (p.kind === 'district' && g?.type === 'Polygon') {
      districts.push({
        id,
        name,
        ring: ((g.coordinates as number[][][])[0] ?? []).map((c) => [c[0], c[1]] as LonLat),
      });
    } else if (p.kind === 'water' && g?.type === 'Polygon') {
      water.push(((g.coordinates as number[][][])[0] ?? []).map((c) => [c[0], c[1]] as LonLat));
    }
  }
  const bbox = bboxOf([
    ...segments.flatMap((s) => s.coords),
    ...cameras.map((c) => [c.lon, c.lat] as LonLat),
    ...districts.flatMap((d) => d.ring),
  ]);
  return {
    name: json.name ?? 'city',
    center: [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2],
    bbox,
    segments,
    cameras,
    districts,
    water,
    segmentById: new Map(segments.map((s) => [s.id, s])),
    cameraById: new Map(cameras.map((c) => [c.id, c])),
    districtById: new Map(districts.map((d) => [d.id, d])),
  };
}

function bboxOf(points: LonLat[]): [number, number, number, number] {
  let w = 180;
  let s = 90;
  let e = -180;
  let n = -90;
  for (const [x, y] of points) {
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  }
  return points.length ? [w, s, e, n] : [-180, -85, 180, 85];
}

/** The `n` cameras closest to a point, with their distance. */
export function nearestCameras(
  city: Pick<MapCity, 'cameras'>,
  at: LonLat,
  n = 3,
): Array<{ camera: Camera; distanceM: number }> {
  return city.cameras
    .map((camera) => ({ camera, distanceM: distanceM(at, [camera.lon, camera.lat]) }))
    .sort((a, b) => a.distanceM - b.distanceM)
    .slice(0, n);
}
