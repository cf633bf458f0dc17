import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulators } from '../../simulators/plugin.ts';
import { loadConfig } from '../config.ts';
import { type RunningIoc, startIoc } from '../main.ts';
import { eventually, iocSetups, type StartedIoc } from '../testing/iocHarness.ts';
import { startMqttSource } from './mqttSource.ts';

const mqttUrl = process.env.TEST_MQTT_URL;
const adminUrl = process.env.TEST_DATABASE_URL;
const configured = Boolean(mqttUrl && adminUrl);
if (!configured && process.env.IOC_REQUIRE_SERVICES === '1')
  throw new Error('IOC_REQUIRE_SERVICES=1 but TEST_MQTT_URL or TEST_DATABASE_URL is not set');

// Mosquitto keeps a retained message and hands it to every new subscription: a report published
// retained must be one incident however often the IOC restarts, and clearing it is no bad message.
describe.runIf(configured)('retained messages on Mosquitto', () => {
  let dbName = '';
  const dirs: string[] = [];
  const running: RunningIoc[] = [];
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const clientId = `ioc-retained-${randomBytes(4).toString('hex')}`;
  const start = async (dbUrl: string) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-retained-'));
    dirs.push(dir);
    const cfg = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MQTT_URL: mqttUrl,
      // the same client id each start: a restart, its persistent session resumed
      MQTT_CLIENT_ID: clientId,
      MQTT_SESSION_EXPIRY_S: '60',
      DATABASE_URL: dbUrl,
      DATA_DIR: dir,
      SIMULATE: 'false',
      DEMO_ACCOUNTS: 'false',
      LOG_LEVEL: 'warn',
    });
    const ioc = await startIoc(cfg, { log: pino({ level: 'warn' }), simulation: simulators });
    running.push(ioc);
    return ioc;
  };
  const publisher = () => mqtt.connectAsync(mqttUrl as string, { reconnectPeriod: 0 });

  afterAll(async () => {
    for (const i of running.splice(0)) await i.stop().catch(() => {});
    if (dbName) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('stores a retained report without id once across restarts; its empty clearing message is no reject', async () => {
    dbName = `ioc_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${dbName}`);
    const u = new URL(adminUrl as string);
    u.pathname = `/${dbName}`;
    let ioc = await start(u.toString());
    const cam = ioc.city.cameras[2];
    const description = `retained ${randomUUID()}`;
    const count = async () =>
      Number(
        (
          await ioc.db.query<{ n: string }>(
            'SELECT count(*)::text AS n FROM incidents WHERE description = $1',
            [description],
          )
        ).rows[0].n,
      );
    // a device that publishes its report retained, with no id to tell copies apart
    const pub = await publisher();
    // a topic of its own on the shared test broker: the retained message is cleared at the end
    const topic = 'ioc/incident/report';
    await pub.publishAsync(
      topic,
      JSON.stringify({ ts: Date.now(), category: 'fire', lat: cam.lat, lon: cam.lon, description }),
      { qos: 1, retain: true },
    );
    await eventually(async () => (await count()) === 1, 10_000, 'the report stored');

    // a restart: the same persistent session subscribes again (MQTT 5, retain handling "do not send")
    await ioc.stop();
    running.splice(running.indexOf(ioc), 1);
    ioc = await start(u.toString());
    // an MQTT 3.1.1 subscriber, which cannot refuse retained copies, feeding the same ingest
    const v311 = await startMqttSource({
      url: mqttUrl as string,
      clientId: `${clientId}-v311`,
      protocolVersion: 4,
      onMessage: (t, p, d) => ioc.ingest.accept(t, p, d),
      log: { info: () => {}, warn: () => {} },
    });
    try {
      await eventually(() => ioc.ingest.stats.ignored.retained >= 1, 10_000, 'the retained copy ignored');
      await ioc.ingest.flush();
      expect(await count()).toBe(1);

      // clearing it: an empty retained message, delivered live to both subscribers
      const badJson = ioc.ingest.stats.rejected.bad_json ?? 0;
      await pub.publishAsync(topic, '', { qos: 1, retain: true });
      await eventually(() => ioc.ingest.stats.ignored.empty >= 1, 10_000, 'the empty message ignored');
      await ioc.ingest.flush();
      expect(ioc.ingest.stats.rejected.bad_json ?? 0).toBe(badJson);
      expect(await count()).toBe(1);
    } finally {
      await v311.stop();
      // MQTT 3.1.1 sessions do not expire: end this one, or the shared broker queues for it forever
      await (
        await mqtt.connectAsync(mqttUrl as string, {
          clientId: `${clientId}-v311`,
          clean: true,
          reconnectPeriod: 0,
        })
      ).endAsync();
      await pub.endAsync();
    }
  });
});

// The embedded broker keeps no retained message (ingest has each one); an empty one is no reject there either.
const embedded = iocSetups().find((s) => s.name.startsWith('embedded'));
describe('retained and empty messages on the embedded broker', () => {
  let started: StartedIoc | undefined;
  beforeAll(async () => {
    if (!embedded) throw new Error('no embedded set-up');
    started = await embedded.start();
  });
  afterAll(async () => {
    await started?.dispose();
  });

  it('ignores an empty message (clearing a retained one) instead of rejecting it as bad JSON', async () => {
    const { ioc, mqtt: login, errors } = started!;
    const c = await mqtt.connectAsync(login.url, {
      username: login.username,
      password: login.password,
      reconnectPeriod: 0,
    });
    const seg = ioc.city.segments[0].id;
    await c.publishAsync(`ioc/traffic/${seg}`, '', { qos: 1, retain: true });
    await c.publishAsync(`ioc/traffic/${seg}`, JSON.stringify({ ts: Date.now(), speedKmh: 27 }), {
      qos: 1,
      retain: true,
    });
    await c.endAsync();
    expect(ioc.ingest.stats.ignored.empty).toBe(1);
    expect(ioc.ingest.stats.rejected.bad_json ?? 0).toBe(0);
    await eventually(() => ioc.state.traffic.get(seg)?.speedKmh === 27, 5000, 'the retained reading taken');
    expect(errors).toEqual([]);
  });
});
