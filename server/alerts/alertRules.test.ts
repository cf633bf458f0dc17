import { describe, expect, it } from 'vitest';
import type { CityModel } from '#contract/assets.ts';
import type { IncidentItem } from '#contract/live.ts';
import { noChanges } from '../domain/cityState.ts';
import { evaluateAlerts } from './alertRules.ts';

const city: CityModel = {
  name: 'test',
  center: [109.22, 13.77],
  bbox: [109.2, 13.75, 109.25, 13.8],
  segments: [
    {
      id: 'seg-1',
      name: 'Lê Lợi',
      speedLimitKmh: 50,
      coords: [
        [109.21, 13.76],
        [109.22, 13.77],
      ],
    },
  ],
  cameras: [{ id: 'cam-1', name: 'Ngã tư Lê Lợi', lon: 109.22, lat: 13.77 }],
  districts: [],
};
const now = 1_800_000_000_000;
const incident: IncidentItem = {
  id: '42',
  ts: now - 1000,
  updatedAt: now - 1000,
  category: 'flooding',
  severity: 4,
  status: 'new',
  lat: 13.77,
  lon: 109.22,
  source: 'field',
};
// Vietnamese letters beyond ASCII, as a sentence written by the server would hold them
const VIETNAMESE = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i;

describe('evaluateAlerts', () => {
  const all = () =>
    evaluateAlerts(
      {
        ...noChanges(),
        jammed: [{ id: 'seg-1', ts: now - 1000, speedKmh: 7.6, level: 'jam' }],
        wentOffline: [{ id: 'cam-1', ts: now - 1000, online: false }],
        seriousEvents: [
          {
            time: now - 1000,
            cameraId: 'cam-1',
            kind: 'flood',
            confidence: 0.94,
            count: null,
            snapshotUrl: null,
            msgId: null,
          },
        ],
        newIncidents: [incident],
      },
      city,
      now,
      new Map(),
    );

  it('titles every alert with a code and parameters the console words, with asset names as they are', () => {
    expect(all().map((a) => [a.kind, a.title])).toEqual([
      ['congestion', { code: 'congestion', params: { segment: 'Lê Lợi', speedKmh: 8 } }],
      ['camera_offline', { code: 'camera_offline', params: { camera: 'Ngã tư Lê Lợi' } }],
      ['camera_event', { code: 'camera_event', params: { camera: 'Ngã tư Lê Lợi', event: 'flood' } }],
      ['incident', { code: 'incident', params: { category: 'flooding', severity: 4 } }],
    ]);
  });

  it('sends no sentence: outside the proper names, nothing in an alert is Vietnamese', () => {
    for (const a of all()) {
      const { segment: _s, camera: _c, ...rest } = a.title.params as Record<string, unknown>;
      expect(JSON.stringify({ ...a, title: { ...a.title, params: rest } })).not.toMatch(VIETNAMESE);
    }
  });

  it('leaves out incidents below severity 3 and incidents no longer new', () => {
    const alerts = evaluateAlerts(
      {
        ...noChanges(),
        newIncidents: [
          { ...incident, id: '1', severity: 2 },
          { ...incident, id: '2', status: 'acknowledged' },
        ],
      },
      city,
      now,
      new Map(),
    );
    expect(alerts).toEqual([]);
  });
});
