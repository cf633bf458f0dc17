import { describe, expect, it } from 'vitest';
import { buildBasemapStyle } from './basemap.ts';
import { parseCity } from './city.ts';

const city = parseCity({
  name: 'test',
  features: [
    {
      geometry: {
        type: 'LineString',
        coordinates: [
          [109.2, 13.77],
          [109.21, 13.78],
        ],
      },
      properties: { kind: 'segment', id: 's1', name: 'Nguyễn Huệ', speedLimitKmh: 50 },
    },
    {
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [109.1, 13.7],
            [109.3, 13.7],
            [109.3, 13.9],
            [109.1, 13.7],
          ],
        ],
      },
      properties: { kind: 'district', id: 'd1', name: 'Hải Cảng' },
    },
    {
      geometry: { type: 'Point', coordinates: [109.205, 13.775] },
      properties: { kind: 'camera', id: 'c1', segmentId: 's1' },
    },
  ],
});

describe('buildBasemapStyle', () => {
  it('draws from local data only: no glyphs, sprites, tiles or text', () => {
    const style = buildBasemapStyle(city);
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    for (const src of Object.values(style.sources)) expect(src.type).toBe('geojson');
    for (const l of style.layers) expect(l.type).not.toBe('symbol');
  });
  it("carries the city's districts and roads", () => {
    const style = buildBasemapStyle(city);
    const roads = style.sources.roads as { data: { features: unknown[] } };
    const districts = style.sources.districts as { data: { features: unknown[] } };
    expect(roads.data.features).toHaveLength(1);
    expect(districts.data.features).toHaveLength(1);
  });
});

describe('parseCity', () => {
  it('reads segments, cameras and districts and indexes them by id', () => {
    expect(city.segmentById.get('s1')?.speedLimitKmh).toBe(50);
    expect(city.segmentById.get('s1')?.lengthM).toBeGreaterThan(1000);
    expect(city.cameraById.get('c1')?.segmentId).toBe('s1');
    expect(city.bbox[0]).toBeCloseTo(109.1);
  });
});
