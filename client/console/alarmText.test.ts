import { describe, expect, it } from 'vitest';
import type { AlarmTitle } from '#contract/alarmVocab.ts';
import { breakdownNames } from '#contract/indicatorVocab.ts';
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

  it('writes a crowd hotspot with its camera, count and threshold', () => {
    expect(
      both({ code: 'crowd_hotspot', params: { camera: 'Quảng trường 2/4', count: 1250, threshold: 800 } }),
    ).toEqual([
      'Tụ tập đông người: Quảng trường 2/4 — 1.250 người (ngưỡng 800)',
      'Crowd: Quảng trường 2/4 — 1,250 people (threshold 800)',
    ]);
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

  it('writes an indicator alarm with the catalogue’s names, the value and threshold with their unit', () => {
    const cat: TitleContext = {
      ...ctx,
      indicator: (id) =>
        ({
          dossier_overdue: { nameVi: 'Hồ sơ quá hạn đang xử lý', nameEn: 'Overdue dossiers in progress' },
          dossier_on_time_rate: {
            nameVi: 'Tỷ lệ hồ sơ giải quyết đúng hạn',
            nameEn: 'On-time resolution rate',
          },
          dossier_resolved_late: { nameVi: 'Hồ sơ giải quyết trễ hạn', nameEn: 'Dossiers resolved late' },
          online_mentions: { nameVi: 'Lượt đề cập trên mạng', nameEn: 'Online mentions' },
        })[id],
      agency: (id) =>
        id === 'so-tu-phap' ? { nameVi: 'Sở Tư pháp', nameEn: 'Department of Justice' } : undefined,
      breakdown: breakdownNames([
        {
          dimension: 'topic',
          code: 'an-ninh',
          nameVi: 'An ninh, trật tự',
          nameEn: 'Security and public order',
        },
      ]),
    };
    const two = (title: AlarmTitle) => [alarmTitle('vi', title, cat), alarmTitle('en', title, cat)];
    const agency = { scope: 'agency', agency: 'so-tu-phap', ward: null };
    expect(
      two({
        code: 'indicator_threshold',
        params: {
          indicator: 'dossier_overdue',
          level: 'critical',
          ...agency,
          value: 23,
          unit: 'dossier',
          threshold: 20,
          period: 'hourly',
          periodLabel: '2026-12-05T03:00:00.000Z',
        },
      }),
    ).toEqual([
      'Hồ sơ quá hạn đang xử lý — Sở Tư pháp: 23 hồ sơ (ngưỡng nghiêm trọng 20 hồ sơ)',
      'Overdue dossiers in progress — Department of Justice: 23 dossiers (critical threshold 20 dossiers)',
    ]);
    expect(
      two({
        code: 'indicator_threshold',
        params: {
          indicator: 'dossier_on_time_rate',
          level: 'warning',
          scope: 'province',
          agency: null,
          ward: null,
          value: 94.37,
          unit: 'percent',
          threshold: 95,
          period: 'monthly',
          periodLabel: '2026-11',
        },
      }),
    ).toEqual([
      'Tỷ lệ hồ sơ giải quyết đúng hạn 2026-11 — toàn tỉnh: 94,37% (ngưỡng cảnh báo 95%)',
      'On-time resolution rate 2026-11 — the province: 94.37% (warning threshold 95%)',
    ]);
    expect(
      two({
        code: 'indicator_threshold',
        params: {
          indicator: 'dossier_resolved_late',
          level: 'warning',
          ...agency,
          value: 6,
          unit: 'dossier',
          threshold: 5,
          period: 'event',
          periodLabel: null,
        },
      })[0],
    ).toBe('Hồ sơ giải quyết trễ hạn — Sở Tư pháp: 6 hồ sơ trong 1 giờ qua (ngưỡng cảnh báo 5 hồ sơ)');
    expect(
      two({
        code: 'indicator_baseline',
        params: {
          indicator: 'online_mentions',
          level: 'critical',
          scope: 'province',
          agency: null,
          ward: null,
          topic: 'sạt lở',
          sentiment: 'negative',
          count: 42,
          baseline: 12.4,
          ratio: 3.4,
          threshold: 3,
        },
      }),
    ).toEqual([
      'Lượt đề cập trên mạng (tiêu cực) tăng vọt — chủ đề “sạt lở”: 42 trong 1 giờ qua, gấp 3,4 lần thường lệ (12,4/giờ)',
      'Online mentions (negative) spike — topic “sạt lở”: 42 in the last hour, 3.4× the usual (12.4/h)',
    ]);
    // a named topic code reads as its name, in each language
    expect(
      two({
        code: 'indicator_baseline',
        params: {
          indicator: 'online_mentions',
          level: 'warning',
          scope: 'province',
          agency: null,
          ward: null,
          topic: 'an-ninh',
          sentiment: 'negative',
          count: 30,
          baseline: 10,
          ratio: 3,
          threshold: 3,
        },
      }).map((x) => x.split(':')[0]),
    ).toEqual([
      'Lượt đề cập trên mạng (tiêu cực) tăng vọt — chủ đề “An ninh, trật tự”',
      'Online mentions (negative) spike — topic “Security and public order”',
    ]);
    // the catalogue not read yet: the ids, never an empty title
    expect(
      alarmTitle(
        'en',
        {
          code: 'indicator_threshold',
          params: {
            indicator: 'cpi',
            level: 'critical',
            scope: 'province',
            value: 105.2,
            unit: 'index_point',
            threshold: 105,
            period: 'monthly',
            periodLabel: '2026-10',
          },
        },
        ctx,
      ),
    ).toBe('cpi 2026-10 — the province: 105.2 points (critical threshold 105 points)');
  });
});
