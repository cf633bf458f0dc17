import { describe, expect, it } from 'vitest';
import { alarm } from '../console/alarmFixtures.ts';
import { LiveState } from './liveState.ts';

describe('the alarms layer in the live state', () => {
  it('drops an alarm back to normal (it has left the list) and keeps the newest version of each', () => {
    const s = new LiveState();
    s.applySnapshot({ alarms: [alarm('a'), alarm('b')] });
    s.applyDelta({ layer: 'alarms', seq: 1, ts: 0, items: [{ ...alarm('a'), state: 'normal', version: 2 }] });
    expect([...s.alarms.keys()]).toEqual(['b']);
    // an action's answer (version 3) arrives before the live delta of version 2: the delta is stale
    s.applyAlarms([{ ...alarm('b'), state: 'ack_active', version: 3 }]);
    s.applyDelta({
      layer: 'alarms',
      seq: 2,
      ts: 0,
      items: [{ ...alarm('b'), state: 'unack_active', version: 2 }],
    });
    expect(s.alarms.get('b')?.state).toBe('ack_active');
  });
});

describe('the traffic layer in the live state', () => {
  it("never takes a road back to an older reading (another instance's newer one came first)", () => {
    const s = new LiveState();
    const road = (ts: number, speedKmh: number) => ({ id: 'seg-1', ts, speedKmh, level: 'free' as const });
    s.applyDelta({ layer: 'traffic', seq: 1, ts: 0, items: [road(2000, 40)] });
    s.applyDelta({ layer: 'traffic', seq: 2, ts: 0, items: [road(1000, 90)] });
    expect(s.traffic.get('seg-1')?.speedKmh).toBe(40);
    // the same reading again (its level re-judged) and a newer one are taken
    s.applyDelta({ layer: 'traffic', seq: 3, ts: 0, items: [{ ...road(2000, 40), level: 'unknown' }] });
    expect(s.traffic.get('seg-1')?.level).toBe('unknown');
    s.applyDelta({ layer: 'traffic', seq: 4, ts: 0, items: [road(3000, 12)] });
    expect(s.traffic.get('seg-1')?.speedKmh).toBe(12);
  });
});
