import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmItem, AlarmRuleSetting } from '#contract/alarms.ts';
import type { CrowdThresholds } from '#contract/hotspots.ts';
import type { CameraItem, ClientToServerEvents, Delta, ServerToClientEvents } from '#contract/live.ts';
import { eventually, iocSetups, type StartedIoc } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A console on the cameras and alarms layers: what it holds, as the snapshot and deltas say. */
async function hotspotConsole(url: string, cookie: string) {
  const s: Client = connectSocket(url, { transports: ['websocket'], extraHeaders: { cookie } });
  const cameras = new Map<string, CameraItem>();
  const alarms = new Map<string, AlarmItem>();
  const apply = (layer: string, items: unknown[]) => {
    if (layer === 'cameras') for (const c of items as CameraItem[]) cameras.set(c.id, c);
    if (layer === 'alarms')
      for (const a of items as AlarmItem[]) {
        if (a.state === 'normal') alarms.delete(a.key);
        else alarms.set(a.key, a);
      }
  };
  s.on('delta', (d: Delta) => apply(d.layer, d.items));
  const ack = await s.timeout(5000).emitWithAck('subscribe', { layers: ['cameras', 'alarms'] });
  if (!ack.ok) throw new Error(`subscribe: ${ack.error.code}`);
  apply('cameras', ack.snapshot.cameras ?? []);
  apply('alarms', ack.snapshot.alarms ?? []);
  return { socket: s, cameras, alarms };
}

const json = async <T>(res: Response, status = 200): Promise<T> => {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${res.url}: ${res.status}, expected ${status}: ${body}`);
  return (body ? JSON.parse(body) : undefined) as T;
};
const send = (s: TestSession, method: string, url: string, body?: unknown) =>
  s.fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe.each(iocSetups())('crowd hotspots on $name', (setup) => {
  let started: StartedIoc;
  let admin: TestSession;
  let op: TestSession;
  let field: TestSession;
  let pub: MqttClient;
  let square: string;
  let lane: string;
  const sockets: Client[] = [];
  const url = () => started.ioc.httpUrl;
  const count = (cameraId: string, n: number, kind = 'crowd') =>
    pub.publishAsync(
      `ioc/camera/${cameraId}/event`,
      JSON.stringify({ ts: Date.now(), kind, count: n, confidence: 0.9, id: randomUUID() }),
      { qos: 1 },
    );

  beforeAll(async () => {
    started = await setup.start();
    admin = await loginAs(started.ioc, 'admin');
    op = await loginAs(started.ioc, 'operator');
    field = await loginAs(started.ioc, 'field');
    [square, lane] = started.ioc.city.cameras.slice(3, 5).map((c) => c.id);
    pub = await mqtt.connectAsync(started.mqtt.url, {
      clientId: `test-crowd-${randomUUID().slice(0, 8)}`,
      username: started.mqtt.username,
      password: started.mqtt.password,
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await pub?.endAsync();
    await started?.dispose();
  });

  it('lets an admin give a camera its own threshold; consoles read them, a field account may not', async () => {
    const rules = await json<{ items: AlarmRuleSetting[] }>(
      await admin.fetch(`${url()}/api/admin/alarm-rules`),
    );
    const rule = rules.items.find((r) => r.rule === 'crowd_hotspot');
    expect(rule).toMatchObject({ enabled: true, threshold: 50, margin: 0.2 });
    // cleared as soon as the counts fall back (the shipped off-delay is 5 minutes)
    await json(
      await send(admin, 'PUT', `${url()}/api/admin/alarm-rules/crowd_hotspot`, { ...rule, clearDelayMs: 0 }),
    );
    await json(await send(admin, 'PUT', `${url()}/api/admin/crowd-thresholds/${lane}`, { threshold: 10 }));
    expect(
      (await send(admin, 'PUT', `${url()}/api/admin/crowd-thresholds/no-such-cam`, { threshold: 10 })).status,
    ).toBe(404);
    expect(
      (await send(admin, 'PUT', `${url()}/api/admin/crowd-thresholds/${lane}`, { threshold: 0 })).status,
    ).toBe(400);
    const t = await json<CrowdThresholds>(await op.fetch(`${url()}/api/crowd-thresholds`));
    expect(t.defaultThreshold).toBe(50);
    expect(t.items).toEqual([
      expect.objectContaining({ cameraId: lane, threshold: 10, updatedBy: admin.username }),
    ]);
    expect((await field.fetch(`${url()}/api/crowd-thresholds`)).status).toBe(403);
    expect((await op.fetch(`${url()}/api/admin/crowd-thresholds/${lane}`, { method: 'DELETE' })).status).toBe(
      403,
    );
  });

  it('shows counts on the cameras layer and raises and clears hotspot alarms', async () => {
    const c = await hotspotConsole(url(), op.cookie);
    sockets.push(c.socket);
    await count(square, 30);
    await eventually(() => c.cameras.get(square)?.crowd?.count === 30, 10_000, 'the count on the layer');
    // a vehicle count after it replaces the camera's last event, not its people count
    await count(square, 12, 'vehicle_count');
    await eventually(
      () => c.cameras.get(square)?.lastEvent?.kind === 'vehicle_count',
      10_000,
      'the vehicle count',
    );
    expect(c.cameras.get(square)?.crowd?.count).toBe(30);
    expect(c.alarms.has(`crowd_hotspot:${square}`)).toBe(false);

    await count(square, 80);
    const a = await eventually(() => c.alarms.get(`crowd_hotspot:${square}`), 10_000, 'the square alarm');
    expect(a).toMatchObject({
      rule: 'crowd_hotspot',
      state: 'unack_active',
      assetId: square,
      title: { code: 'crowd_hotspot', params: { count: 80, threshold: 50 } },
    });
    expect(a.lat).not.toBeNull();
    // the lane passes its own threshold of 10, well under the default
    await count(lane, 12);
    const b = await eventually(() => c.alarms.get(`crowd_hotspot:${lane}`), 10_000, 'the lane alarm');
    expect(b.title.params).toMatchObject({ count: 12, threshold: 10 });

    // 45 is inside the deadband (40–50): it holds; 20 clears it
    await count(square, 45);
    await eventually(() => c.cameras.get(square)?.crowd?.count === 45, 10_000, 'the count of 45');
    expect(c.alarms.has(`crowd_hotspot:${square}`)).toBe(true);
    await count(square, 20);
    await eventually(() => !c.alarms.has(`crowd_hotspot:${square}`), 10_000, 'the square alarm cleared');
    const stored = await json<{ items: AlarmItem[] }>(
      await op.fetch(`${url()}/api/alarms?state=all&rule=crowd_hotspot`),
    );
    expect(stored.items.find((x) => x.assetId === square)?.state).toBe('normal');

    // back to the default: 12 people in the lane is no longer a hotspot
    expect(
      (await admin.fetch(`${url()}/api/admin/crowd-thresholds/${lane}`, { method: 'DELETE' })).status,
    ).toBe(204);
    await count(lane, 12);
    await eventually(() => !c.alarms.has(`crowd_hotspot:${lane}`), 10_000, 'the lane alarm cleared');
    expect(started.errors).toEqual([]);
  });
});
