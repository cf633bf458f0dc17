// A city of the size the console must stay smooth with: the generated Quy Nhơn, each street cut
// into pieces until there are `segments`, and `cameras` cameras spread along them.
import type { Camera, CityModel, LonLat, Segment } from '#contract/assets.ts';
import { cityToGeoJson } from '#contract/cityModel.ts';
import { generateCity } from '../../simulators/city.ts';

function along(coords: LonLat[], f: number): LonLat {
  const n = coords.length - 1;
  const x = Math.min(n - 1e-9, Math.max(0, f * n));
  const i = Math.floor(x);
  const t = x - i;
  const [a, b] = [coords[i], coords[i + 1]];
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}

export function bigCityGeoJson(segments = 5000, cameras = 500): object {
  const base: CityModel = generateCity(42);
  const pieces = Math.ceil(segments / base.segments.length);
  const segs: Segment[] = [];
  for (const s of base.segments) {
    for (let k = 0; k < pieces && segs.length < segments; k++) {
      const coords: LonLat[] = [];
      for (let j = 0; j <= 4; j++) coords.push(along(s.coords, (k + j / 4) / pieces));
      segs.push({ ...s, id: `${s.id}-${k}`, name: `${s.name} · ${k + 1}`, coords });
    }
  }
  const cams: Camera[] = [];
  for (let i = 0; i < cameras; i++) {
    const s = segs[Math.floor((i * segs.length) / cameras)];
    const [lon, lat] = along(s.coords, 0.5);
    cams.push({
      id: `cam-${String(i + 1).padStart(4, '0')}`,
      name: `Camera ${i + 1}`,
      lon,
      lat,
      segmentId: s.id,
      districtId: s.districtId,
    });
  }
  return cityToGeoJson({ ...base, segments: segs, cameras: cams });
}
