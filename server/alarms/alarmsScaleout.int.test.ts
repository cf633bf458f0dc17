import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmItem } from '#contract/alarms.ts';
import type { ClientToServerEvents, Delta, ServerToClientEvents } from '#contract/live.ts';
import { simulators } from '../../simulators/plugin.ts';
import { loadConfig } from '../config.ts';
import { type RunningIoc, startIoc } from '../main.ts';
import { eventually } from '../testing/iocHarness.ts';
import { loginAs } from '../testing/sessions.ts';

// Two instances on one database, one broker (shared subscription) and Redis, as scaleout.int.test.ts:
// the database is the truth, so an acknowledgement made on one reaches a console on the other within 2 s.
const mqttUrl = process.env.TEST_MQTT_URL;
const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const configured = Boolean(mqttUrl && adminUrl && redisUrl);
if (!configured && process.env.IOC_REQUIRE_SERVICES === '1')
  throw new Error('IOC_REQUIRE_SERVICES=1 but TEST_MQTT_URL, TEST_DATABASE_URL or TEST_REDIS_URL is not set');

describe.runIf(configured)('alarms on several instances', () => {
  const instances: RunningIoc[] = [];
  const dirs: string[] = [];
  let dbName: string;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    dbName = `ioc_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${dbName}`);
    const u = new URL(adminUrl as string);
    u.pathname = `/${dbName}`;
    const group = `g${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-alarms-scale-'));
      dirs.push(dir);
      const cfg = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MQTT_URL: mqttUrl,
        MQTT_CLIENT_ID: `ioc-alarms-${group}-${i}`,
        MQTT_SESSION_EXPIRY_S: '60',
        MQTT_SHARED_GROUP: group,
        DATABASE_URL: u.toString(),
        REDIS_URL: redisUrl,
        // this test's own channels: the other scale-out tests run beside it on the same Redis
        REDIS_KEY: `ioc-${group}`,
        DATA_DIR: dir,
        SIMULATE: 'false',
        DEMO_ACCOUNTS: 'false',
        LOG_LEVEL: 'warn',
      });
      instances.push(await startIoc(cfg, { log: pino({ level: 'warn' }), simulation: simulators }));
    }
  });

  afterAll(async () => {
    for (const i of instances) await i.stop();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('shows an acknowledgement made on one instance on a console of the other within 2 s', async () => {
    const [a, b] = instances;
    const adminA = await loginAs(a, 'admin');
    const opA = await loginAs(a, 'operator');
    const opB = await loginAs(b, 'operator');
    const send = (s: typeof adminA, method: string, url: string, body: unknown) =>
      s.fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const rules = (await (await adminA.fetch(`${a.httpUrl}/api/admin/alarm-rules`)).json()) as {
      items: Array<{ rule: string }>;
    };
    const put = await send(adminA, 'PUT', `${a.httpUrl}/api/admin/alarm-rules/road_jam`, {
      ...rules.items.find((r) => r.rule === 'road_jam'),
      delayMs: 0,
    });
    expect(put.status).toBe(200);
    // one instance runs the rules at a time
    await eventually(
      () => [a, b].filter((i) => i.alarms.leading()).length === 1,
      10_000,
      'one instance leading',
    );

    // a console on B
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(b.httpUrl, {
      transports: ['websocket'],
      extraHeaders: { cookie: opB.cookie },
    });
    try {
      const seen = new Map<string, { item: AlarmItem; at: number }>();
      s.on('delta', (d: Delta) => {
        if (d.layer !== 'alarms') return;
        for (const it of d.items as AlarmItem[]) seen.set(it.id, { item: it, at: Date.now() });
      });
      const ack = await s.timeout(5000).emitWithAck('subscribe', { layers: ['alarms'] });
      expect(ack.ok).toBe(true);

      // a jam, ingested by whichever instance the broker gives it to
      const seg = a.city.segments[5];
      const pub = await mqtt.connectAsync(mqttUrl as string, { protocolVersion: 5 });
      await pub.publishAsync(
        `ioc/traffic/${seg.id}`,
        JSON.stringify({ ts: Date.now(), speedKmh: 1, id: randomUUID() }),
        { qos: 1 },
      );
      await pub.endAsync();
      const raised = await eventually(
        () => [...seen.values()].find((x) => x.item.key === `road_jam:${seg.id}`)?.item,
        15_000,
        'the alarm on the console of B',
      );
      expect(raised.state).toBe('unack_active');

      // acknowledged on A, seen on B
      const t0 = Date.now();
      const res = await send(opA, 'POST', `${a.httpUrl}/api/alarms/${raised.id}/actions`, {
        action: 'acknowledge',
      });
      expect(res.status).toBe(200);
      const shown = await eventually(
        () => {
          const x = seen.get(raised.id);
          return x?.item.state === 'ack_active' ? x : undefined;
        },
        5_000,
        'the acknowledgement on the console of B',
      );
      expect(shown.item.ackedBy).toBe(opA.username);
      expect(shown.at - t0).toBeLessThan(2_000);
      // B's own list (the database) agrees
      const listed = (await (await opB.fetch(`${b.httpUrl}/api/alarms`)).json()) as { items: AlarmItem[] };
      expect(listed.items.find((x) => x.id === raised.id)?.state).toBe('ack_active');
    } finally {
      s.disconnect();
    }
  });
});
