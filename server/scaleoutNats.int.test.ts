import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { connect } from 'nats';
import pg from 'pg';
import pino from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, Delta, ServerToClientEvents, TrafficItem } from '#contract/live.ts';
import { simulators } from '../simulators/plugin.ts';
import { loadConfig } from './config.ts';
import { type RunningIoc, startIoc } from './main.ts';
import { natsServerBin, type PrivateNats, startPrivateNats } from './testing/privateNats.ts';
import { loginAs } from './testing/sessions.ts';
import { eventually } from './testing/wait.ts';

// Two instances on the durable log (NATS_URL): devices publish MQTT to NATS's own listener, the
// messages land in a JetStream work-queue stream, and both instances pull from one durable consumer,
// acknowledging after each commit. Runs where PostgreSQL, Redis and nats-server are on the machine.
const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const configured = Boolean(adminUrl && redisUrl && natsServerBin());
if (!configured && process.env.IOC_REQUIRE_SERVICES === '1')
  throw new Error('IOC_REQUIRE_SERVICES=1 but TEST_DATABASE_URL, TEST_REDIS_URL or nats-server is missing');

const ACK_WAIT_S = 2;

describe.runIf(configured)('several instances on the durable log (NATS JetStream)', () => {
  const instances: RunningIoc[] = [];
  const dirs: string[] = [];
  let nats: PrivateNats;
  let dbName: string;
  let dbUrl: string;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const stored = async (ids: string[]) => {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM traffic_readings WHERE msg_id = ANY($1)',
        [ids],
      );
      return rows[0].n;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    nats = await startPrivateNats();
    dbName = `ioc_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${dbName}`);
    const u = new URL(adminUrl as string);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-scale-nats-'));
      dirs.push(dir);
      const cfg = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MQTT_URL: nats.mqttUrl,
        NATS_URL: nats.url,
        NATS_ACK_WAIT_S: String(ACK_WAIT_S),
        DATABASE_URL: dbUrl,
        REDIS_URL: redisUrl,
        // this test's own channels: the other scale-out tests run beside it on the same Redis
        REDIS_KEY: dbName,
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
    await nats?.dispose();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('stores each MQTT message once, shared by both instances, and shows every reading on either', async () => {
    const [a, b] = instances;
    const { cookie } = await loginAs(a, 'operator');
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(b.httpUrl, {
      transports: ['websocket'],
      extraHeaders: { cookie },
    });
    try {
      const ack = await s.timeout(5000).emitWithAck('subscribe', { layers: ['traffic'] });
      expect(ack.ok).toBe(true);
      const seen = new Map<string, TrafficItem>();
      s.on('delta', (d: Delta) => {
        if (d.layer !== 'traffic') return;
        // as the console's live state does: a reading never goes back (each instance sends its own
        // readings; an older one stored on B may reach this socket after A's newer one)
        for (const it of d.items as TrafficItem[]) {
          const prev = seen.get(it.id);
          if (!prev || it.ts >= prev.ts) seen.set(it.id, it);
        }
      });
      // NATS's MQTT listener speaks MQTT 3.1.1
      const pub = await mqtt.connectAsync(nats.mqttUrl, { protocolVersion: 4, clientId: 'scale-pub' });
      const segs = a.city.segments.slice(20, 60).map((x) => x.id);
      const ts = Date.now();
      const ids: string[] = [];
      // enough messages that both instances' pull requests are served
      const sends: Promise<unknown>[] = [];
      for (let k = 0; k < 2000; k++) {
        const id = randomUUID();
        ids.push(id);
        const seg = segs[k % segs.length];
        const last = k >= 2000 - segs.length;
        const speed = last ? 10 + (k % segs.length) : 90;
        sends.push(
          pub.publishAsync(
            `ioc/traffic/${seg}`,
            JSON.stringify({ ts: last ? ts : ts - 1000, speedKmh: speed, id }),
            {
              qos: 1,
            },
          ),
        );
      }
      await Promise.all(sends);
      await pub.endAsync();
      await eventually(async () => (await stored(ids)) === ids.length, 20_000, 'every message stored');
      // both instances took a share, and nothing was stored twice (msg_id is unique per reading)
      expect(a.ingest.stats.stored.traffic).toBeGreaterThan(0);
      expect(b.ingest.stats.stored.traffic).toBeGreaterThan(0);
      expect(a.ingest.stats.stored.traffic + b.ingest.stats.stored.traffic).toBe(ids.length);
      // the browser on B saw the newest reading of every segment, whichever instance stored it
      await eventually(() => segs.every((seg) => seen.get(seg)?.ts === ts), 10_000, 'all readings on B');
      for (const [k, seg] of segs.entries()) expect(seen.get(seg)?.speedKmh).toBe(10 + k);
    } finally {
      s.disconnect();
    }
  });

  it('takes over what an instance took and never committed, once the ack wait has passed', async () => {
    const [a] = instances;
    // an instance that dies with messages in hand: it pulls from the shared consumer, never acknowledges
    const dead = await connect({ servers: nats.url });
    const consumer = await dead.jetstream().consumers.get('IOC_INGEST', 'ioc-ingest');
    const pub = await mqtt.connectAsync(nats.mqttUrl, { protocolVersion: 4, clientId: 'scale-pub-2' });
    const seg = a.city.segments[5].id;
    const ids = Array.from({ length: 300 }, () => randomUUID());
    const taken: string[] = [];
    const fetching = (async () => {
      const batch = await consumer.fetch({ max_messages: 300, expires: 1000 });
      for await (const m of batch) taken.push(m.json<{ id: string }>().id);
    })();
    await Promise.all(
      ids.map((id) =>
        pub.publishAsync(`ioc/traffic/${seg}`, JSON.stringify({ ts: Date.now(), speedKmh: 30, id }), {
          qos: 1,
        }),
      ),
    );
    await pub.endAsync();
    await fetching;
    await dead.close();
    // the server hands messages to the waiting pull requests in turn: the dead one had its share
    expect(taken.length).toBeGreaterThan(0);
    // ...which the live instances commit once the ack wait has passed
    await eventually(
      async () => (await stored(ids)) === ids.length,
      (ACK_WAIT_S + 10) * 1000,
      "the dead instance's share stored by the others",
    );
  });
});
