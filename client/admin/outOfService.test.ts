import { describe, expect, it } from 'vitest';
import { assetIndex, checkOutOfService, cityInputToEpoch, epochToCityInput } from './outOfService.ts';

const city = {
  cameras: [{ id: 'cam-001', name: 'Ngã 5 Đống Đa' }],
  segments: [{ id: 'seg-0001', name: 'Trần Hưng Đạo' }],
};
const NOW = Date.UTC(2026, 10, 23, 1); // 08:00 in the city

describe('out of service form', () => {
  it('reads the end in the city time (UTC+7), whatever the browser zone', () => {
    expect(cityInputToEpoch('2026-11-23T08:00')).toBe(NOW);
    expect(cityInputToEpoch('2026-11-23T08:00:30')).toBe(NOW + 30_000);
    expect(epochToCityInput(NOW)).toBe('2026-11-23T08:00');
    expect(cityInputToEpoch('')).toBeNull();
    expect(cityInputToEpoch('23/11/2026')).toBeUndefined();
  });

  it('names cameras and segments by id', () => {
    const i = assetIndex(city);
    expect(i.get('cam-001')).toEqual({ id: 'cam-001', name: 'Ngã 5 Đống Đa', kind: 'camera' });
    expect(i.get('seg-0001')?.kind).toBe('segment');
    expect(assetIndex(null).size).toBe(0);
  });

  it('sends a known asset with its reason and an end in the future, or none', () => {
    expect(
      checkOutOfService({ asset: ' cam-001 ', reason: ' thay ống kính ', until: '' }, city, NOW),
    ).toEqual({
      ok: true,
      assetId: 'cam-001',
      body: { reason: 'thay ống kính', until: null },
    });
    expect(
      checkOutOfService({ asset: 'seg-0001', reason: 'sửa đường', until: '2026-11-24T17:30' }, city, NOW),
    ).toMatchObject({ ok: true, body: { until: Date.UTC(2026, 10, 24, 10, 30) } });
  });

  it('says what is wrong: an asset the city has not, no reason, an end past', () => {
    expect(
      checkOutOfService({ asset: 'cam-999', reason: ' ', until: '2026-11-23T07:59' }, city, NOW),
    ).toEqual({
      ok: false,
      problems: ['asset', 'reason', 'until'],
    });
    // without the city model, any id goes to the server, which checks it
    expect(checkOutOfService({ asset: 'cam-999', reason: 'r', until: '' }, null, NOW).ok).toBe(true);
  });
});
