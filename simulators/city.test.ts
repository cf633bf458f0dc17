import { describe, expect, it } from 'vitest';
import { cityFromGeoJson, cityToGeoJson } from '#contract/cityModel.ts';
import { pathLengthM } from '#contract/geo.ts';
import { generateCity } from './city.ts';
import { pointInRing } from './geo.ts';
import { segmentGraph, upstreamWithin } from './segmentGraph.ts';

const city = generateCity();
const inBbox = ([lon, lat]: readonly number[]) =>
  lon >= city.bbox[0] && lon <= city.bbox[2] && lat >= city.bbox[1] && lat <= city.bbox[3];

describe('generateCity', () => {
  it('is Quy Nhơn: around 109.22 E, 13.77 N, between the lagoon and the sea', () => {
    expect(city.name).toBe('Quy Nhơn');
    expect(city.bbox[0]).toBeGreaterThan(109.1);
    expect(city.bbox[2]).toBeLessThan(109.27);
    expect(city.bbox[1]).toBeGreaterThan(13.7);
    expect(city.bbox[3]).toBeLessThan(13.85);
    expect(city.water?.length).toBe(2);
    // The beach-front wards sit near the centre the brief asks for.
    const tranPhu = city.districts.find((d) => d.name === 'Trần Phú');
    expect(pointInRing([109.231, 13.771], tranPhu?.ring ?? [])).toBe(true);
  });

  it('has at least 500 named road segments of 2–6 points and 50 cameras, all inside the city', () => {
    expect(city.segments.length).toBeGreaterThanOrEqual(500);
    expect(city.cameras.length).toBeGreaterThanOrEqual(50);
    for (const s of city.segments) {
      expect(s.id).toMatch(/^seg-\d{4}$/);
      expect(s.name).toMatch(/ \(đoạn \d+\)$/);
      expect(s.coords.length).toBeGreaterThanOrEqual(2);
      expect(s.coords.length).toBeLessThanOrEqual(6);
      expect([40, 50, 60, 80]).toContain(s.speedLimitKmh);
      expect(s.coords.every(inBbox)).toBe(true);
    }
    const lengths = city.segments.map((s) => pathLengthM(s.coords)).sort((a, b) => a - b);
    expect(lengths[Math.floor(lengths.length * 0.05)]).toBeGreaterThan(100);
    expect(lengths[Math.floor(lengths.length * 0.95)]).toBeLessThan(500);
    const segIds = new Set(city.segments.map((s) => s.id));
    for (const c of city.cameras) {
      expect(c.id).toMatch(/^cam-\d{3}$/);
      expect(c.name).toMatch(/^Ngã (tư|ba) .+ – .+$/);
      expect(inBbox([c.lon, c.lat])).toBe(true);
      expect(segIds.has(c.segmentId ?? '')).toBe(true);
    }
    expect(new Set(city.cameras.map((c) => c.name)).size).toBe(city.cameras.length);
  });

  it('names real streets, with the coastal road, arterials and national roads', () => {
    const streets = new Set(city.segments.map((s) => s.name.replace(/ \(đoạn \d+\)$/, '')));
    for (const name of [
      'Trần Hưng Đạo',
      'Lê Hồng Phong',
      'Nguyễn Tất Thành',
      'Xuân Diệu',
      'An Dương Vương',
      'Quốc lộ 1D',
      'Quốc lộ 19',
    ]) {
      expect(streets.has(name)).toBe(true);
    }
    expect(city.segments.some((s) => s.speedLimitKmh === 80)).toBe(true);
    expect(city.segments.filter((s) => s.speedLimitKmh === 60).length).toBeGreaterThan(100);
  });

  it('tiles the land with 12–16 wards: segments lie in the ward they name, wards do not overlap', () => {
    expect(city.districts.length).toBeGreaterThanOrEqual(12);
    expect(city.districts.length).toBeLessThanOrEqual(16);
    let inside = 0;
    for (const s of city.segments) {
      const mid = s.coords[Math.floor(s.coords.length / 2)];
      const d = city.districts.find((x) => x.id === s.districtId);
      if (d && pointInRing(mid, d.ring)) inside++;
      const containing = city.districts.filter((x) => pointInRing(mid, x.ring));
      expect(containing.length).toBeLessThanOrEqual(1);
    }
    expect(inside / city.segments.length).toBeGreaterThan(0.95);
  });

  it('survives the contract GeoJSON round trip unchanged', () => {
    const back = cityFromGeoJson(JSON.parse(JSON.stringify(cityToGeoJson(city))));
    expect(back).toEqual(city);
  });

  it('is the same city for the same seed, and a different layout for another', () => {
    expect(generateCity(42)).toEqual(city);
    expect(generateCity(7).segments[100].coords).not.toEqual(city.segments[100].coords);
  });
});

describe('segmentGraph', () => {
  const g = segmentGraph(city);
  const byId = new Map(city.segments.map((s) => [s.id, s]));

  it('links a segment to those that end where it starts', () => {
    let linked = 0;
    for (const s of city.segments) {
      const ups = g.upstream.get(s.id) ?? [];
      if (ups.length > 0) linked++;
      for (const u of ups) {
        const up = byId.get(u);
        expect(up?.coords[up.coords.length - 1]).toEqual(s.coords[0]);
        expect(g.downstream.get(u)).toContain(s.id);
      }
    }
    expect(linked / city.segments.length).toBeGreaterThan(0.9);
  });

  it('reaches several hops upstream from a town arterial', () => {
    const start = city.segments.find((s) => s.name.startsWith('Trần Hưng Đạo'));
    const reach = upstreamWithin(g, start?.id ?? '', 4);
    expect(Math.max(...reach.values())).toBe(4);
    expect(reach.size).toBeGreaterThanOrEqual(6);
  });
});
