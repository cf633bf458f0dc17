import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Camera } from '#contract/assets.ts';
import { HOTSPOT_MAX_AGE_MS, type HotspotLevel, hotspotLevel } from '#contract/hotspots.ts';
import type { CameraItem } from '#contract/live.ts';
import type { RGBA } from './style.ts';

/** A camera's latest people count against its threshold: one graduated circle of the hotspot layer. */
export interface HotspotPoint {
  cameraId: string;
  position: [number, number];
  count: number;
  threshold: number;
  level: HotspotLevel;
  ts: number;
}

/** Calm, filling up, past the threshold: colour and size both say it (colour is never the only signal). */
export const HOTSPOT_COLORS: Record<HotspotLevel, RGBA> = {
  calm: [45, 212, 191, 255],
  busy: [250, 204, 21, 255],
  over: [239, 68, 68, 255],
};

/** Radius in pixels: the area grows with the count, so a crowd twice as large looks twice as large. */
export const hotspotRadius = (count: number): number => Math.min(48, 5 + 3.2 * Math.sqrt(count));

/**
 * The hotspots now: every camera whose latest count is younger than HOTSPOT_MAX_AGE_MS, with its
 * threshold; the fullest last, so it is drawn on top.
 */
export function hotspotPoints(
  items: Iterable<CameraItem>,
  cameraById: ReadonlyMap<string, Pick<Camera, 'lon' | 'lat'>>,
  thresholdOf: (cameraId: string) => number,
  now: number,
): HotspotPoint[] {
  const out: HotspotPoint[] = [];
  for (const c of items) {
    const cam = cameraById.get(c.id);
    if (!c.crowd || !cam || now - c.crowd.ts > HOTSPOT_MAX_AGE_MS) continue;
    const threshold = thresholdOf(c.id);
    out.push({
      cameraId: c.id,
      position: [cam.lon, cam.lat],
      count: c.crowd.count,
      threshold,
      level: hotspotLevel(c.crowd.count, threshold),
      ts: c.crowd.ts,
    });
  }
  return out.sort((a, b) => a.count / a.threshold - b.count / b.threshold);
}

/** What the drawing depends on: the same key, the same picture (no redraw for a count that did not change). */
export const hotspotKey = (points: HotspotPoint[]): string =>
  points.map((p) => `${p.cameraId}:${p.count}:${p.level}`).join(',');

export interface HotspotLayerState {
  points: HotspotPoint[];
  version: number;
  visible: boolean;
}

const FONT = '"DejaVu Sans", "Noto Sans", sans-serif';

/** Graduated circles, translucent so the streets show through, with the count on each (read from afar). */
export function hotspotLayers(s: HotspotLayerState) {
  return [
    new ScatterplotLayer<HotspotPoint>({
      id: 'hotspots',
      data: s.points,
      visible: s.visible,
      pickable: true,
      getPosition: (p) => p.position,
      radiusUnits: 'pixels',
      getRadius: (p) => hotspotRadius(p.count),
      getFillColor: (p) => {
        const [r, g, b] = HOTSPOT_COLORS[p.level];
        return [r, g, b, p.level === 'over' ? 150 : 95];
      },
      getLineColor: (p) => HOTSPOT_COLORS[p.level],
      stroked: true,
      lineWidthUnits: 'pixels',
      getLineWidth: (p) => (p.level === 'over' ? 3 : 1.5),
      updateTriggers: {
        getRadius: s.version,
        getFillColor: s.version,
        getLineColor: s.version,
        getLineWidth: s.version,
      },
    }),
    new TextLayer<HotspotPoint>({
      id: 'hotspot-counts',
      data: s.points,
      visible: s.visible,
      getPosition: (p) => p.position,
      getText: (p) => String(p.count),
      getSize: (p) => (p.level === 'over' ? 15 : 12),
      sizeUnits: 'pixels',
      fontFamily: FONT,
      fontWeight: 700,
      characterSet: '0123456789',
      getColor: [255, 255, 255, 255],
      outlineWidth: 0.3,
      outlineColor: [15, 23, 42, 255],
      fontSettings: { sdf: true },
      updateTriggers: { getText: s.version, getSize: s.version },
    }),
  ];
}
