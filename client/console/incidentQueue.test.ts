import { describe, expect, it } from 'vitest';
import { INCIDENT_ACTIONS } from '../../server/contracts/incidentsApi.ts';
import type { IncidentItem } from '../../server/contracts/live.ts';
import { INCIDENT_STATES } from '../../server/contracts/vocab.ts';
import { nextState } from '../../server/domain/incidentLifecycle.ts';
import { actionsFor, queueOrder } from './incidentQueue.ts';

describe('actionsFor', () => {
  it("offers exactly the actions the server's lifecycle accepts", () => {
    for (const s of INCIDENT_STATES) {
      const legal = INCIDENT_ACTIONS.filter((a) => nextState(s, a).ok);
      expect([...actionsFor(s)].sort(), s).toEqual([...legal].sort());
    }
  });
});

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
