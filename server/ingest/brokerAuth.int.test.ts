import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCity } from '../../simulators/city.ts';
import { dbAuditLog } from '../auth/audit.ts';
import { DevicesRepo } from '../auth/devices.ts';
import { internalCredentials } from '../auth/secrets.ts';
import type { AuditLog } from '../domain/audit.ts';
import type { RunningIoc } from '../main.ts';
import { saveCity } from '../store/assetsRepo.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pgliteDb.ts';
import { eventually, iocSetups } from '../testing/iocHarness.ts';
import {
  deviceAnswers,
  MOSQUITTO_ANSWERS,
  mosquittoClientsInstalled,
  mosquittoSub,
} from '../testing/mosquittoClients.ts';
import { createBrokerAuth } from './brokerAuth.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './embeddedBroker.ts';

const clients: MqttClient[] = [];
/** One attempt, no reconnect: a refused CONNACK rejects. */
async function connect(url: string, o: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, {
    clientId: `t-${randomUUID().slice(0, 8)}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...o,
  });
  clients.push(c);
  return c;
}
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'connected',
    (err: { code?: number; message?: string }) => err.code ?? err.message,
  );

afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => {});
});

interface AuditRow {
  actor: string | null;
  actor_role: string | null;
  action: string;
  target: string | null;
  outcome: string;
  details: { count?: number; reason?: string; repeated?: boolean } | null;
}
const auditRows = async (db: Db, action: string, actor?: string) =>
  (
    await db.query<AuditRow>(
      `SELECT actor, actor_role, action, target, outcome, details FROM audit_log
       WHERE action = $1 AND ($2::text IS NULL OR actor = $2) ORDER BY id`,
      [action, actor ?? null],
    )
  ).rows;

// The whole product on the embedded defaults: only the embedded broker enforces (Mosquitto does it itself).
const embedded = iocSetups().find((s) => s.name.startsWith('embedded'));
if (!embedded) throw new Error('no embedded set-up');

describe('the embedded broker enforces device credentials and topics (whole product)', () => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let segA: string;
  let segB: string;
  let secretA: string;
  let secretB: string;
  const METRICS_TOKEN = 'metrics-token-for-this-test-0123456789';

  const stored = async (id: string) =>
    (await ioc.db.query('SELECT 1 FROM traffic_readings WHERE msg_id = $1', [id])).rows.length;
  const denied = async (reason: string) => {
    const res = await fetch(`${ioc.httpUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await res.text();
    const m = new RegExp(`^ioc_mqtt_denied_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };

  beforeAll(async () => {
    ({ ioc, dispose, errors } = await embedded.start({ METRICS_TOKEN }));
    segA = ioc.city.segments[0].id;
    segB = ioc.city.segments[1].id;
    secretA = (await ioc.devices.create('dev-a', 'Device A', [segA, ioc.city.cameras[0].id]))
      .secret as string;
    secretB = (await ioc.devices.create('dev-b', 'Device B', [segB])).secret as string;
  });
  afterAll(async () => {
    await dispose?.();
  });

  it("stores a device's readings for its own segment, and refuses (acks, drops, audits, counts) another's", async () => {
    const a = await connect(ioc.mqttUrl, { username: 'dev-a', password: secretA });
    const mine = randomUUID();
    await a.publishAsync(`ioc/traffic/${segA}`, JSON.stringify({ ts: Date.now(), speedKmh: 31, id: mine }), {
      qos: 1,
    });
    await eventually(async () => (await stored(mine)) === 1, 10_000, 'the reading stored');

    const before = await denied('asset');
    const theirs = randomUUID();
    // MQTT 3.1.1 has no negative PUBACK: the broker acks and delivers it nowhere, the connection stays
    await a.publishAsync(
      `ioc/traffic/${segB}`,
      JSON.stringify({ ts: Date.now(), speedKmh: 99, id: theirs }),
      {
        qos: 1,
      },
    );
    expect(a.connected).toBe(true);
    // a later reading of its own still goes through, so the refused one had its turn before it
    const after = randomUUID();
    await a.publishAsync(`ioc/traffic/${segA}`, JSON.stringify({ ts: Date.now(), speedKmh: 32, id: after }), {
      qos: 1,
    });
    await eventually(async () => (await stored(after)) === 1, 10_000, 'the later reading stored');
    await ioc.ingest.flush();
    expect(await stored(theirs)).toBe(0);
    expect(ioc.state.traffic.get(segB)?.speedKmh).not.toBe(99);

    const rows = await eventually(
      async () => {
        const r = await auditRows(ioc.db, 'mqtt.publish_denied', 'dev-a');
        return r.length ? r : undefined;
      },
      5000,
      'the audit entry',
    );
    expect(rows[0]).toMatchObject({
      actor: 'dev-a',
      actor_role: 'device',
      target: `ioc/traffic/${segB}`,
      outcome: 'denied',
      details: { reason: 'asset', count: 1 },
    });
    expect(await denied('asset')).toBe(before + 1);
    // B publishing its own segment is fine
    const b = await connect(ioc.mqttUrl, { username: 'dev-b', password: secretB });
    const fromB = randomUUID();
    await b.publishAsync(`ioc/traffic/${segB}`, JSON.stringify({ ts: Date.now(), speedKmh: 40, id: fromB }), {
      qos: 1,
    });
    await eventually(async () => (await stored(fromB)) === 1, 10_000, "B's reading stored");
  });

  it('refuses a report from a device that may not report; grants a device a subscription that receives nothing, as Mosquitto does', async () => {
    const a = await connect(ioc.mqttUrl, { username: 'dev-a', password: secretA });
    // granted, as Mosquitto with the generated ACL grants it; only the IOC reads
    expect((await a.subscribeAsync('ioc/#', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    const aGot: string[] = [];
    a.on('message', (topic) => aGot.push(topic));
    const b = await connect(ioc.mqttUrl, { username: 'dev-b', password: secretB });
    const fromB = randomUUID();
    await b.publishAsync(`ioc/traffic/${segB}`, JSON.stringify({ ts: Date.now(), speedKmh: 41, id: fromB }), {
      qos: 1,
    });
    await eventually(async () => (await stored(fromB)) === 1, 10_000, "B's reading stored");
    expect(aGot).toEqual([]);
    // a segment's id opens no camera topic
    await a.publishAsync(`ioc/camera/${segA}/status`, JSON.stringify({ ts: Date.now(), online: true }), {
      qos: 1,
    });
    await eventually(async () => (await denied('asset')) >= 2, 5000, 'the camera topic of a segment refused');
    expect(a.connected).toBe(true);
    const id = randomUUID();
    await a.publishAsync(
      'ioc/incident/report',
      JSON.stringify({ ts: Date.now(), category: 'fire', lat: 13.77, lon: 109.22, id }),
      { qos: 1 },
    );
    await ioc.ingest.flush();
    await eventually(async () => (await denied('report')) >= 1, 5000, 'the report refusal counted');
    expect((await ioc.db.query('SELECT 1 FROM incidents WHERE msg_id = $1', [id])).rows).toHaveLength(0);
    expect(await denied('subscribe')).toBeGreaterThanOrEqual(1);
  });

  it('takes an MQTT 5 device as Mosquitto does: its readings stored, a publish outside its topics answered PUBACK 0x87', async () => {
    const a = await connect(ioc.mqttUrl, {
      username: 'dev-a',
      password: secretA,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 300, userProperties: { site: 'north' } },
    });
    const mine = randomUUID();
    await a.publishAsync(`ioc/traffic/${segA}`, JSON.stringify({ ts: Date.now(), speedKmh: 33, id: mine }), {
      qos: 1,
      properties: { messageExpiryInterval: 60, contentType: 'application/json', userProperties: { n: '1' } },
    });
    await eventually(async () => (await stored(mine)) === 1, 10_000, 'the MQTT 5 reading stored');
    const theirs = randomUUID();
    const answer = await a
      .publishAsync(`ioc/traffic/${segB}`, JSON.stringify({ ts: Date.now(), speedKmh: 98, id: theirs }), {
        qos: 1,
      })
      .then(
        () => 'acked',
        (err: { code?: number }) => err.code,
      );
    expect(answer).toBe(0x87);
    expect(a.connected).toBe(true);
    // QoS 0 and a subscription (retain handling "do not send", as ingest asks Mosquitto) work as in 3.1.1
    expect((await a.subscribeAsync('ioc/#', { qos: 1, rh: 2 })).map((g) => g.qos)).toEqual([1]);
    const zero = randomUUID();
    await a.publishAsync(`ioc/traffic/${segA}`, JSON.stringify({ ts: Date.now(), speedKmh: 34, id: zero }), {
      qos: 0,
    });
    await eventually(async () => (await stored(zero)) === 1, 10_000, 'the QoS 0 reading stored');
    await a.unsubscribeAsync('ioc/#');
    await ioc.ingest.flush();
    expect(await stored(theirs)).toBe(0);
  });

  it.runIf(mosquittoClientsInstalled())(
    'answers mosquitto_pub and mosquitto_sub (-V 311 and -V 5) as Mosquitto with the generated files does',
    async () => {
      const subs = [
        await mosquittoSub(ioc.mqttUrl, {
          version: '5',
          username: 'dev-a',
          password: secretA,
          topic: 'ioc/#',
        }),
        await mosquittoSub(ioc.mqttUrl, {
          version: '311',
          username: 'dev-a',
          password: secretA,
          topic: 'ioc/#',
        }),
      ];
      try {
        expect(subs.map((s) => s.granted)).toEqual([1, 1]);
        const ids: Record<string, string[]> = { own: [], other: [], login: [] };
        const answers = await deviceAnswers(ioc.mqttUrl, {
          username: 'dev-a',
          password: secretA,
          ownTopic: `ioc/traffic/${segA}`,
          otherTopic: `ioc/traffic/${segB}`,
          message: (kind) => {
            const id = randomUUID();
            ids[kind].push(id);
            return JSON.stringify({ ts: Date.now(), speedKmh: 35, id });
          },
        });
        expect(answers).toEqual(MOSQUITTO_ANSWERS);
        for (const id of ids.own)
          await eventually(async () => (await stored(id)) === 1, 10_000, `${id} stored`);
        await ioc.ingest.flush();
        for (const id of [...ids.other, ...ids.login]) expect(await stored(id)).toBe(0);
        // the devices' subscriptions got nothing, their own readings included
        for (const s of subs) expect(s.output()).not.toMatch(/ioc\/traffic/);
      } finally {
        for (const s of subs) s.stop();
      }
    },
  );

  it('refuses a wrong secret, no credentials, and a disabled device on reconnect', async () => {
    expect(await refusal(connect(ioc.mqttUrl, { username: 'dev-a', password: 'not-the-secret' }))).toBe(5);
    expect(await refusal(connect(ioc.mqttUrl))).toBe(5);
    expect(await refusal(connect(ioc.mqttUrl, { username: 'ioc:server', password: 'guess' }))).toBe(5);
    // MQTT 5 too, as Mosquitto answers it: 0x87 (135), not authorized
    expect(
      await refusal(connect(ioc.mqttUrl, { username: 'dev-a', password: 'not-it', protocolVersion: 5 })),
    ).toBe(135);
    const rows = await eventually(
      async () => {
        const r = await auditRows(ioc.db, 'mqtt.connect', 'dev-a');
        return r.length ? r : undefined;
      },
      5000,
      'the failed login audited',
    );
    expect(rows[0]).toMatchObject({ outcome: 'failed', details: { reason: 'credentials' } });
    expect(await denied('credentials')).toBeGreaterThanOrEqual(4);

    expect(await refusal(connect(ioc.mqttUrl, { username: 'dev-b', password: secretB }))).toBe('connected');
    await ioc.devices.update('dev-b', { disabled: true });
    expect(await refusal(connect(ioc.mqttUrl, { username: 'dev-b', password: secretB }))).toBe(5);
    await ioc.devices.update('dev-b', { disabled: false });
    expect(await refusal(connect(ioc.mqttUrl, { username: 'dev-b', password: secretB }))).toBe('connected');
    expect(errors).toEqual([]);
  });
});

describe('the embedded broker with its auth hooks (broker + devices on PGlite)', () => {
  let db: Db;
  let broker: EmbeddedBroker;
  let audit: AuditLog;
  let devices: DevicesRepo;
  let stopAuth: () => void;
  let denied: ReturnType<typeof createBrokerAuth>['denied'];
  const server = internalCredentials();
  const city = generateCity(42);
  const [s0, s1] = city.segments.map((s) => s.id);
  const count = async (reason: string) =>
    (await denied.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await saveCity(db, city);
    const log = pino({ level: 'silent' });
    audit = dbAuditLog(db, log);
    // a short device cache, sweep and audit window, so what takes a minute in production takes a moment here
    devices = new DevicesRepo(db, { cacheMs: 100 });
    const a = createBrokerAuth({ devices, audit, server, log, auditWindowMs: 400, sweepMs: 100 });
    stopAuth = a.stop;
    denied = a.denied;
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', auth: a.auth, log });
  });
  afterAll(async () => {
    await broker?.close();
    stopAuth?.();
    await audit?.flush();
    await db?.close();
  });

  it("delivers a device's own topics to the IOC's client only, and audits a flood of refusals once a window", async () => {
    const { secret } = await devices.create('flood', 'Flooding device', [s0]);
    const ingest = await connect(broker.url, { username: server.username, password: server.password });
    const got: string[] = [];
    ingest.on('message', (topic) => got.push(topic));
    expect((await ingest.subscribeAsync('ioc/#', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    const dev = await connect(broker.url, { username: 'flood', password: secret });
    for (let i = 0; i < 50; i++) await dev.publishAsync(`ioc/traffic/${s1}`, `{"i":${i}}`, { qos: 1 });
    await dev.publishAsync(`ioc/traffic/${s0}`, '{"mine":true}', { qos: 1 });
    await eventually(() => got.includes(`ioc/traffic/${s0}`), 5000, 'the own reading delivered');
    expect(got).toEqual([`ioc/traffic/${s0}`]);
    expect(await count('asset')).toBe(50);
    // one entry at once, the other 49 counted into one entry when the window ends
    await audit.flush();
    expect(await auditRows(db, 'mqtt.publish_denied', 'flood')).toHaveLength(1);
    const rows = await eventually(
      async () => {
        await audit.flush();
        const r = await auditRows(db, 'mqtt.publish_denied', 'flood');
        return r.length === 2 ? r : undefined;
      },
      5000,
      'the repeat count',
    );
    expect(rows.map((r) => r.details?.count)).toEqual([1, 49]);
    expect(rows[1].details?.repeated).toBe(true);
    // the IOC's own client may not publish
    await ingest.publishAsync(`ioc/traffic/${s0}`, '{}', { qos: 1 });
    await eventually(async () => (await count('server_publish')) === 1, 5000, 'the server publish refused');
  });

  it('closes the open connection of a device disabled elsewhere, and of one whose secret was rotated', async () => {
    const { secret } = await devices.create('soon-off', 'Soon disabled', [s0]);
    const dev = await connect(broker.url, { username: 'soon-off', password: secret });
    const closed = new Promise<void>((r) => dev.once('close', () => r()));
    // another instance (or the CLI) disables it: this one's cache notices within cacheMs, the sweep within sweepMs
    await new DevicesRepo(db).update('soon-off', { disabled: true });
    await closed;
    expect(await count('revoked')).toBeGreaterThanOrEqual(1);

    const r = await devices.create('rotated', 'Rotated', [s0]);
    const old = await connect(broker.url, { username: 'rotated', password: r.secret });
    const oldClosed = new Promise<void>((res) => old.once('close', () => res()));
    const { secret: fresh } = await new DevicesRepo(db).update('rotated', { rotateSecret: true });
    await oldClosed;
    const again = await connect(broker.url, { username: 'rotated', password: fresh });
    // the fresh login must survive the sweep. Proof that a sweep has looked at it: a device that
    // connects after it and is then disabled elsewhere is closed by a sweep, which re-checks the
    // connections in the order they came, so that sweep re-checked this one first
    const revokedBefore = await count('revoked');
    const m = await devices.create('sweep-marker', 'Sweep marker', [s0]);
    const marker = await connect(broker.url, { username: 'sweep-marker', password: m.secret });
    const markerClosed = new Promise<void>((res) => marker.once('close', () => res()));
    await new DevicesRepo(db).update('sweep-marker', { disabled: true });
    await markerClosed;
    expect(await count('revoked')).toBe(revokedBefore + 1);
    expect(again.connected).toBe(true);
    const audited = await eventually(
      async () => {
        await audit.flush();
        const rows = await auditRows(db, 'mqtt.disconnect');
        return rows.length >= 3 ? rows : undefined;
      },
      5000,
      'the disconnects audited',
    );
    expect(audited.map((x) => x.actor)).toEqual(['soon-off', 'rotated', 'sweep-marker']);
  });
});
