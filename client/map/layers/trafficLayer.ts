import type { Feature, FeatureCollection, LineString } from 'geojson';
import type { ExpressionSpecification, LineLayerSpecification } from 'maplibre-gl';
import type { LonLat } from '#contract/assets.ts';
import type { SpeedLevel, TrafficItem } from '#contract/live.ts';
import type { MapSegment } from '../city.ts';
import {
  type RGBA,
  SPEED_COLORS,
  SPEED_DASHES,
  SPEED_LEVELS,
  SPEED_WIDTHS,
  toCss,
  trafficLevel,
} from './style.ts';

/** A segment's level as a small number: its index in `SPEED_LEVELS`. */
export const LEVEL_CODE = Object.fromEntries(SPEED_LEVELS.map((l, i) => [l, i])) as Record<
  SpeedLevel,
  number
>;
const UNKNOWN = LEVEL_CODE.unknown;

/** Points closer than this to the line through their neighbours are not drawn. */
const SIMPLIFY_M = 0.5;

/** Douglas–Peucker in local metres: keeps the ends and every point that bends the line by more than `tolM`. */
export function simplifyPath(coords: LonLat[], tolM = SIMPLIFY_M): LonLat[] {
  if (coords.length <= 2) return coords;
  const lat0 = (coords[0][1] * Math.PI) / 180;
  const kx = 111_320 * Math.cos(lat0);
  const ky = 110_540;
  const keep = new Uint8Array(coords.length);
  keep[0] = 1;
  keep[coords.length - 1] = 1;
  const stack: Array<[number, number]> = [[0, coords.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop() as [number, number];
    const ax = coords[a][0] * kx;
    const ay = coords[a][1] * ky;
    const dx = coords[b][0] * kx - ax;
    const dy = coords[b][1] * ky - ay;
    const len = Math.hypot(dx, dy);
    let worst = -1;
    let worstD = tolM;
    for (let i = a + 1; i < b; i++) {
      const px = coords[i][0] * kx - ax;
      const py = coords[i][1] * ky - ay;
      const d = len > 0 ? Math.abs(px * dy - py * dx) / len : Math.hypot(px, py);
      if (d > worstD) {
        worstD = d;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return coords.filter((_, i) => keep[i]);
}

/**
 * The roads as the map draws them, built once: every segment's path simplified (points on a
 * straight line add vertices, not shape), as GeoJSON lines whose feature id is the segment's
 * index: the key of its feature state (its level), and what a pick answers.
 */
export function roadsData(segments: MapSegment[]): FeatureCollection<LineString> {
  return {
    type: 'FeatureCollection',
    features: segments.map((s, id) => ({
      type: 'Feature',
      id,
      properties: {},
      geometry: { type: 'LineString', coordinates: simplifyPath(s.coords) },
    })),
  };
}

/** The selected segment's own path (not simplified), or nothing. */
export function selectedData(seg: MapSegment | undefined): FeatureCollection<LineString> {
  const features: Feature<LineString>[] = seg
    ? [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: seg.coords } }]
    : [];
  return { type: 'FeatureCollection', features };
}

/**
 * Every segment's level at `now`, into `out`; answers whether any changed, and calls `changed`
 * for each that did: only those get new feature state (most readings move a speed within its
 * band and change nothing on screen).
 */
export function updateLevels(
  out: Uint8Array,
  segments: MapSegment[],
  traffic: Map<string, TrafficItem>,
  now: number,
  changed?: (index: number, level: number) => void,
): boolean {
  let any = false;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const code = LEVEL_CODE[trafficLevel(traffic.get(s.id), s.speedLimitKmh, now)];
    if (out[i] !== code) {
      out[i] = code;
      any = true;
      changed?.(i, code);
    }
  }
  return any;
}

/** Levels of segments that have not been evaluated yet. */
export function unknownLevels(n: number): Uint8Array {
  return new Uint8Array(n).fill(UNKNOWN);
}

export const ROADS_SOURCE = 'ioc-traffic';
export const SELECTED_SOURCE = 'ioc-traffic-selected';
export const CASING_LAYER = 'ioc-traffic-casing';
export const SELECTED_LAYER = 'ioc-traffic-selected';
/** the solid lines: free, slow, no data */
export const LINES_LAYER = 'ioc-traffic';
/** one layer per dashed level: MapLibre takes `line-dasharray` from properties, never from feature state */
export const DASHED_LEVELS = SPEED_LEVELS.filter((l) => SPEED_DASHES[l][1] > 0);
export const dashedLayerId = (level: SpeedLevel) => `ioc-traffic-${level}`;
/** every road layer, bottom to top */
export const ROAD_LAYERS = [CASING_LAYER, SELECTED_LAYER, LINES_LAYER, ...DASHED_LEVELS.map(dashedLayerId)];

/** Dark border on each side of a road line, in pixels. */
export const CASING_PX = 1.5;
export const CASING_COLOR = 'rgba(4, 8, 16, 0.86)';
/** What the pointer is over reads a little whiter (as deck.gl's highlight did: white at 90/255). */
const HOVER_MIX = 90 / 255;

/** feature state: the level code (`LEVEL_CODE`); `h`: under the pointer */
const LEVEL: ExpressionSpecification = ['coalesce', ['feature-state', 'l'], UNKNOWN];
const HOVER: ExpressionSpecification = ['boolean', ['feature-state', 'h'], false];

/** `value(level)` for each level code, by feature state. */
function byLevel(value: (l: SpeedLevel) => number | string): ExpressionSpecification {
  const cases = SPEED_LEVELS.slice(0, -1).flatMap((l) => [LEVEL_CODE[l], value(l)]);
  return ['match', LEVEL, ...cases, value(SPEED_LEVELS[SPEED_LEVELS.length - 1])] as ExpressionSpecification;
}

const hovered = ([r, g, b, a]: RGBA): RGBA => [
  Math.round(r + (255 - r) * HOVER_MIX),
  Math.round(g + (255 - g) * HOVER_MIX),
  Math.round(b + (255 - b) * HOVER_MIX),
  a,
];
const color = (l: SpeedLevel): ExpressionSpecification => [
  'case',
  HOVER,
  toCss(hovered(SPEED_COLORS[l])),
  toCss(SPEED_COLORS[l]),
];
const ROUND = { 'line-cap': 'round', 'line-join': 'round' } as const;

/**
 * The road network as MapLibre line layers over one GeoJSON source, bottom to top: the dark
 * casing (its width follows the level), the selected segment's white halo, the solid lines (free,
 * slow, no data) and one dashed layer per congested level. Every road is in every layer; a road's
 * level (feature state) gives it its colour and width in the layer of its level and width 0 (no
 * pixels) in the others, so a change of level is one `setFeatureState`, and the lines are drawn
 * without one instance per vertex (what made deck.gl's PathLayer slow on a CPU renderer).
 */
export function roadLayers(): LineLayerSpecification[] {
  const solid = (l: SpeedLevel) => (SPEED_DASHES[l][1] > 0 ? 0 : SPEED_WIDTHS[l]);
  return [
    {
      id: CASING_LAYER,
      type: 'line',
      source: ROADS_SOURCE,
      layout: ROUND,
      paint: {
        'line-color': CASING_COLOR,
        'line-width': ['+', 2 * CASING_PX, byLevel((l) => SPEED_WIDTHS[l])],
      },
    },
    {
      id: SELECTED_LAYER,
      type: 'line',
      source: SELECTED_SOURCE,
      layout: ROUND,
      paint: { 'line-color': 'rgba(255, 255, 255, 0.78)', 'line-width': 16 },
    },
    {
      id: LINES_LAYER,
      type: 'line',
      source: ROADS_SOURCE,
      layout: ROUND,
      paint: {
        'line-color': [
          'case',
          HOVER,
          byLevel((l) => toCss(hovered(SPEED_COLORS[l]))),
          byLevel((l) => toCss(SPEED_COLORS[l])),
        ],
        'line-width': byLevel(solid),
      },
    },
    ...DASHED_LEVELS.map(
      (level): LineLayerSpecification => ({
        id: dashedLayerId(level),
        type: 'line',
        source: ROADS_SOURCE,
        layout: ROUND,
        paint: {
          'line-color': color(level),
          'line-width': ['match', LEVEL, LEVEL_CODE[level], SPEED_WIDTHS[level], 0],
          // MapLibre counts dashes in line widths; SPEED_DASHES are pixels (round caps on each dash, as the legend)
          'line-dasharray': SPEED_DASHES[level].map((px) => px / SPEED_WIDTHS[level]),
        },
      }),
    ),
  ];
}
