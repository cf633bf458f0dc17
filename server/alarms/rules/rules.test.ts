import { describe, expect, it } from 'vitest';
import { ALARM_RULE_DEFAULTS, type AlarmRuleConfig } from '#contract/alarms.ts';
import type { AlarmSignal } from '../signals.ts';
import { assetSilent, assetSilentInit } from './assetSilent.ts';
import { cameraDetection, cameraDetectionInit } from './cameraDetection.ts';
import { type AssetInfo, cameraOffline, cameraOfflineInit } from './cameraOffline.ts';
import {
  type IncidentInput,
  incidentNew,
  incidentNewInit,
  incidentOverdue,
  incidentOverdueInit,
} from './incidents.ts';
import { type RoadJamState, roadJam, roadJamInit, type SegmentInfo } from './roadJam.ts';
import { rejectSpike, rejectSpikeInit, systemHealth, systemHealthInit } from './system.ts';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.UTC(2026, 10, 23, 1);
const brief = (signals: AlarmSignal[]) => signals.map((s) => `${s.type} ${s.key}`);

/** A clock the test moves by hand; each rule call reads `now` from it. */
class FakeClock {
  t = T0;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

describe('road_jam (5 min below 30 % of the limit; clears after 3 min above 40 %)', () => {
  const cfg = ALARM_RULE_DEFAULTS.road_jam;
  const segs = new Map<string, SegmentInfo>([
    ['s1', { id: 's1', name: 'Trần Hưng Đạo', speedLimitKmh: 50, wardId: 'w1', lat: 13.77, lon: 109.22 }],
  ]);
  // a driver of readings and ticks over one segment
  const run = () => {
    const clock = new FakeClock();
    let state: RoadJamState = roadJamInit();
    const step = (speedKmh: number | null) => {
      const readings = speedKmh === null ? [] : [{ id: 's1', ts: clock.t, speedKmh }];
      const r = roadJam(state, readings, segs, cfg, clock.t);
      state = r.state;
      return brief(r.signals);
    };
    return { clock, step };
  };

  it('activates only after the jam has lasted the delay, with the segment, speed and ward', () => {
    const { clock, step } = run();
    expect(step(10)).toEqual([]);
    clock.advance(4 * M + 59 * S);
    expect(step(null)).toEqual([]);
    clock.advance(S);
    const r = roadJam(roadJamInit(), [{ id: 's1', ts: T0, speedKmh: 10 }], segs, cfg, clock.t);
    expect(r.signals).toEqual([
      {
        type: 'activate',
        key: 'road_jam:s1',
        rule: 'road_jam',
        at: clock.t,
        priority: 3,
        latched: false,
        assetId: 's1',
        wardId: 'w1',
        lat: 13.77,
        lon: 109.22,
        params: { segment: 'Trần Hưng Đạo', speedKmh: 10, limitKmh: 50 },
      },
    ]);
    expect(step(null)).toEqual(['activate road_jam:s1']);
    clock.advance(M);
    expect(step(12)).toEqual([]);
  });

  it('restarts the wait when one reading in between is not jammed', () => {
    const { clock, step } = run();
    step(10);
    clock.advance(3 * M);
    expect(step(20)).toEqual([]); // 40 %: not a jam
    clock.advance(3 * M);
    expect(step(10)).toEqual([]);
    clock.advance(4 * M);
    expect(step(null)).toEqual([]);
    clock.advance(M);
    expect(step(null)).toEqual(['activate road_jam:s1']);
  });

  it('clears only when the speed stays above threshold + margin for the clear delay (hysteresis)', () => {
    const { clock, step } = run();
    step(10);
    clock.advance(5 * M);
    expect(step(10)).toEqual(['activate road_jam:s1']);
    // 36 % is above the jam point but inside the margin: still jammed, for as long as it lasts
    clock.advance(M);
    expect(step(18)).toEqual([]);
    clock.advance(10 * M);
    expect(step(18)).toEqual([]);
    // one fast reading does not clear it; a slower one after it restarts the wait
    clock.advance(M);
    expect(step(30)).toEqual([]);
    clock.advance(2 * M);
    expect(step(18)).toEqual([]);
    clock.advance(2 * M);
    expect(step(null)).toEqual([]);
    // fast for 3 min: clears
    expect(step(30)).toEqual([]);
    clock.advance(M);
    expect(step(35)).toEqual([]);
    clock.advance(2 * M);
    expect(step(null)).toEqual(['clear road_jam:s1']);
  });

  it('ignores a late reading older than the newest one', () => {
    const { clock, step } = run();
    step(40);
    clock.advance(M);
    const late = roadJamInit();
    const r1 = roadJam(late, [{ id: 's1', ts: clock.t, speedKmh: 40 }], segs, cfg, clock.t);
    const r2 = roadJam(
      r1.state,
      [{ id: 's1', ts: clock.t - 30 * S, speedKmh: 5 }],
      segs,
      cfg,
      clock.t + 10 * M,
    );
    expect(r2.signals).toEqual([]);
  });

  it('clears what is active when the rule is disabled, and raises nothing', () => {
    const { clock, step } = run();
    step(10);
    clock.advance(5 * M);
    step(null);
    const off: AlarmRuleConfig = { ...cfg, enabled: false };
    const { state } = roadJam(roadJamInit(), [{ id: 's1', ts: T0, speedKmh: 5 }], segs, cfg, T0 + 5 * M);
    expect(brief(roadJam(state, [], segs, off, T0 + 6 * M).signals)).toEqual(['clear road_jam:s1']);
    expect(roadJam(roadJamInit(), [{ id: 's1', ts: T0, speedKmh: 5 }], segs, off, T0 + H).signals).toEqual(
      [],
    );
  });
});

const CAMS = new Map<string, AssetInfo>([
  ['c1', { id: 'c1', name: 'Ngã tư Lê Lợi', wardId: 'w1', lat: 13.7, lon: 109.2 }],
]);

describe('camera_offline (60 s)', () => {
  const cfg = ALARM_RULE_DEFAULTS.camera_offline;
  it('activates after the camera has been offline for the delay, clears when it is back online', () => {
    let st = cameraOffline(cameraOfflineInit(), [{ id: 'c1', ts: T0, online: false }], CAMS, cfg, T0);
    expect(st.signals).toEqual([]);
    st = cameraOffline(st.state, [], CAMS, cfg, T0 + 59 * S);
    expect(st.signals).toEqual([]);
    st = cameraOffline(st.state, [], CAMS, cfg, T0 + 60 * S);
    expect(st.signals).toMatchObject([
      { type: 'activate', key: 'camera_offline:c1', params: { camera: 'Ngã tư Lê Lợi', offlineSince: T0 } },
    ]);
    st = cameraOffline(st.state, [{ id: 'c1', ts: T0 + 2 * M, online: true }], CAMS, cfg, T0 + 2 * M);
    expect(brief(st.signals)).toEqual(['clear camera_offline:c1']);
  });
  it('raises nothing for a camera back online within the delay, or one not in the city model', () => {
    let st = cameraOffline(cameraOfflineInit(), [{ id: 'c1', ts: T0, online: false }], CAMS, cfg, T0);
    st = cameraOffline(st.state, [{ id: 'c1', ts: T0 + 30 * S, online: true }], CAMS, cfg, T0 + 30 * S);
    st = cameraOffline(st.state, [{ id: 'zz', ts: T0, online: false }], CAMS, cfg, T0 + 5 * M);
    expect(st.signals).toEqual([]);
  });
});

describe('asset_silent (10 min)', () => {
  const cfg = ALARM_RULE_DEFAULTS.asset_silent;
  const asset = { id: 'c1', name: 'cam', kind: 'camera' as const, wardId: 'w1', lat: 1, lon: 2 };
  it('activates once the asset has not been heard from for the delay, clears when it speaks', () => {
    let st = assetSilent(assetSilentInit(), [{ ...asset, lastSeen: T0 }], cfg, T0 + 9 * M);
    expect(st.signals).toEqual([]);
    st = assetSilent(st.state, [{ ...asset, lastSeen: T0 }], cfg, T0 + 10 * M);
    expect(st.signals).toMatchObject([
      { type: 'activate', key: 'asset_silent:c1', params: { lastSeen: T0 } },
    ]);
    st = assetSilent(st.state, [{ ...asset, lastSeen: T0 }], cfg, T0 + 11 * M);
    expect(st.signals).toEqual([]);
    st = assetSilent(st.state, [{ ...asset, lastSeen: T0 + 12 * M }], cfg, T0 + 12 * M);
    expect(brief(st.signals)).toEqual(['clear asset_silent:c1']);
  });
  it('does not alarm for an asset never heard from, and clears one removed from the model', () => {
    expect(assetSilent(assetSilentInit(), [{ ...asset, lastSeen: null }], cfg, T0 + H).signals).toEqual([]);
    const st = assetSilent(assetSilentInit(), [{ ...asset, lastSeen: T0 }], cfg, T0 + H);
    expect(brief(assetSilent(st.state, [], cfg, T0 + H).signals)).toEqual(['clear asset_silent:c1']);
  });
});

describe('camera_detection', () => {
  const cfg = ALARM_RULE_DEFAULTS.camera_detection;
  const ev = (time: number, kind: 'fire' | 'flood' | 'vehicle_count', confidence: number | null) => ({
    cameraId: 'c1',
    time,
    kind,
    confidence,
  });
  it('raises a serious detection once per camera and kind, a fire as critical, and clears 10 min after the last', () => {
    let st = cameraDetection(cameraDetectionInit(), [ev(T0, 'flood', 0.94)], CAMS, cfg, T0);
    expect(st.signals).toMatchObject([
      {
        type: 'activate',
        key: 'camera_detection:c1:flood',
        priority: 2,
        latched: true,
        params: { camera: 'Ngã tư Lê Lợi', kind: 'flood', confidencePct: 94 },
      },
    ]);
    st = cameraDetection(
      st.state,
      [ev(T0 + 5 * M, 'flood', 0.9), ev(T0 + 5 * M, 'fire', null)],
      CAMS,
      cfg,
      T0 + 5 * M,
    );
    expect(st.signals).toMatchObject([{ key: 'camera_detection:c1:fire', priority: 1 }]);
    // the repeat at 5 min keeps the flood alarm up past 10 min from the first
    st = cameraDetection(st.state, [], CAMS, cfg, T0 + 14 * M);
    expect(st.signals).toEqual([]);
    st = cameraDetection(st.state, [], CAMS, cfg, T0 + 15 * M);
    expect(brief(st.signals)).toEqual(['clear camera_detection:c1:flood', 'clear camera_detection:c1:fire']);
  });
  it('ignores low confidence, kinds that are figures, and old detections', () => {
    const st = cameraDetection(
      cameraDetectionInit(),
      [ev(T0, 'flood', 0.5), ev(T0, 'vehicle_count', 1), ev(T0 - 11 * M, 'fire', 1)],
      CAMS,
      cfg,
      T0,
    );
    expect(st.signals).toEqual([]);
  });
});

const incident = (over: Partial<IncidentInput> = {}): IncidentInput => ({
  id: '42',
  ts: T0,
  category: 'fire',
  severity: 4,
  status: 'new',
  lat: 13.7,
  lon: 109.2,
  wardId: 'w1',
  ...over,
});

describe('incident_new (severity ≥ 3)', () => {
  const cfg = ALARM_RULE_DEFAULTS.incident_new;
  it('activates for a new incident of severity ≥ 3, with its number, and clears once acknowledged', () => {
    let st = incidentNew(incidentNewInit(), [incident({ severity: 2, id: '1' }), incident()], cfg, T0);
    expect(st.signals).toMatchObject([
      { key: 'incident_new:42', priority: 2, params: { number: 'PA-000042', category: 'fire', severity: 4 } },
    ]);
    st = incidentNew(st.state, [incident()], cfg, T0 + M);
    expect(st.signals).toEqual([]);
    st = incidentNew(st.state, [incident({ status: 'acknowledged' })], cfg, T0 + 2 * M);
    expect(brief(st.signals)).toEqual(['clear incident_new:42']);
  });
  it('makes severity 5 critical (latched) and skips incidents reported long before they were seen', () => {
    const st = incidentNew(incidentNewInit(), [incident({ severity: 5 })], cfg, T0);
    expect(st.signals).toMatchObject([{ priority: 1, latched: true }]);
    expect(incidentNew(incidentNewInit(), [incident()], cfg, T0 + 11 * M).signals).toEqual([]);
  });
});

describe('incident SLA (warning at 80 %, alarm at 100 % of the category target)', () => {
  const ack = { ...ALARM_RULE_DEFAULTS.incident_ack_overdue, rule: 'incident_ack_overdue' as const };
  const res = { ...ALARM_RULE_DEFAULTS.incident_resolve_overdue, rule: 'incident_resolve_overdue' as const };
  it('warns at 4 min and alarms at 5 min for an unacknowledged fire, then clears when acknowledged', () => {
    const clock = new FakeClock();
    let st = incidentOverdue(incidentOverdueInit(), [incident()], ack, clock.advance(3 * M + 59 * S));
    expect(st.signals).toEqual([]);
    st = incidentOverdue(st.state, [incident()], ack, clock.advance(S));
    expect(st.signals).toMatchObject([
      {
        type: 'activate',
        key: 'incident_ack_overdue:42:warning',
        priority: 3,
        params: { level: 'warning', targetMin: 5, number: 'PA-000042' },
      },
    ]);
    st = incidentOverdue(st.state, [incident()], ack, clock.advance(30 * S));
    expect(st.signals).toEqual([]);
    st = incidentOverdue(st.state, [incident()], ack, clock.advance(30 * S));
    expect(brief(st.signals)).toEqual([
      'clear incident_ack_overdue:42:warning',
      'activate incident_ack_overdue:42:overdue',
    ]);
    expect(st.signals[1]).toMatchObject({ priority: 2 });
    st = incidentOverdue(st.state, [incident({ status: 'acknowledged' })], ack, clock.advance(M));
    expect(brief(st.signals)).toEqual(['clear incident_ack_overdue:42:overdue']);
  });
  it('runs the resolution clock while open (fire: 2 h) and clears when the incident leaves the open list', () => {
    const open = [incident({ status: 'dispatched' })];
    let st = incidentOverdue(incidentOverdueInit(), open, res, T0 + 95 * M);
    expect(st.signals).toEqual([]);
    st = incidentOverdue(st.state, open, res, T0 + 96 * M);
    expect(brief(st.signals)).toEqual(['activate incident_resolve_overdue:42:warning']);
    st = incidentOverdue(st.state, open, res, T0 + 2 * H);
    expect(brief(st.signals)).toEqual([
      'clear incident_resolve_overdue:42:warning',
      'activate incident_resolve_overdue:42:overdue',
    ]);
    st = incidentOverdue(st.state, [], res, T0 + 3 * H);
    expect(brief(st.signals)).toEqual(['clear incident_resolve_overdue:42:overdue']);
  });
  it('goes straight to overdue for an incident first seen past its target', () => {
    const st = incidentOverdue(incidentOverdueInit(), [incident()], ack, T0 + H);
    expect(brief(st.signals)).toEqual(['activate incident_ack_overdue:42:overdue']);
  });
});

describe('reject_spike (20/s for 1 min; clears below 10/s for 2 min)', () => {
  const cfg = ALARM_RULE_DEFAULTS.reject_spike;
  it('activates on a sustained spike and clears with hysteresis', () => {
    let st = rejectSpike(rejectSpikeInit(), { ts: T0, rejectRate: 25 }, cfg, T0);
    st = rejectSpike(st.state, { ts: T0 + 30 * S, rejectRate: 30 }, cfg, T0 + 30 * S);
    expect(st.signals).toEqual([]);
    st = rejectSpike(st.state, { ts: T0 + M, rejectRate: 30 }, cfg, T0 + M);
    expect(st.signals).toMatchObject([{ key: 'reject_spike:ingest', params: { ratePerSec: 30 } }]);
    // 15/s is under the trip point but not under the reset point
    st = rejectSpike(st.state, { ts: T0 + 2 * M, rejectRate: 15 }, cfg, T0 + 2 * M);
    st = rejectSpike(st.state, { ts: T0 + 5 * M, rejectRate: 15 }, cfg, T0 + 5 * M);
    expect(st.signals).toEqual([]);
    st = rejectSpike(st.state, { ts: T0 + 6 * M, rejectRate: 2 }, cfg, T0 + 6 * M);
    st = rejectSpike(st.state, { ts: T0 + 8 * M, rejectRate: 2 }, cfg, T0 + 8 * M);
    expect(brief(st.signals)).toEqual(['clear reject_spike:ingest']);
  });
});

describe('system_health (10 s; ingest more than 5 s behind)', () => {
  const cfg = ALARM_RULE_DEFAULTS.system_health;
  const ok = { dbUp: true, brokerUp: true, ingestLagMs: 100 };
  it('alarms for the database down for 10 s, critical and latched, and clears after 30 s of health', () => {
    let st = systemHealth(systemHealthInit(), { ts: T0, ...ok, dbUp: false }, cfg, T0);
    st = systemHealth(st.state, { ts: T0 + 9 * S, ...ok, dbUp: false }, cfg, T0 + 9 * S);
    expect(st.signals).toEqual([]);
    st = systemHealth(st.state, { ts: T0 + 10 * S, ...ok, dbUp: false }, cfg, T0 + 10 * S);
    expect(st.signals).toMatchObject([
      { key: 'system_health:db', priority: 1, latched: true, params: { part: 'db' } },
    ]);
    st = systemHealth(st.state, { ts: T0 + 20 * S, ...ok }, cfg, T0 + 20 * S);
    st = systemHealth(st.state, { ts: T0 + 50 * S, ...ok }, cfg, T0 + 50 * S);
    expect(brief(st.signals)).toEqual(['clear system_health:db']);
  });
  it('alarms for ingest lag beyond the threshold and the broker separately', () => {
    let st = systemHealth(
      systemHealthInit(),
      { ts: T0, ...ok, ingestLagMs: 5_000, brokerUp: false },
      cfg,
      T0,
    );
    st = systemHealth(
      st.state,
      { ts: T0 + 10 * S, ...ok, ingestLagMs: 8_000, brokerUp: false },
      cfg,
      T0 + 10 * S,
    );
    expect(brief(st.signals)).toEqual(['activate system_health:broker']);
    st = systemHealth(st.state, { ts: T0 + 20 * S, ...ok, ingestLagMs: 8_000 }, cfg, T0 + 20 * S);
    expect(brief(st.signals)).toEqual(['activate system_health:ingest_lag']);
    expect(st.signals[0]).toMatchObject({ params: { lagMs: 8_000 } });
  });
});
