import { describe, expect, it } from 'vitest';
import { addAssetIds, checkAssets, cityAssets, parseAssetIds } from './assets.ts';

const city = cityAssets({
  features: [
    { properties: { kind: 'camera', id: 'cam-001', name: 'Ngã tư Lê Lợi' } },
    { properties: { kind: 'camera', id: 'cam-002', name: 'Cầu Thị Nại' } },
    { properties: { kind: 'segment', id: 'seg-0001', name: 'Nguyễn Huệ' } },
    { properties: { kind: 'district', id: 'd1', name: 'Hải Cảng' } },
  ],
});

describe('device assets', () => {
  it('reads the cameras and segments of the city model', () => {
    expect(city.cameras.map((c) => c.id)).toEqual(['cam-001', 'cam-002']);
    expect(city.segments.map((s) => s.id)).toEqual(['seg-0001']);
  });

  it('takes ids separated by commas, spaces or lines, each once', () => {
    expect(parseAssetIds(' cam-001, seg-0001,,cam-001\n cam-002 ')).toEqual([
      'cam-001',
      'seg-0001',
      'cam-002',
    ]);
    expect(parseAssetIds('  ')).toEqual([]);
  });

  it('names the ids the city does not have', () => {
    expect(checkAssets('cam-001, seg-0001, cam-999', city)).toEqual({
      ids: ['cam-001', 'seg-0001', 'cam-999'],
      unknown: ['cam-999'],
      cameras: 1,
      segments: 1,
    });
    // without the model nothing is called unknown
    expect(checkAssets('cam-999', null).unknown).toEqual([]);
  });

  it('adds all cameras after what is typed, without repeats', () => {
    expect(
      addAssetIds(
        'seg-0001, cam-002',
        city.cameras.map((c) => c.id),
      ),
    ).toBe('seg-0001, cam-002, cam-001');
  });
});
