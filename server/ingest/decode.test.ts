import { describe, expect, it } from 'vitest';
import type { CityModel } from '#contract/assets.ts';
import { indexAssets } from '../domain/assetIndex.ts';
import { decodeMessage } from './decode.ts';

const city: CityModel = {
  name: 'test',
  center: [109.22, 13.77],
  bbox: [109.2, 13.75, 109.25, 13.8],
  segments: [
    {
      id: 'seg-1',
      name: 'Trần Hưng Đạo',
      speedLimitKmh: 50,
      coords: [
        [109.21, 13.76],
        [109.22, 13.77],
      ],
    },
  ],
  cameras: [{ id: 'cam-1', name: 'Ngã tư', lon: 109.22, lat: 13.77 }],
  districts: [],
};
const assets = indexAssets(city);
const NOW = Date.parse('2026-11-23T01:00:00Z');
// the shape tests below use small epoch times: only the time-window tests bound the age
const anyAge = { now: NOW, aheadMs: 60_000, ageMs: Number.POSITIVE_INFINITY };
const decode = (topic: string, payload: unknown, window = anyAge) =>
  decodeMessage(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), assets, window);

describe('decodeMessage', () => {
  it('decodes a traffic reading with ISO time and keeps unknown extra fields harmless', () => {
    const d = decode('ioc/traffic/seg-1', {
      ts: '2026-11-23T08:00:00+07:00',
      speedKmh: 42.5,
      volume: 12,
      occupancy: 0.3,
      id: 'm1',
      firmware: '1.2',
    });
    expect(d).toEqual({
      ok: true,
      kind: 'traffic',
      record: {
        time: Date.parse('2026-11-23T01:00:00Z'),
        segmentId: 'seg-1',
        speedKmh: 42.5,
        volume: 12,
        occupancy: 0.3,
        msgId: 'm1',
      },
    });
  });

  it('accepts epoch milliseconds and leaves optional fields null', () => {
    const d = decode('ioc/traffic/seg-1', { ts: 1_700_000_000_000, speedKmh: 0 });
    expect(d.ok && d.kind === 'traffic' && d.record).toMatchObject({
      time: 1_700_000_000_000,
      volume: null,
      msgId: null,
    });
  });

  it.each([
    ['bad JSON', 'ioc/traffic/seg-1', '{"ts": 1, "speedKmh":', 'bad_json'],
    ['a JSON array', 'ioc/traffic/seg-1', '[1,2]', 'not_object'],
    ['speed out of range', 'ioc/traffic/seg-1', { ts: 1, speedKmh: 300 }, 'invalid_payload'],
    ['speed as a string', 'ioc/traffic/seg-1', { ts: 1, speedKmh: '40' }, 'invalid_payload'],
    [
      'a time without offset',
      'ioc/traffic/seg-1',
      { ts: '2026-11-23T08:00:00', speedKmh: 4 },
      'invalid_payload',
    ],
    ['a missing ts', 'ioc/traffic/seg-1', { speedKmh: 40 }, 'invalid_payload'],
    ['an unregistered segment', 'ioc/traffic/seg-999', { ts: 1, speedKmh: 40 }, 'unknown_asset'],
    [
      'a payload naming another segment',
      'ioc/traffic/seg-1',
      { ts: 1, speedKmh: 4, segmentId: 'seg-2' },
      'asset_mismatch',
    ],
    ['a topic outside the contract', 'ioc/weather/x', { ts: 1 }, 'unknown_topic'],
    ['an unregistered camera', 'ioc/camera/cam-9/status', { ts: 1, online: true }, 'unknown_asset'],
    ['an unknown event kind', 'ioc/camera/cam-1/event', { ts: 1, kind: 'ufo' }, 'invalid_payload'],
    [
      'a report far from the city',
      'ioc/incident/report',
      { ts: 1, category: 'fire', lat: 21.0, lon: 105.8 },
      'out_of_area',
    ],
    [
      'an unknown category',
      'ioc/incident/report',
      { ts: 1, category: 'ghost', lat: 13.77, lon: 109.22 },
      'invalid_payload',
    ],
    [
      'a description over 4000 chars',
      'ioc/incident/report',
      { ts: 1, category: 'fire', lat: 13.77, lon: 109.22, description: 'x'.repeat(4001) },
      'invalid_payload',
    ],
    [
      'an id over 64 chars',
      'ioc/traffic/seg-1',
      { ts: 1, speedKmh: 4, id: 'x'.repeat(65) },
      'invalid_payload',
    ],
  ])('rejects %s with a reason and a readable detail', (_name, topic, payload, reason) => {
    const d = decode(topic, payload);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.reason).toBe(reason);
      expect(d.detail.length).toBeGreaterThan(5);
    }
  });

  it('names the offending field in the detail', () => {
    const d = decode('ioc/traffic/seg-1', { ts: 1, speedKmh: -3 });
    expect(!d.ok && d.detail).toMatch(/speedKmh/);
  });

  it('rejects a payload over 64 KiB before parsing it', () => {
    const d = decode('ioc/traffic/seg-1', JSON.stringify({ ts: 1, speedKmh: 4, pad: 'x'.repeat(70_000) }));
    expect(d).toMatchObject({ ok: false, reason: 'oversized' });
  });

  it('turns a confident camera accident detection into an incident at the camera, the detection as data', () => {
    const d = decode('ioc/camera/cam-1/event', { ts: 5, kind: 'accident', confidence: 0.9, id: 'e1' });
    expect(d.ok && d.kind === 'camera_event' && d.incident).toMatchObject({
      category: 'traffic_accident',
      lat: 13.77,
      lon: 109.22,
      source: 'camera',
      cameraId: 'cam-1',
      msgId: 'cam:e1',
      // no sentence (it read "Ngã tư: accident (90%)" in every language): the console words it
      description: null,
      detection: { kind: 'accident', confidence: 0.9 },
    });
    const weak = decode('ioc/camera/cam-1/event', { ts: 5, kind: 'accident', confidence: 0.3 });
    expect(weak.ok && weak.kind === 'camera_event' && weak.incident).toBeUndefined();
    const count = decode('ioc/camera/cam-1/event', { ts: 5, kind: 'vehicle_count', count: 12 });
    expect(count.ok && count.kind === 'camera_event' && count.incident).toBeUndefined();
  });

  it('decodes an incident report with default severity 3', () => {
    const d = decode('ioc/incident/report', {
      ts: 9,
      category: 'flooding',
      lat: 13.77,
      lon: 109.22,
      description: 'Ngập sâu 30cm',
    });
    expect(d.ok && d.kind === 'incident_report' && d.record).toMatchObject({
      category: 'flooding',
      severity: 3,
      description: 'Ngập sâu 30cm',
      source: 'mqtt',
    });
  });

  describe('time window', () => {
    const window = { now: NOW, aheadMs: 60_000, ageMs: 30 * 86_400_000 };
    it.each([
      ['a minute and a second ahead', NOW + 61_000, 'future_ts'],
      ['a day ahead', NOW + 86_400_000, 'future_ts'],
      ['the last millisecond JavaScript dates hold (year 275760)', 8.64e15, 'future_ts'],
      ['31 days old', NOW - 31 * 86_400_000, 'too_old'],
      ['epoch 0', 0, 'too_old'],
    ])('refuses a reading %s with a reason', (_what, ts, reason) => {
      const d = decode('ioc/traffic/seg-1', { ts, speedKmh: 30 }, window);
      expect(d.ok).toBe(false);
      expect(!d.ok && d.reason).toBe(reason);
    });
    it('takes clock skew within a minute and late data within 30 days, at the time they name', () => {
      for (const ts of [NOW + 59_000, NOW - 29 * 86_400_000]) {
        const d = decode('ioc/traffic/seg-1', { ts, speedKmh: 30 }, window);
        expect(d.ok && d.record.time).toBe(ts);
      }
    });
    it('applies to every topic, incidents included', () => {
      const d = decode(
        'ioc/incident/report',
        { ts: NOW + 3_600_000, category: 'fire', lat: 13.77, lon: 109.22 },
        window,
      );
      expect(!d.ok && d.reason).toBe('future_ts');
    });
  });

  describe('control characters', () => {
    it.each([
      ['a NUL in the message id', 'ioc/traffic/seg-1', { ts: 1, speedKmh: 4, id: 'a\u0000b' }],
      ['a tab in the message id', 'ioc/traffic/seg-1', { ts: 1, speedKmh: 4, id: 'a\tb' }],
      [
        'a NUL in a description',
        'ioc/incident/report',
        { ts: 1, category: 'fire', lat: 13.77, lon: 109.22, description: 'cháy\u0000' },
      ],
      [
        'an escape in the reporter',
        'ioc/incident/report',
        { ts: 1, category: 'fire', lat: 13.77, lon: 109.22, reporter: '\u001b[31mX' },
      ],
      [
        'a lone surrogate in a description',
        'ioc/incident/report',
        { ts: 1, category: 'fire', lat: 13.77, lon: 109.22, description: 'x\ud800' },
      ],
      [
        'a NUL in a snapshot URL',
        'ioc/camera/cam-1/event',
        { ts: 1, kind: 'fire', snapshotUrl: 'http://x/\u0000' },
      ],
    ])('refuses %s as invalid_payload naming the field', (_what, topic, payload) => {
      const d = decode(topic, payload);
      expect(!d.ok && d.reason).toBe('invalid_payload');
      expect(!d.ok && d.detail).toMatch(/control characters/);
    });
    it('keeps Vietnamese text with line breaks and tabs in a description', () => {
      const description = 'Ngập sâu 30 cm\n\tđường Trần Hưng Đạo 😀';
      const d = decode('ioc/incident/report', {
        ts: 1,
        category: 'flooding',
        lat: 13.77,
        lon: 109.22,
        description,
      });
      expect(d.ok && d.kind === 'incident_report' && d.record.description).toBe(description);
    });
  });
});
