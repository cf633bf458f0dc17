import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmItem } from '#contract/alarms.ts';
import type { IndicatorSourceKey, IngestAnswer } from '#contract/indicatorVocab.ts';
import type { RunningIoc } from '../main.ts';
import { indicatorAlarmHistory } from '../store/indicatorsRepo.ts';
import { eventually, iocSetups, type StartedIoc } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

// The indicator catalogue's thresholds raise alarms through the real feed (issue 14): figures over the
// HTTP batch, mentions over MQTT, an admin's new thresholds, on both databases.
describe.each(iocSetups())('alarms on indicator thresholds on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let broker: StartedIoc['mqtt'];
  let admin: TestSession;
  let op: TestSession;
  let apiKey: string;

  const post = (who: TestSession, url: string, body: unknown, method = 'POST') =>
    who.fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const send = async (values: unknown[]) => {
    const res = await fetch(`${ioc.httpUrl}/api/ingest/portal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ values }),
    });
    expect(res.status).toBe(200);
    const a = (await res.json()) as IngestAnswer;
    expect(a.rejected).toBe(0);
    return a;
  };
  /** The open alarms an operator's list shows. */
  const open = async () => {
    const res = await op.fetch('/api/alarms');
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: AlarmItem[] }).items;
  };
  const alarmOf = (key: string) =>
    eventually(async () => (await open()).find((a) => a.key === key), 15_000, key);
  const goneOf = (key: string) =>
    eventually(async () => !(await open()).some((a) => a.key === key), 15_000, `${key} cleared`);

  beforeAll(async () => {
    ({ ioc, dispose, errors, mqtt: broker } = await setup.start());
    admin = await loginAs(ioc, 'admin');
    op = await loginAs(ioc, 'operator');
    const created = await post(admin, '/api/admin/indicator-sources', {
      id: 'portal',
      name: 'Cổng dịch vụ công',
      indicators: ['dossier_overdue', 'dossier_resolved_late'],
    });
    expect(created.status).toBe(201);
    ({ apiKey } = (await created.json()) as IndicatorSourceKey);
  });
  afterEach(() => {
    expect(errors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await dispose?.();
  });

  const overdueKey = (agency: string, level: string) =>
    `indicator_threshold:dossier_overdue:agency=${agency}:${level}`;

  it('an agency whose overdue dossiers pass 20 raises a critical alarm with the title’s params and no map position; back under, it clears', async () => {
    const ts = Date.now();
    await send([{ indicator: 'dossier_overdue', ts, agency: 'so-tu-phap', value: 23 }]);
    const a = await alarmOf(overdueKey('so-tu-phap', 'critical'));
    expect(a).toMatchObject({
      rule: 'indicator_threshold',
      priority: 2,
      state: 'unack_active',
      lat: null,
      lon: null,
      assetId: null,
      title: {
        code: 'indicator_threshold',
        params: {
          indicator: 'dossier_overdue',
          level: 'critical',
          scope: 'agency',
          agency: 'so-tu-phap',
          value: 23,
          unit: 'dossier',
          threshold: 20,
          period: 'hourly',
        },
      },
    });
    // the same hour's figure revised to 5: back under the threshold and its deadband
    const revised = await send([{ indicator: 'dossier_overdue', ts, agency: 'so-tu-phap', value: 5 }]);
    expect(revised.revised).toBe(1);
    await goneOf(overdueKey('so-tu-phap', 'critical'));
    expect(
      (await open()).some((x) => x.key.startsWith('indicator_threshold:dossier_overdue:agency=so-tu-phap')),
    ).toBe(false);
  });

  it('an agency’s dossiers resolved late in the last hour reach the warning (5) at a priority below the critical', async () => {
    const base = Date.now();
    await send(
      Array.from({ length: 6 }, (_, i) => ({
        indicator: 'dossier_resolved_late',
        ts: base - i * 1000,
        agency: 'so-xay-dung',
        id: randomUUID(),
      })),
    );
    const a = await alarmOf('indicator_threshold:dossier_resolved_late:agency=so-xay-dung:warning');
    expect(a.priority).toBe(3);
    expect(a.title.params).toMatchObject({ value: 6, threshold: 5, period: 'event', level: 'warning' });
  });

  it('an admin’s new thresholds in the catalogue take effect: the warning clears when the threshold is raised over the figure', async () => {
    await send([{ indicator: 'dossier_overdue', ts: Date.now(), agency: 'so-y-te', value: 15 }]);
    expect((await alarmOf(overdueKey('so-y-te', 'warning'))).priority).toBe(3);
    const patch = (warning: number, critical: number) =>
      post(
        admin,
        '/api/admin/indicators/dossier_overdue',
        { thresholds: { basis: 'value', warning, critical } },
        'PATCH',
      );
    expect((await patch(30, 40)).status).toBe(200);
    await goneOf(overdueKey('so-y-te', 'warning'));
    // lowered under it: critical at once
    expect((await patch(5, 12)).status).toBe(200);
    expect((await alarmOf(overdueKey('so-y-te', 'critical'))).title.params).toMatchObject({
      value: 15,
      threshold: 12,
    });
    expect((await patch(10, 20)).status).toBe(200);
  });

  it('a topic’s negative mentions over MQTT reaching 3× its (floored) baseline within the hour raise a critical alarm; positive ones do not count', async () => {
    let login = { url: broker.url } as { url: string; username?: string; password?: string };
    if (broker.username) {
      const { device, secret } = await ioc.devices.create(
        `media-${randomUUID().slice(0, 6)}`,
        'Media monitor',
        ['online_mentions'],
        false,
      );
      login = { url: ioc.mqttUrl, username: device.username, password: secret };
    }
    const pub = await mqtt.connectAsync(login.url, {
      clientId: `test-media-${randomUUID().slice(0, 8)}`,
      username: login.username,
      password: login.password,
    });
    try {
      const mention = (sentiment: string) =>
        pub.publishAsync(
          'ioc/kpi/online_mentions',
          JSON.stringify({
            ts: Date.now(),
            topic: 'sat-lo',
            source: 'facebook',
            sentiment,
            id: randomUUID(),
          }),
          { qos: 1 },
        );
      // 9 negative and many positive: under the minimum count of 10, nothing
      for (let i = 0; i < 9; i++) await mention('negative');
      for (let i = 0; i < 30; i++) await mention('positive');
      const key = 'indicator_baseline:online_mentions:province:topic=sat-lo';
      // 15 negative against no history (the floor, 5 an hour): 3×
      for (let i = 0; i < 6; i++) await mention('negative');
      const a = await alarmOf(`${key}:critical`);
      expect(a).toMatchObject({ rule: 'indicator_baseline', priority: 2, lat: null, lon: null });
      expect(a.title.params).toMatchObject({
        indicator: 'online_mentions',
        topic: 'sat-lo',
        sentiment: 'negative',
        count: 15,
        ratio: 3,
        threshold: 3,
      });
      // the warning was raised on the way (10 = 2×) and replaced
      expect((await open()).some((x) => x.key === `${key}:warning`)).toBe(false);
      // what a restart starts from: the aggregates hold the same count (negative mentions only) and the
      // latest overdue figure per agency
      const since = Date.now() - 2 * 3_600_000;
      const h = await indicatorAlarmHistory(ioc.db, {
        figureIds: ['dossier_overdue'],
        figuresSince: since,
        eventIds: ['online_mentions'],
        eventsSince: since,
      });
      const negative = h.hours.filter((r) => r.topic === 'sat-lo');
      expect(negative.every((r) => r.sentiment === 'negative')).toBe(true);
      expect(negative.reduce((n, r) => n + r.value, 0)).toBe(15);
      expect(Object.fromEntries(h.figures.map((r) => [r.agencyId, r.value]))).toMatchObject({
        'so-tu-phap': 5,
        'so-y-te': 15,
      });
    } finally {
      await pub.endAsync();
    }
  });
});
