import { describe, expect, it } from 'vitest';
import type { CityModel } from '#contract/assets.ts';
import type { IncidentItem } from '#contract/live.ts';
import { evaluateAlerts } from '../alerts/alertRules.ts';
import { CityState } from './cityState.ts';
import { emptyBatch, type TrafficRecord } from './records.ts';

const city: CityModel = {
  name: 'test',
  center: [109.22, 13.77],
  bbox: [109.2, 13.75, 109.25, 13.8],
  segments: [
    {
      id: 'a',
      name: 'Lê Lợi',
      speedLimitKmh: 50,
      coords: [
        [109.21, 13.76],
        [109.22, 13.77],
      ],
    },
    {
      id: 'b',
      name: 'Tây Sơn',
      speedLimitKmh: 60,
      coords: [
        [109.22, 13.77],
        [109.23, 13.78],
      ],
    },
  ],
  cameras: [{ id: 'c1', name: 'Ngã tư Lê Lợi', lon: 109.22, lat: 13.77 }],
  districts: [],
};
const tr = (segmentId: string, time: number, speedKmh: number): TrafficRecord => ({
  time,
  segmentId,
  speedKmh,
  volume: null,
  occupancy: null,
  msgId: null,
});

describe('CityState', () => {
  it('keeps the newest reading per segment and levels it against the limit', () => {
    const s = new CityState(city);
    const ch = s.apply(
      { ...emptyBatch(), traffic: [tr('a', 2000, 45), tr('a', 1000, 5), tr('b', 1000, 20)] },
      [],
    );
    expect(s.traffic.get('a')).toMatchObject({ speedKmh: 45, ts: 2000, level: 'free' });
    expect(s.traffic.get('b')).toMatchObject({ speedKmh: 20, level: 'heavy' });
    expect(ch.traffic.map((t) => t.id).sort()).toEqual(['a', 'b']);
  });

  it('ignores a late reading older than the one it holds', () => {
    const s = new CityState(city);
    s.apply({ ...emptyBatch(), traffic: [tr('a', 2000, 45)] }, []);
    const ch = s.apply({ ...emptyBatch(), traffic: [tr('a', 1000, 3)] }, []);
    expect(ch.traffic).toEqual([]);
    expect(s.traffic.get('a')?.speedKmh).toBe(45);
  });

  it('reports a segment going into a jam once, and a camera going offline', () => {
    const s = new CityState(city);
    s.apply(
      {
        ...emptyBatch(),
        traffic: [tr('a', 1000, 40)],
        cameraStatus: [{ time: 1000, cameraId: 'c1', online: true, fps: 25, bitrateKbps: null, msgId: null }],
      },
      [],
    );
    const ch = s.apply(
      {
        ...emptyBatch(),
        traffic: [tr('a', 2000, 8), tr('a', 3000, 7)],
        cameraStatus: [
          { time: 2000, cameraId: 'c1', online: false, fps: null, bitrateKbps: null, msgId: null },
        ],
      },
      [],
    );
    expect(ch.jammed.map((t) => t.id)).toEqual(['a']);
    expect(ch.wentOffline.map((c) => c.id)).toEqual(['c1']);
    expect(s.apply({ ...emptyBatch(), traffic: [tr('a', 4000, 6)] }, []).jammed).toEqual([]);
  });

  it('keeps a camera status and its latest detection together', () => {
    const s = new CityState(city);
    s.apply(
      {
        ...emptyBatch(),
        cameraStatus: [{ time: 1000, cameraId: 'c1', online: true, fps: 25, bitrateKbps: 2048, msgId: null }],
      },
      [],
    );
    s.apply(
      {
        ...emptyBatch(),
        cameraEvents: [
          {
            time: 1500,
            cameraId: 'c1',
            kind: 'crowd',
            confidence: 0.8,
            count: 30,
            snapshotUrl: null,
            msgId: null,
          },
        ],
      },
      [],
    );
    expect(s.cameras.get('c1')).toEqual({
      id: 'c1',
      ts: 1000,
      online: true,
      fps: 25,
      bitrateKbps: 2048,
      lastEvent: { kind: 'crowd', ts: 1500, confidence: 0.8, count: 30 },
      // a crowd count is also kept as the camera's latest count (the hotspots layer)
      crowd: { count: 30, ts: 1500 },
    });
  });

  it('drops closed incidents from the live layer after a while', () => {
    const s = new CityState(city);
    const inc = (id: string, status: IncidentItem['status'], updatedAt: number): IncidentItem => ({
      id,
      ts: 0,
      updatedAt,
      category: 'fire',
      severity: 4,
      status,
      lat: 13.77,
      lon: 109.22,
      source: 'mqtt',
    });
    s.apply(emptyBatch(), [inc('1', 'new', 0), inc('2', 'closed', 0), inc('3', 'closed', 59 * 60_000)]);
    expect(s.liveIncidents(60 * 60_000).map((i) => i.id)).toEqual(['1', '3']);
  });
});

describe('evaluateAlerts', () => {
  it('alerts on a fresh jam once per cooldown, not on old history', () => {
    const s = new CityState(city);
    const fired = new Map<string, number>();
    const now = 10 * 60 * 60_000;
    const ch = s.apply({ ...emptyBatch(), traffic: [tr('a', now - 1000, 5)] }, []);
    const alerts = evaluateAlerts(ch, city, now, fired);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'congestion', assetId: 'a', severity: 3 });
    expect(alerts[0].title).toEqual({ code: 'congestion', params: { segment: 'Lê Lợi', speedKmh: 5 } });
    s.apply({ ...emptyBatch(), traffic: [tr('a', now, 40)] }, []);
    const again = s.apply({ ...emptyBatch(), traffic: [tr('a', now + 1000, 5)] }, []);
    expect(evaluateAlerts(again, city, now + 1000, fired)).toEqual([]);
    const old = new CityState(city).apply({ ...emptyBatch(), traffic: [tr('b', now - 3_600_000, 5)] }, []);
    expect(evaluateAlerts(old, city, now, fired)).toEqual([]);
  });
});
