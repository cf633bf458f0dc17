import { describe, expect, it } from 'vitest';
import type { IncidentItem, TrafficItem } from '#contract/live.ts';
import type { MapSegment } from '../map/city.ts';
import { computeKpis, isStale } from './kpis.ts';

const now = 1_700_000_000_000;
const seg = (id: string, lengthM: number): MapSegment => ({
  id,
  name: id,
  speedLimitKmh: 50,
  coords: [],
  lengthM,
});
const reading = (id: string, speedKmh: number, ageMs = 0): [string, TrafficItem] => [
  id,
  { id, ts: now - ageMs, speedKmh, level: 'unknown' },
];
const incident = (id: string, status: IncidentItem['status']): [string, IncidentItem] => [
  id,
  { id, ts: now, updatedAt: now, category: 'fire', severity: 3, status, lat: 0, lon: 0, source: 'mqtt' },
];

describe('computeKpis', () => {
  const segments = [seg('a', 100), seg('b', 300), seg('c', 100)];
  const traffic = new Map([reading('a', 40), reading('b', 10), reading('c', 50, 10 * 60_000)]);
  const k = computeKpis(
    segments,
    traffic,
    ['c1', 'c2', 'c3'],
    new Map([
      ['c1', { id: 'c1', ts: now, online: true }],
      ['c2', { id: 'c2', ts: now, online: false }],
    ]),
    new Map([incident('i1', 'new'), incident('i2', 'dispatched'), incident('i3', 'closed')]),
    now,
  );
  it('averages speed by length over fresh readings only', () => {
    expect(k.avgSpeedKmh).toBeCloseTo((40 * 100 + 10 * 300) / 400);
    expect(k.freshSegments).toBe(2);
    expect(k.totalSegments).toBe(3);
  });
  it('counts congested segments, cameras online and open incidents by state', () => {
    expect(k.congested).toBe(1);
    expect(k.camerasOnline).toBe(1);
    expect(k.camerasTotal).toBe(3);
    expect(k.incidents.new).toBe(1);
    expect(k.openIncidents).toBe(2);
  });
  it('has no average when nothing is fresh', () => {
    expect(computeKpis(segments, new Map(), [], new Map(), new Map(), now).avgSpeedKmh).toBeNull();
  });
});

describe('isStale', () => {
  it('greys a KPI after 10 s without confirmation, and one never updated', () => {
    expect(isStale(now - 9_000, now)).toBe(false);
    expect(isStale(now - 11_000, now)).toBe(true);
    expect(isStale(0, now)).toBe(true);
  });
});
