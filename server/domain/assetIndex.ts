import type { Camera, CityModel, Segment } from '#contract/assets.ts';

/** Lookup of the city's assets by id, and the area that reports may come from. */
export interface AssetIndex {
  segments: Map<string, Segment>;
  cameras: Map<string, Camera>;
  /** the registered patrol and field units (the units module adds to it as units are registered) */
  units: ReadonlySet<string>;
  /** [w, s, e, n] widened by a margin: positions outside are not in this city */
  area: [number, number, number, number];
}

/** Builds the asset index; `marginDeg` widens the city's bbox (0.05° ≈ 5 km). */
export function indexAssets(
  city: CityModel,
  marginDeg = 0.05,
  units: ReadonlySet<string> = new Set(),
): AssetIndex {
  const [w, s, e, n] = city.bbox;
  return {
    segments: new Map(city.segments.map((x) => [x.id, x])),
    cameras: new Map(city.cameras.map((x) => [x.id, x])),
    units,
    area: [w - marginDeg, s - marginDeg, e + marginDeg, n + marginDeg],
  };
}

export function inArea(idx: AssetIndex, lon: number, lat: number): boolean {
  const [w, s, e, n] = idx.area;
  return lon >= w && lon <= e && lat >= s && lat <= n;
}
