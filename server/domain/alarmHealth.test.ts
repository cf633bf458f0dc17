import { describe, expect, it } from 'vitest';
import { alarmHealthKpi, alarmRateFigures, alarmRateSeries, keyDetail } from './alarmHealth.ts';

const MIN = 60_000;
const T0 = Date.parse('2025-03-10T00:00:00+07:00');

describe('alarm rate (EEMUA 191)', () => {
  it('fills every 10-minute period, the last one cut short, and flags floods per position', () => {
    const w = { from: T0, until: T0 + 35 * MIN, positions: 2 };
    const s = alarmRateSeries(
      new Map([
        [0, 21],
        [2, 20],
      ]),
      w,
    );
    expect(s).toEqual([
      { t: T0, raised: 21, perPosition: 10.5, flood: true },
      { t: T0 + 10 * MIN, raised: 0, perPosition: 0, flood: false },
      // exactly 10 per position is not a flood: more than 10 is
      { t: T0 + 20 * MIN, raised: 20, perPosition: 10, flood: false },
      { t: T0 + 30 * MIN, raised: 0, perPosition: 0, flood: false },
    ]);
    const f = alarmRateFigures(s, w);
    // 41 alarms over 3.5 ten-minute periods, for two positions
    expect(f.raised).toBe(41);
    expect(f.rate).toBeCloseTo(41 / 3.5 / 2, 12);
    expect(f.peak).toBe(10.5);
    expect(f.floodShare).toBe(0.25);
  });

  it('a period that has not begun has no rate at all, not a zero one', () => {
    const w = { from: T0, until: T0, positions: 1 };
    expect(alarmRateSeries(new Map(), w)).toEqual([]);
    expect(alarmRateFigures([], w)).toEqual({ raised: 0, rate: null, peak: null, floodShare: null });
  });

  it('says whether a figure meets its target, and none for figures without one', () => {
    expect(alarmHealthKpi('alarmRate', 1, 2)).toMatchObject({
      group: 'alarms',
      unit: 'rate',
      target: 1,
      withinTarget: true,
      delta: -1,
      deltaRatio: -0.5,
    });
    expect(alarmHealthKpi('alarmRate', 1.01, null)).toMatchObject({ withinTarget: false, delta: null });
    expect(alarmHealthKpi('alarmChattering', 1, 0)).toMatchObject({
      target: 0,
      withinTarget: false,
      deltaRatio: null,
    });
    expect(alarmHealthKpi('alarmAckMedian', 3, 4)).toMatchObject({
      unit: 'minutes',
      target: null,
      withinTarget: null,
    });
    expect(alarmHealthKpi('alarmFloodShare', null, 0)).toMatchObject({ withinTarget: null });
  });
});

describe('alarm key detail', () => {
  it('is what the key says after its rule and asset', () => {
    expect(keyDetail('camera_detection:cam-1:fire', 'camera_detection', 'cam-1')).toBe('fire');
    expect(keyDetail('incident_ack_overdue:42:warning', 'incident_ack_overdue', '42')).toBe('warning');
    expect(keyDetail('road_jam:seg-1', 'road_jam', 'seg-1')).toBeNull();
    expect(keyDetail('system_health:db', 'system_health', null)).toBe('db');
    expect(keyDetail('reject_spike:ingest', 'reject_spike', null)).toBe('ingest');
  });
});
