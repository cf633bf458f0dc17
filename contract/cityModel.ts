import { type CityGeoJson, CityGeoJsonSchema, type CityModel, type LonLat } from './assets.ts';

/** Builds the city model from the contract's GeoJSON; throws with a readable message when it is not one. */
export function cityFromGeoJson(input: unknown, name = 'city'): CityModel {
  const parsed = CityGeoJsonSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`not a city GeoJSON: ${first?.path.join('.')}: ${first?.message}`);
  }
  const city: CityModel = {
    name: parsed.data.name ?? name,
    center: [0, 0],
    bbox: [0, 0, 0, 0],
    segments: [],
    cameras: [],
    districts: [],
    water: [],
  };
  const seen = new Set<string>();
  for (const f of parsed.data.features) {
    const p = f.properties;
    const key = `${p.kind}:${p.id}`;
    if (seen.has(key)) throw new Error(`not a city GeoJSON: duplicate ${p.kind} id ${p.id}`);
    seen.add(key);
    const g = f.geometry;
    if (p.kind === 'segment' && g.type === 'LineString') {
      city.segments.push({
        id: p.id,
        name: p.name ?? p.id,
        speedLimitKmh: p.speedLimitKmh ?? 50,
        districtId: p.districtId,
        coords: g.coordinates.map((c) => [c[0], c[1]] as LonLat),
      });
    } else if (p.kind === 'camera' && g.type === 'Point') {
      city.cameras.push({
        id: p.id,
        name: p.name ?? p.id,
        lon: g.coordinates[0],
        lat: g.coordinates[1],
        segmentId: p.segmentId,
        districtId: p.districtId,
      });
    } else if (p.kind === 'district' && g.type === 'Polygon') {
      city.districts.push({
        id: p.id,
        name: p.name ?? p.id,
        ring: g.coordinates[0].map((c) => [c[0], c[1]] as LonLat),
      });
    } else if (p.kind === 'water' && g.type === 'Polygon') {
      city.water?.push(g.coordinates[0].map((c) => [c[0], c[1]] as LonLat));
    } else {
      throw new Error(`not a city GeoJSON: ${p.kind} ${p.id} has a ${g.type} geometry`);
    }
  }
  if (city.segments.length === 0) throw new Error('not a city GeoJSON: it has no road segments');
  city.bbox = bboxOf(city);
  city.center = [(city.bbox[0] + city.bbox[2]) / 2, (city.bbox[1] + city.bbox[3]) / 2];
  return city;
}

/** Writes the city model as the contract's GeoJSON FeatureCollection. */
export function cityToGeoJson(city: CityModel): CityGeoJson {
  return {
    type: 'FeatureCollection',
    name: city.name,
    features: [
      ...city.districts.map((d) => ({
        type: 'Feature' as const,
        geometry: { type: 'Polygon' as const, coordinates: [d.ring] },
        properties: { kind: 'district' as const, id: d.id, name: d.name },
      })),
      ...city.segments.map((s) => ({
        type: 'Feature' as const,
        geometry: { type: 'LineString' as const, coordinates: s.coords },
        properties: {
          kind: 'segment' as const,
          id: s.id,
          name: s.name,
          speedLimitKmh: s.speedLimitKmh,
          ...(s.districtId ? { districtId: s.districtId } : {}),
        },
      })),
      ...city.cameras.map((c) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [c.lon, c.lat] as LonLat },
        properties: {
          kind: 'camera' as const,
          id: c.id,
          name: c.name,
          ...(c.segmentId ? { segmentId: c.segmentId } : {}),
          ...(c.districtId ? { districtId: c.districtId } : {}),
        },
      })),
      ...(city.water ?? []).map((ring, i) => ({
        type: 'Feature' as const,
        geometry: { type: 'Polygon' as const, coordinates: [ring] },
        properties: { kind: 'water' as const, id: `water-${i}` },
      })),
    ],
  };
}

/** Bounding box [w, s, e, n] of every asset. */
export function bboxOf(
  city: Pick<CityModel, 'segments' | 'cameras' | 'districts'>,
): [number, number, number, number] {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const add = ([x, y]: LonLat) => {
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  };
  for (const seg of city.segments) for (const c of seg.coords) add(c);
  for (const c of city.cameras) add([c.lon, c.lat]);
  for (const d of city.districts) for (const c of d.ring) add(c);
  return [w, s, e, n];
}
