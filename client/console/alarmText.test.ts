import { describe, expect, it } from 'vitest';
import type { AlarmTitle } from '#contract/alarmVocab.ts';
import { alarmStateText, alarmTitle, type TitleContext } from './alarmText.ts';

const ctx: TitleContext = {
  wardName: (id) => ({ 'le-loi': 'Lê Lợi', 'phuong-x': 'Phường Ghềnh Ráng' })[id],
  now: Date.UTC(2026, 11, 5, 3, 0, 0),
};
const both = (title: AlarmTitle) => [alarmTitle('vi', title, ctx), alarmTitle('en', title, ctx)];

describe('alarm titles', () => {
  it('writes a flood group with its count and ward in each language', () => {
    expect(both({ code: 'flood_group', params: { rule: 'road_jam', wardId: 'le-loi', count: 37 } })).toEqual([
      'Ùn tắc diện rộng: 37 đoạn ở phường Lê Lợi',
      'Wide-area congestion: 37 segments in Lê Lợi ward',
    ]);
    expect(
      both({ code: 'flood_group', params: { rule: 'camera_offline', wardId: 'phuong-x', count: 1200 } }),
    ).toEqual([
      'Nhiều camera mất tín hiệu: 1.200 camera ở Phường Ghềnh Ráng',
      'Many cameras offline: 1,200 cameras in Phường Ghềnh Ráng',
    ]);
    expect(
      alarmTitle(
        'en',
        { code: 'flood_group', params: { rule: 'reject_spike', wardId: null, count: 3 } },
        ctx,
      ),
    ).toBe('3 “Rejected messages spike” alarms in an unknown area');
  });

  it('writes each rule’s title from its parameters', () => {
    expect(both({ code: 'road_jam', params: { segment: 'Nguyễn Huệ', speedKmh: 6, limitKmh: 50 } })).toEqual([
      'Ùn tắc: Nguyễn Huệ — 6 km/h (giới hạn 50 km/h)',
      'Jam: Nguyễn Huệ — 6 km/h (limit 50 km/h)',
    ]);
    // times in the city's zone (UTC+7)
    expect(
      both({
        code: 'camera_offline',
        params: { camera: 'CAM-07', offlineSince: Date.UTC(2026, 11, 5, 2, 30, 0) },
      }),
    ).toEqual(['Camera mất tín hiệu: CAM-07, từ 09:30:00', 'Camera offline: CAM-07, since 09:30:00']);
    expect(
      both({ code: 'camera_detection', params: { camera: 'CAM-01', kind: 'fire', confidencePct: 92 } }),
    ).toEqual([
      'Camera CAM-01 phát hiện: Cháy (độ tin cậy 92%)',
      'Camera CAM-01 detected: Fire (92% confidence)',
    ]);
    expect(
      both({ code: 'incident_new', params: { number: 'PA-000123', category: 'fire', severity: 5 } }),
    ).toEqual([
      'Sự cố mới PA-000123: Cháy, nổ, mức độ 5',
      'New incident PA-000123: Fire or explosion, severity 5',
    ]);
    expect(
      both({
        code: 'incident_resolve_overdue',
        params: { number: 'PA-000009', category: 'flooding', level: 'warning', targetMin: 240 },
      }),
    ).toEqual([
      'Sắp quá hạn xử lý: PA-000009 Ngập úng (hạn 4 giờ)',
      'Resolution due soon: PA-000009 Flooding (target 4 h)',
    ]);
    expect(
      both({ code: 'asset_silent', params: { asset: 'Trần Hưng Đạo', kind: 'segment', lastSeen: null } }),
    ).toEqual([
      'Không nhận được số liệu: đoạn đường Trần Hưng Đạo, chưa từng gửi',
      'No data received: road segment Trần Hưng Đạo, never reported',
    ]);
    expect(both({ code: 'system_health', params: { part: 'ingest_lag', lagMs: 7500 } })).toEqual([
      'Xử lý bản tin bị chậm: trễ 7,5 giây',
      'Ingest falling behind: 7.5 s late',
    ]);
    expect(both({ code: 'reject_spike', params: { ratePerSec: 1500, thresholdPerSec: 20 } })).toEqual([
      'Bản tin bị từ chối tăng vọt: 1.500/giây (ngưỡng 20/giây)',
      'Rejected messages spike: 1,500/s (threshold 20/s)',
    ]);
  });

  it('names the state and the flag that hides an alarm', () => {
    expect(alarmStateText('vi', { state: 'ack_active', shelved: null, suppressed: null })).toBe(
      'Đã xác nhận',
    );
    expect(
      alarmStateText('en', {
        state: 'unack_active',
        shelved: null,
        suppressed: { by: 'a', reason: 'r', at: 0 },
      }),
    ).toBe('Unacknowledged · Out of service (maintenance)');
  });
});
