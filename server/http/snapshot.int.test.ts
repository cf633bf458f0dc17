import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '#contract/mqtt.ts';
import type { RunningIoc } from '../main.ts';
import { eventually, iocSetups } from '../testing/iocHarness.ts';
import { loginAs } from '../testing/sessions.ts';

// GET /api/cameras/{id}/snapshot: a real camera's frame is where its source put it (the snapshotUrl of its
// latest event); the simulation draws frames only for its own cameras.
describe.each(iocSetups())('camera snapshots of real cameras on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let pub: MqttClient;
  let fetch: typeof globalThis.fetch;

  beforeAll(async () => {
    let login: { url: string; username?: string; password?: string };
    // no simulation: every camera of the city is a real one here
    ({ ioc, dispose, errors, mqtt: login } = await setup.start());
    pub = await mqtt.connectAsync(login.url, {
      clientId: `test-snap-${randomUUID().slice(0, 8)}`,
      username: login.username,
      password: login.password,
    });
    ({ fetch } = await loginAs(ioc, 'operator'));
  });
  afterAll(async () => {
    await pub?.endAsync();
    await dispose?.();
  });

  /** Publishes a camera event and waits until the camera's event list shows it (stored). */
  const cameraEvent = async (cameraId: string, extra: Record<string, unknown>) => {
    const ts = Date.now();
    await pub.publishAsync(
      topics.cameraEvent(cameraId),
      JSON.stringify({ ts, kind: 'vehicle_count', count: 3, id: randomUUID(), ...extra }),
      { qos: 1 },
    );
    await eventually(
      async () => {
        const res = await fetch(`${ioc.httpUrl}/api/cameras/${cameraId}/events?limit=1`);
        const { items } = (await res.json()) as { items: Array<{ ts: number }> };
        return items[0]?.ts === ts;
      },
      10_000,
      `the event of ${cameraId} stored`,
    );
  };
  const snapshot = (cameraId: string) =>
    fetch(`${ioc.httpUrl}/api/cameras/${encodeURIComponent(cameraId)}/snapshot`, { redirect: 'manual' });

  it('redirects to the absolute http(s) snapshot URL of the latest event', async () => {
    const cam = ioc.city.cameras[0].id;
    await cameraEvent(cam, { snapshotUrl: 'http://cams.example/old.jpg' });
    await cameraEvent(cam, { snapshotUrl: 'https://cams.example/frames/latest.jpg?t=1' });
    const res = await snapshot(cam);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://cams.example/frames/latest.jpg?t=1');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 404 no_snapshot for a latest event without a followable URL, no events, or an unknown camera', async () => {
    const [, relative, otherScheme, script, none, silent] = ioc.city.cameras.map((c) => c.id);
    await cameraEvent(relative, { snapshotUrl: '/frames/latest.jpg' });
    await cameraEvent(otherScheme, { snapshotUrl: 'ftp://cams.example/latest.jpg' });
    await cameraEvent(script, { snapshotUrl: 'javascript:alert(1)' });
    // an older event's URL is not shown for a newer event without one
    await cameraEvent(none, { snapshotUrl: 'https://cams.example/older.jpg' });
    await cameraEvent(none, {});
    for (const cam of [relative, otherScheme, script, none, silent, 'no-such-camera']) {
      const res = await snapshot(cam);
      expect(res.status, cam).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('no_snapshot');
    }
  });

  it('logged no errors', () => {
    expect(errors).toEqual([]);
  });
});

describe('camera snapshots of the simulation', () => {
  // the embedded set-up only: simulators publishing to the machine's shared Mosquitto would reach
  // other tests' IOCs
  const [embedded] = iocSetups();
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let fetch: typeof globalThis.fetch;

  beforeAll(async () => {
    ({ ioc, dispose } = await embedded.start({ SIMULATE: 'true', BACKFILL_DAYS: '0' }));
    ({ fetch } = await loginAs(ioc, 'operator'));
  });
  afterAll(async () => {
    await dispose?.();
  });

  it("draws a frame of the simulation's camera, as an SVG that may run nothing", async () => {
    const cam = ioc.city.cameras[0];
    const res = await fetch(`${ioc.httpUrl}/api/cameras/${cam.id}/snapshot`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
    expect(await res.text()).toContain(cam.id.toUpperCase());
    const unknown = await fetch(`${ioc.httpUrl}/api/cameras/no-such-camera/snapshot`);
    expect(unknown.status).toBe(404);
  });
});
