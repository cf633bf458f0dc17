import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, Delta, ServerToClientEvents, TrafficItem } from '#contract/live.ts';
import { simulators } from '../simulators/plugin.ts';
import { loadConfig } from './config.ts';
import { type RunningIoc, startIoc } from './main.ts';
import { eventually } from './testing/iocHarness.ts';
import { loginAs } from './testing/sessions.ts';

// Two instances behind one broker (MQTT v5 shared subscription), one database and Redis: a reading
// ingested by either reaches a browser connected to the other. Runs where CI provides the services.
const mqttUrl = process.env.TEST_MQTT_URL;
const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const configured = Boolean(mqttUrl && adminUrl && redisUrl);
if (!configured && process.env.IOC_REQUIRE_SERVICES === '1')
  throw new Error('IOC_REQUIRE_SERVICES=1 but TEST_MQTT_URL, TEST_DATABASE_URL or TEST_REDIS_URL is not set');

describe.runIf(configured)('several instances (shared subscription, Redis adapter)', () => {
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
      const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-scale-'));
      dirs.push(dir);
      const cfg = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MQTT_URL: mqttUrl,
        MQTT_CLIENT_ID: `ioc-scale-${group}-${i}`,
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

  it('stores each message once and shows every reading to a browser on either instance', async () => {
    const [a, b] = instances;
    // logged in on one instance, watching on the other: the signing key and sessions are shared
    const { cookie } = await loginAs(a, 'operator');
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(b.httpUrl, {
      transports: ['websocket'],
      extraHeaders: { cookie },
    });
    try {
      const ack = await s.timeout(5000).emitWithAck('subscribe', { layers: ['traffic'] });
      expect(ack.ok).toBe(true);
      const seen = new Map<string, TrafficItem>();
      const seqs: number[] = [];
      s.on('delta', (d: Delta) => {
        if (d.layer !== 'traffic') return;
        seqs.push(d.seq);
        for (const it of d.items as TrafficItem[]) seen.set(it.id, it);
      });
      const pub = await mqtt.connectAsync(mqttUrl as string, { protocolVersion: 5 });
      const segs = a.city.segments.slice(20, 60).map((x) => x.id);
      const ts = Date.now();
      const ids: string[] = [];
      for (const [k, seg] of segs.entries()) {
        const id = randomUUID();
        ids.push(id);
        await pub.publishAsync(`ioc/traffic/${seg}`, JSON.stringify({ ts, speedKmh: 10 + k, id }), {
          qos: 1,
        });
      }
      await pub.endAsync();
      // both instances took a share of the messages...
      await eventually(
        () => a.ingest.stats.stored.traffic + b.ingest.stats.stored.traffic >= segs.length,
        10_000,
        'stored',
      );
      expect(a.ingest.stats.stored.traffic).toBeGreaterThan(0);
      expect(b.ingest.stats.stored.traffic).toBeGreaterThan(0);
      // ...each stored once...
      const { rows } = await a.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM traffic_readings WHERE msg_id = ANY($1)',
        [ids],
      );
      expect(rows[0].n).toBe(segs.length);
      // ...and the browser on B saw every reading, with its own unbroken seq
      await eventually(() => segs.every((seg) => seen.get(seg)?.ts === ts), 10_000, 'all readings on B');
      for (const [k, seg] of segs.entries()) expect(seen.get(seg)?.speedKmh).toBe(10 + k);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    } finally {
      s.disconnect();
    }
  });
});
