import { describe, expect, it } from 'vitest';
import type { IncidentItem } from '#contract/live.ts';
import { mergeCandidates, queueOrder } from './incidentQueue.ts';

describe('queueOrder', () => {
  const inc = (
    id: string,
    severity: number,
    ts: number,
    status: IncidentItem['status'] = 'new',
  ): IncidentItem => ({
    id,
    ts,
    updatedAt: ts,
    category: 'fire',
    severity,
    status,
    lat: 13.77,
    lon: 109.22,
    source: 'field',
  });
  it('puts the most severe first, then the oldest, and leaves out resolved and closed', () => {
    const items = [
      inc('a', 3, 300),
      inc('b', 5, 500),
      inc('c', 3, 100),
      inc('d', 5, 200, 'dispatched'),
      inc('e', 5, 50, 'resolved'),
      inc('f', 4, 10, 'closed'),
      inc('g', 1, 1, 'acknowledged'),
    ];
    expect(queueOrder(items).map((i) => i.id)).toEqual(['d', 'b', 'c', 'a', 'g']);
  });
});

describe('mergeCandidates', () => {
  const base: IncidentItem = {
    id: '1',
    ts: 1_000_000_000,
    updatedAt: 1_000_000_000,
    category: 'flooding',
    severity: 3,
    status: 'new',
    lat: 13.77,
    lon: 109.22,
    source: 'field',
  };
  it('offers open incidents of the same category close in place and time, nearest first', () => {
    const near = { ...base, id: '2', lat: 13.7705 }; // ~55 m
    const nearer = { ...base, id: '3', lat: 13.7701 }; // ~11 m
    const far = { ...base, id: '4', lat: 13.78 }; // ~1.1 km
    const otherKind = { ...base, id: '5', category: 'fire' as const };
    const closed = { ...base, id: '6', status: 'closed' as const };
    const late = { ...base, id: '7', ts: base.ts + 3 * 3_600_000 };
    const got = mergeCandidates(base, [base, near, nearer, far, otherKind, closed, late]);
    expect(got.map((i) => i.id)).toEqual(['3', '2']);
    expect(got[0].distanceM).toBeGreaterThan(5);
    expect(got[0].distanceM).toBeLessThan(20);
  });
});
