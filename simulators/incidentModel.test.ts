import { describe, expect, it } from 'vitest';
import { distanceM } from '#contract/geo.ts';
import type { IncidentCategory } from '#contract/vocab.ts';
import { generateCity } from './city.ts';
import { createIncidentContext, type Incident, incidentsInHour } from './incidentModel.ts';
import { segmentGraph } from './segmentGraph.ts';

const city = generateCity();
const ctx = createIncidentContext(city, segmentGraph(city), 42, 6);
const month = (m: number): Incident[] => {
  const first = Date.UTC(2026, m - 1, 1) / 3_600_000;
  return Array.from({ length: 30 * 24 }, (_, h) => incidentsInHour(ctx, first + h)).flat();
};
const count = (list: Incident[], c: IncidentCategory) => list.filter((i) => i.category === c).length;

describe('incident model', () => {
  const october = month(10);
  const april = month(4);

  it('reports about six incidents an hour, traffic ones the most common', () => {
    expect(october.length / (30 * 24)).toBeGreaterThan(4.5);
    expect(october.length / (30 * 24)).toBeLessThan(7.5);
    const byCategory = new Map(
      ['traffic_accident', 'traffic_jam', 'waste', 'fire'].map((c) => [
        c,
        count(april, c as IncidentCategory),
      ]),
    );
    expect(byCategory.get('traffic_accident')).toBeGreaterThan(byCategory.get('waste') ?? 0);
    expect(byCategory.get('traffic_jam')).toBeGreaterThan(byCategory.get('fire') ?? 0);
  });

  it('floods far more in the rainy season (September–December)', () => {
    expect(count(october, 'flooding')).toBeGreaterThan(count(april, 'flooding') * 3);
  });

  it('places each report on its road, with a severity, a Vietnamese description and a reporter', () => {
    const seg = new Map(city.segments.map((s) => [s.id, s]));
    for (const i of october.slice(0, 500)) {
      const s = seg.get(i.segmentId);
      expect(s).toBeDefined();
      const nearest = Math.min(...(s?.coords ?? []).map((c) => distanceM(c, [i.lon, i.lat])));
      expect(nearest).toBeLessThan(400);
      expect(i.severity).toBeGreaterThanOrEqual(1);
      expect(i.severity).toBeLessThanOrEqual(5);
      expect(i.description.length).toBeGreaterThan(20);
      expect(i.description).not.toMatch(/\{\w+\}/);
      expect(i.reporter.length).toBeGreaterThan(3);
    }
    expect(new Set(october.map((i) => i.description)).size).toBeGreaterThan(october.length / 3);
    expect(october.some((i) => /[ăâđêôơư]/.test(i.description))).toBe(true);
  });

  it('holds up traffic upstream only for crashes, jams, floods and fires', () => {
    for (const i of october) {
      const blocks = ['traffic_accident', 'traffic_jam', 'flooding', 'fire'].includes(i.category);
      expect(i.disruption !== undefined).toBe(blocks);
      if (i.disruption) {
        expect(i.disruption.segments[0]).toBe(i.segmentIndex);
        expect(i.disruption.clearMs).toBeGreaterThan(i.ts);
      }
    }
  });

  it('is the same for a seed and hour, with unique ids', () => {
    const h = Date.UTC(2026, 9, 3, 1) / 3_600_000;
    expect(incidentsInHour(ctx, h)).toEqual(
      incidentsInHour(createIncidentContext(city, segmentGraph(city), 42, 6), h),
    );
    expect(new Set(october.map((i) => i.id)).size).toBe(october.length);
  });
});
