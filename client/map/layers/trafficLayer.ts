import { PathStyleExtension, type PathStyleExtensionProps } from '@deck.gl/extensions';
import { PathLayer } from '@deck.gl/layers';
import type { LonLat } from '#contract/assets.ts';
import type { TrafficItem } from '#contract/live.ts';
import type { MapSegment } from '../city.ts';
import { SPEED_COLORS, SPEED_DASHES, SPEED_LEVELS, SPEED_WIDTHS, trafficLevel } from './style.ts';

/** A segment's level as a small number: its index in `SPEED_LEVELS`. */
export const LEVEL_CODE = Object.fromEntries(SPEED_LEVELS.map((l, i) => [l, i])) as Record<
  (typeof SPEED_LEVELS)[number],
  number
>;
const UNKNOWN = LEVEL_CODE.unknown;

/** Points closer than this to the line through their neighbours are not drawn. */
const SIMPLIFY_M = 0.5;

/**
 * The roads as the GPU draws them, built once: every segment's path simplified (points on a
 * straight line add vertices, not shape) and flattened into one array of positions.
 */
export interface RoadGeometry {
  length: number;
  /** where each segment's points start in `positions`, counted in points */
  startIndices: Uint32Array;
  /** lon, lat, lon, lat, … */
  positions: Float64Array;
  /** each segment's simplified path, for the basemap's casing */
  paths: LonLat[][];
}

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

export function roadGeometry(segments: MapSegment[]): RoadGeometry {
  const paths = segments.map((s) => simplifyPath(s.coords));
  const startIndices = new Uint32Array(paths.length + 1);
  let n = 0;
  for (let i = 0; i < paths.length; i++) {
    startIndices[i] = n;
    n += paths[i].length;
  }
  startIndices[paths.length] = n;
  const positions = new Float64Array(n * 2);
  let k = 0;
  for (const p of paths) {
    for (const [lon, lat] of p) {
      positions[k++] = lon;
      positions[k++] = lat;
    }
  }
  return { length: paths.length, startIndices, positions, paths };
}

/**
 * Every segment's level at `now`, into `out`; answers whether any changed. The map redraws the
 * roads only then: most readings move a speed within its band and change nothing on screen.
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

export interface TrafficLayerState {
  geometry: RoadGeometry;
  /** each segment's level code (`LEVEL_CODE`), by index */
  levels: Uint8Array;
  /** bumped when any level changed: the only trigger for recomputing colours, widths, dashes */
  levelsVersion: number;
  visible: boolean;
}

/** One instance for every render: a new extension object would rebuild the layer's shaders. */
const DASHES = [new PathStyleExtension({ dash: true })];
const COLORS = SPEED_LEVELS.map((l) => SPEED_COLORS[l]);
const WIDTHS = SPEED_LEVELS.map((l) => SPEED_WIDTHS[l]);
const DASH_ARRAYS = SPEED_LEVELS.map((l) => SPEED_DASHES[l]);

type Info = { index: number };

/**
 * Road segments coloured by speed relative to their limit, wider and dashed when congested (the
 * basemap's dark casing shows through the gaps). The geometry is a flat binary array uploaded
 * once (`_pathType: 'open'`: no normalisation pass); only the colour, width and dash attributes
 * are recomputed, and only when a level changed. Picking answers the segment's index.
 */
export function trafficLayer(
  s: TrafficLayerState,
): PathLayer<MapSegment, PathStyleExtensionProps<MapSegment>> {
  const g = s.geometry;
  return new PathLayer<MapSegment, PathStyleExtensionProps<MapSegment>>({
    id: 'traffic',
    // the same object every render: deck.gl compares data by reference
    data: binaryData(g) as never,
    _pathType: 'open',
    positionFormat: 'XY',
    visible: s.visible,
    pickable: true,
    autoHighlight: true,
    highlightColor: [255, 255, 255, 90],
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    getColor: (_: unknown, { index }: Info) => COLORS[s.levels[index]],
    getWidth: (_: unknown, { index }: Info) => WIDTHS[s.levels[index]],
    extensions: DASHES,
    getDashArray: (_: unknown, { index }: Info) => DASH_ARRAYS[s.levels[index]],
    dashUnits: 'pixels',
    // each piece of road starts and ends on half a dash: short segments still show their pattern
    dashJustified: true,
    updateTriggers: {
      getColor: s.levelsVersion,
      getWidth: s.levelsVersion,
      getDashArray: s.levelsVersion,
    },
  } as never);
}

const binaryCache = new WeakMap<RoadGeometry, object>();
function binaryData(g: RoadGeometry): object {
  let d = binaryCache.get(g);
  if (!d) {
    d = {
      length: g.length,
      startIndices: g.startIndices,
      attributes: { getPath: { value: g.positions, size: 2 } },
    };
    binaryCache.set(g, d);
  }
  return d;
}

const NO_SEGMENT: MapSegment[] = [];
const selectedData = new WeakMap<MapSegment, MapSegment[]>();

/** A white halo around the selected segment. */
export function selectedSegmentLayer(seg: MapSegment | undefined): PathLayer<MapSegment> {
  let data = NO_SEGMENT;
  if (seg) {
    data = selectedData.get(seg) ?? [seg];
    selectedData.set(seg, data);
  }
  return new PathLayer<MapSegment>({
    id: 'traffic-selected',
    // a stable array per segment: a new one every frame would be new data every frame
    data,
    widthUnits: 'pixels',
    capRounded: true,
    jointRounded: true,
    getPath: (x) => x.coords,
    getColor: [255, 255, 255, 200],
    getWidth: 16,
  });
}
