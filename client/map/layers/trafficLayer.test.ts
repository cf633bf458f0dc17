import { createPropertyExpression, latest, validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import type { LonLat } from '#contract/assets.ts';
import type { SpeedLevel, TrafficItem } from '#contract/live.ts';
import type { MapSegment } from '../city.ts';
import { SPEED_COLORS, SPEED_DASHES, SPEED_LEVELS, SPEED_WIDTHS } from './style.ts';
import {
  CASING_LAYER,
  CASING_PX,
  DASHED_LEVELS,
  LEVEL_CODE,
  ROAD_LAYERS,
  ROADS_SOURCE,
  roadLayers,
  roadsData,
  SELECTED_LAYER,
  SELECTED_SOURCE,
  simplifyPath,
  unknownLevels,
  updateLevels,
} from './trafficLayer.ts';

const now = 1_700_000_000_000;
const seg = (id: string, coords: LonLat[]): MapSegment => ({
  id,
  name: id,
  speedLimitKmh: 50,
  coords,
  lengthM: 0,
});

describe('simplifyPath', () => {
  it('drops points on a straight line and keeps the bends and the ends', () => {
    const straight: LonLat[] = [
      [109.2, 13.77],
      [109.201, 13.771],
      [109.202, 13.772],
      [109.203, 13.773],
    ];
    expect(simplifyPath(straight)).toEqual([straight[0], straight[3]]);
    const bent: LonLat[] = [
      [109.2, 13.77],
      [109.201, 13.77],
      [109.201, 13.771],
    ];
    expect(simplifyPath(bent)).toEqual(bent);
  });
  it('keeps a point that moves the line by more than half a metre', () => {
    // ~1.1 m off the chord at this latitude
    const p: LonLat[] = [
      [109.2, 13.77],
      [109.201, 13.77001],
      [109.202, 13.77],
    ];
    expect(simplifyPath(p)).toHaveLength(3);
  });
});

describe('roadsData', () => {
  it('holds every segment, simplified, with its index as feature id', () => {
    const d = roadsData([
      seg('a', [
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
      seg('b', [
        [0, 0],
        [0, 1],
        [1, 1],
      ]),
    ]);
    expect(d.features.map((f) => f.id)).toEqual([0, 1]);
    expect(d.features.map((f) => f.geometry.coordinates)).toEqual([
      [
        [1, 1],
        [3, 3],
      ],
      [
        [0, 0],
        [0, 1],
        [1, 1],
      ],
    ]);
  });
});

describe('roadLayers', () => {
  const layers = roadLayers();
  const paint = (id: string, name: string, state: Record<string, unknown>) => {
    const layer = layers.find((l) => l.id === id) as { paint: Record<string, unknown> };
    const spec = latest.paint_line[name as 'line-width'];
    const e = createPropertyExpression(layer.paint[name], name, spec as never);
    if (e.result !== 'success') throw new Error(JSON.stringify(e.value));
    return e.value.evaluate({ zoom: 14 }, { type: 'LineString', properties: {} } as never, state as never);
  };
  /** the layer that shows a road of this level (the one where it has a width) and how */
  const shownBy = (level: SpeedLevel, hover = false) => {
    const state = { l: LEVEL_CODE[level], h: hover };
    const lines = ROAD_LAYERS.filter((id) => id !== CASING_LAYER && id !== SELECTED_LAYER);
    const drawn = lines.filter((id) => (paint(id, 'line-width', state) as number) > 0);
    expect(drawn).toHaveLength(1);
    const id = drawn[0];
    const c = paint(id, 'line-color', state) as { r: number; g: number; b: number; a: number };
    const layer = layers.find((l) => l.id === id) as { paint: Record<string, unknown> };
    return {
      width: paint(id, 'line-width', state),
      rgb: [c.r, c.g, c.b].map((x) => Math.round((x / c.a) * 255)),
      alpha: c.a,
      dashPx: (layer.paint['line-dasharray'] as number[] | undefined)?.map((x) => x * SPEED_WIDTHS[level]),
      casing: paint(CASING_LAYER, 'line-width', state),
    };
  };

  it('is a valid MapLibre style, casing and halo under the lines', () => {
    const style = {
      version: 8,
      sources: {
        [ROADS_SOURCE]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
        [SELECTED_SOURCE]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
      },
      layers,
    };
    expect(validateStyleMin(style as never)).toEqual([]);
    expect(layers.map((l) => l.id)).toEqual(ROAD_LAYERS);
    expect(ROAD_LAYERS.slice(0, 2)).toEqual([CASING_LAYER, SELECTED_LAYER]);
  });

  it("draws each level in its colour, width and dash pattern (the legend's), on its casing", () => {
    for (const level of SPEED_LEVELS) {
      const s = shownBy(level);
      expect(s.width).toBe(SPEED_WIDTHS[level]);
      expect(s.rgb).toEqual(SPEED_COLORS[level].slice(0, 3));
      expect(s.alpha).toBeCloseTo(SPEED_COLORS[level][3] / 255, 2);
      const [, gap] = SPEED_DASHES[level];
      if (gap > 0) {
        expect(s.dashPx?.[0]).toBeCloseTo(SPEED_DASHES[level][0]);
        expect(s.dashPx?.[1]).toBeCloseTo(gap);
      } else expect(s.dashPx).toBeUndefined();
      expect(s.casing).toBe(SPEED_WIDTHS[level] + 2 * CASING_PX);
    }
    // heavy and jammed each have their own dashed layer
    expect(DASHED_LEVELS).toEqual(['heavy', 'jam']);
  });

  it('draws a road with no feature state yet as no data, and the hovered one whiter', () => {
    const lines = paint('ioc-traffic', 'line-width', {});
    expect(lines).toBe(SPEED_WIDTHS.unknown);
    const plain = shownBy('jam');
    const lit = shownBy('jam', true);
    expect(lit.width).toBe(plain.width);
    for (let i = 0; i < 3; i++) expect(lit.rgb[i]).toBeGreaterThan(plain.rgb[i]);
  });
});

describe('updateLevels', () => {
  const segments = [seg('a', []), seg('b', [])];
  const reading = (speedKmh: number): TrafficItem => ({ id: 'x', ts: now, speedKmh, level: 'unknown' });
  it('answers whether a level changed, not whether a speed did', () => {
    const levels = unknownLevels(2);
    const traffic = new Map([['a', reading(45)]]);
    const changed: number[] = [];
    expect(updateLevels(levels, segments, traffic, now, (i) => changed.push(i))).toBe(true);
    expect([...levels]).toEqual([LEVEL_CODE.free, LEVEL_CODE.unknown]);
    expect(changed).toEqual([0]);
    // another speed in the same band: nothing to redraw
    traffic.set('a', reading(40));
    expect(updateLevels(levels, segments, traffic, now)).toBe(false);
    traffic.set('b', reading(5));
    expect(updateLevels(levels, segments, traffic, now)).toBe(true);
    expect(levels[1]).toBe(LEVEL_CODE.jam);
    // readings age into "no recent data"
    expect(updateLevels(levels, segments, traffic, now + 10 * 60_000)).toBe(true);
    expect([...levels]).toEqual([LEVEL_CODE.unknown, LEVEL_CODE.unknown]);
  });
});
