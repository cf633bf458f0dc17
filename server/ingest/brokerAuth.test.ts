import { describe, expect, it } from 'vitest';
import type { DeviceView } from '#contract/auth.ts';
import { assetKinds, mayPublish, publishDenial } from './brokerAuth.ts';

describe('mayPublish', () => {
  const device = (over: Partial<DeviceView> = {}): DeviceView => ({
    id: 'dev-a',
    name: 'A',
    username: 'dev-a',
    assets: ['seg-1', 'cam-1', 'cpi'],
    mayReport: false,
    disabled: false,
    createdAt: 0,
    ...over,
  });

  it.each([
    ['ioc/traffic/seg-1', true, null],
    ['ioc/camera/cam-1/status', true, null],
    ['ioc/camera/cam-1/event', true, null],
    // another device's assets
    ['ioc/traffic/seg-2', false, 'asset'],
    ['ioc/camera/cam-2/status', false, 'asset'],
    ['ioc/camera/cam-2/event', false, 'asset'],
    // not a topic of the contract
    ['ioc/camera/cam-1/other', false, 'topic'],
    ['ioc/traffic/seg-1/extra', false, 'topic'],
    ['ioc/traffic/', false, 'topic'],
    ['ioc/camera/cam-1', false, 'topic'],
    ['$SYS/broker/x', false, 'topic'],
    ['other/topic', false, 'topic'],
    // reports need mayReport
    ['ioc/incident/report', false, 'report'],
    // the indicator feed (v1.4): the indicators in its list, no other
    ['ioc/kpi/cpi', true, null],
    ['ioc/kpi/budget_revenue', false, 'asset'],
    ['ioc/kpi/cpi/extra', false, 'topic'],
    ['ioc/kpi/', false, 'topic'],
  ])('%s → %s', (topic, allowed, reason) => {
    expect(mayPublish(device(), topic)).toBe(allowed);
    expect(publishDenial(device(), topic)).toBe(reason);
  });

  it("opens a segment's id no camera topic, a camera's no traffic topic, neither the indicator feed's", () => {
    const kinds = assetKinds(['seg-1'], ['cam-1']);
    const d = device();
    expect(publishDenial(d, 'ioc/traffic/seg-1', kinds)).toBeNull();
    expect(publishDenial(d, 'ioc/camera/cam-1/status', kinds)).toBeNull();
    expect(publishDenial(d, 'ioc/camera/cam-1/event', kinds)).toBeNull();
    expect(publishDenial(d, 'ioc/kpi/cpi', kinds)).toBeNull();
    expect(publishDenial(d, 'ioc/camera/seg-1/status', kinds)).toBe('asset');
    expect(publishDenial(d, 'ioc/camera/seg-1/event', kinds)).toBe('asset');
    expect(publishDenial(d, 'ioc/traffic/cam-1', kinds)).toBe('asset');
    expect(publishDenial(d, 'ioc/kpi/seg-1', kinds)).toBe('asset');
    expect(publishDenial(d, 'ioc/traffic/cpi', kinds)).toBe('asset');
  });

  it('lets a device with mayReport report incidents, and a disabled device nothing', () => {
    expect(mayPublish(device({ mayReport: true }), 'ioc/incident/report')).toBe(true);
    expect(mayPublish(device({ disabled: true }), 'ioc/traffic/seg-1')).toBe(false);
    expect(mayPublish(device({ assets: [] }), 'ioc/traffic/seg-1')).toBe(false);
  });

  it('checks a device owning many assets in constant time', () => {
    const many = device({ assets: Array.from({ length: 50_000 }, (_, i) => `seg-${i}`) });
    mayPublish(many, 'ioc/traffic/seg-0');
    const t0 = performance.now();
    for (let i = 0; i < 200_000; i++) mayPublish(many, `ioc/traffic/seg-${i % 60_000}`);
    // a linear scan would take seconds here
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(mayPublish(many, 'ioc/traffic/seg-49999')).toBe(true);
    expect(mayPublish(many, 'ioc/traffic/seg-50000')).toBe(false);
  });
});
