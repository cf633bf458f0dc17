import { describe, expect, it } from 'vitest';
import { ALARM_RULE_DEFAULTS } from '#contract/alarms.ts';
import { HOTSPOT_MAX_AGE_MS } from '#contract/hotspots.ts';
import type { AlarmSignal } from '../signals.ts';
import type { AssetInfo } from './cameraOffline.ts';
import { type CrowdCount, type CrowdHotspotState, crowdHotspot, crowdHotspotInit } from './crowdHotspot.ts';

const M = 60_000;
const T0 = Date.UTC(2026, 10, 23, 12);
const brief = (signals: AlarmSignal[]) => signals.map((s) => `${s.type} ${s.key}`);
const cams = new Map<string, AssetInfo>([
  ['cam-square', { id: 'cam-square', name: 'Quảng trường', wardId: 'w1', lat: 13.77, lon: 109.22 }],
  ['cam-lane', { id: 'cam-lane', name: 'Hẻm chợ', wardId: 'w1', lat: 13.78, lon: 109.21 }],
]);

/** Drives the rule: counts at minutes after T0, each pass at the count's time. */
function run(thresholds = new Map<string, number>(), cfg = ALARM_RULE_DEFAULTS.crowd_hotspot) {
  let state: CrowdHotspotState = crowdHotspotInit();
  return (atMin: number, counts: Array<Omit<CrowdCount, 'ts'>> = []) => {
    const now = T0 + atMin * M;
    const r = crowdHotspot(
      state,
      counts.map((c) => ({ ...c, ts: now })),
      cams,
      thresholds,
      cfg,
      now,
    );
    state = r.state;
    return r.signals;
  };
}

describe('crowd_hotspot (50 people by default; clears after 5 min below 40)', () => {
  it('raises when a count reaches the threshold, with the count and threshold in its title', () => {
    const step = run();
    expect(step(0, [{ cameraId: 'cam-square', count: 49 }])).toEqual([]);
    const s = step(1, [{ cameraId: 'cam-square', count: 62 }]);
    expect(brief(s)).toEqual(['activate crowd_hotspot:cam-square']);
    expect(s[0]).toMatchObject({
      assetId: 'cam-square',
      wardId: 'w1',
      params: { camera: 'Quảng trường', count: 62, threshold: 50 },
    });
    // repeats keep it up, without a second activation
    expect(step(2, [{ cameraId: 'cam-square', count: 70 }])).toEqual([]);
  });

  it('holds between 40 and 50 (deadband) and clears after 5 minutes below 40', () => {
    const step = run();
    step(0, [{ cameraId: 'cam-square', count: 55 }]);
    expect(step(1, [{ cameraId: 'cam-square', count: 45 }])).toEqual([]);
    expect(step(10, [{ cameraId: 'cam-square', count: 44 }])).toEqual([]);
    expect(step(11, [{ cameraId: 'cam-square', count: 30 }])).toEqual([]);
    expect(step(14, [{ cameraId: 'cam-square', count: 20 }])).toEqual([]);
    expect(brief(step(16))).toEqual(['clear crowd_hotspot:cam-square']);
  });

  it("uses a camera's own threshold over the default", () => {
    const step = run(new Map([['cam-lane', 20]]));
    expect(brief(step(0, [{ cameraId: 'cam-lane', count: 25 }]))).toEqual([
      'activate crowd_hotspot:cam-lane',
    ]);
    expect(step(0, [{ cameraId: 'cam-square', count: 25 }])).toEqual([]);
  });

  it('clears once the camera has counted nobody for the maximum age', () => {
    const step = run();
    step(0, [{ cameraId: 'cam-square', count: 90 }]);
    const quiet = HOTSPOT_MAX_AGE_MS / M;
    expect(step(quiet)).toEqual([]);
    expect(step(quiet + 1)).toEqual([]);
    expect(brief(step(quiet + 7))).toEqual(['clear crowd_hotspot:cam-square']);
  });

  it('waits delayMs when an admin asks for a sustained crowd, and clears everything when disabled', () => {
    const cfg = { ...ALARM_RULE_DEFAULTS.crowd_hotspot, delayMs: 3 * M };
    const step = run(new Map(), cfg);
    expect(step(0, [{ cameraId: 'cam-square', count: 60 }])).toEqual([]);
    expect(step(2, [{ cameraId: 'cam-square', count: 58 }])).toEqual([]);
    expect(brief(step(3, [{ cameraId: 'cam-square', count: 61 }]))).toEqual([
      'activate crowd_hotspot:cam-square',
    ]);
    let state = crowdHotspotInit();
    state = crowdHotspot(
      state,
      [{ cameraId: 'cam-lane', count: 80, ts: T0 }],
      cams,
      new Map(),
      ALARM_RULE_DEFAULTS.crowd_hotspot,
      T0,
    ).state;
    const off = crowdHotspot(
      state,
      [],
      cams,
      new Map(),
      { ...ALARM_RULE_DEFAULTS.crowd_hotspot, enabled: false },
      T0 + M,
    );
    expect(brief(off.signals)).toEqual(['clear crowd_hotspot:cam-lane']);
  });

  it('ignores cameras the city does not have', () => {
    expect(run()(0, [{ cameraId: 'cam-ghost', count: 500 }])).toEqual([]);
  });
});
