/** A camera or road segment a device may publish for. */
export interface AssetRef {
  id: string;
  name: string;
}

export interface CityAssets {
  cameras: AssetRef[];
  segments: AssetRef[];
}

interface CityFeature {
  properties?: { kind?: unknown; id?: unknown; name?: unknown };
}

/** The cameras and segments of the city model (`GET /api/city`, GeoJSON). */
export function cityAssets(json: { features?: CityFeature[] }): CityAssets {
  const cameras: AssetRef[] = [];
  const segments: AssetRef[] = [];
  for (const f of json.features ?? []) {
    const p = f.properties ?? {};
    if (p.id === undefined || p.id === null) continue;
    const ref = { id: String(p.id), name: typeof p.name === 'string' ? p.name : String(p.id) };
    if (p.kind === 'camera') cameras.push(ref);
    else if (p.kind === 'segment') segments.push(ref);
  }
  return { cameras, segments };
}

/** The ids typed in a comma- (or space-, line-) separated field, trimmed, each once, in order. */
export function parseAssetIds(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[,;\s]+/)) {
    const id = part.trim();
    if (id) seen.add(id);
  }
  return [...seen];
}

export interface AssetCheck {
  ids: string[];
  /** ids the city model does not have (empty when the model could not be loaded) */
  unknown: string[];
  cameras: number;
  segments: number;
}

/** Checks typed ids against the city model; without one, nothing can be called unknown. */
export function checkAssets(text: string, city: CityAssets | null): AssetCheck {
  const ids = parseAssetIds(text);
  if (!city) return { ids, unknown: [], cameras: 0, segments: 0 };
  const cams = new Set(city.cameras.map((c) => c.id));
  const segs = new Set(city.segments.map((s) => s.id));
  let cameras = 0;
  let segments = 0;
  const unknown: string[] = [];
  for (const id of ids) {
    if (cams.has(id)) cameras++;
    else if (segs.has(id)) segments++;
    else unknown.push(id);
  }
  return { ids, unknown, cameras, segments };
}

/** The field's text with `more` ids added after those already there (none twice). */
export function addAssetIds(text: string, more: string[]): string {
  return [...new Set([...parseAssetIds(text), ...more])].join(', ');
}

/** How many of a device's assets are cameras and segments. */
export function countAssets(ids: string[], city: CityAssets | null): { cameras: number; segments: number } {
  const c = checkAssets(ids.join(','), city);
  return { cameras: c.cameras, segments: c.segments };
}
