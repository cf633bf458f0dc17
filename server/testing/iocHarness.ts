// Test support: start the real product against the real services the machine offers.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
// test support starts the product as npm start does: with the simulators plugged in (for the city)
import { simulators } from '../../simulators/plugin.ts';
import { loadConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { type RunningIoc, startIoc } from '../main.ts';

/** Where and as whom a test publishes to the IOC's broker. */
export interface MqttLogin {
  url: string;
  username?: string;
  password?: string;
}

export interface StartedIoc {
  ioc: RunningIoc;
  /**
   * a device owning every asset, allowed to report incidents: the embedded broker refuses anonymous
   * publishers (the machine's Mosquitto in the services set-up lets them in, so there it has no credentials)
   */
  mqtt: MqttLogin;
  /** messages the server logged at error level or above: a healthy run has none */
  errors: string[];
  dispose(): Promise<void>;
}

export interface IocSetup {
  name: string;
  start(extra?: Record<string, string>): Promise<StartedIoc>;
}

/** A logger that prints warnings and worse, and keeps the errors for the test to assert on. */
function recordingLogger(level: string): { log: Logger; errors: string[] } {
  const errors: string[] = [];
  const log = pino(
    { level, base: undefined },
    {
      write(line: string) {
        const o = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } };
        if (o.level >= 50) errors.push(`${o.msg ?? ''}: ${o.err?.message ?? ''}`);
        process.stderr.write(line);
      },
    },
  );
  return { log, errors };
}

/** Registers a device that owns every asset of the city and may report; returns its MQTT login. */
export async function testDevice(
  ioc: RunningIoc,
  id = `test-${randomBytes(4).toString('hex')}`,
): Promise<MqttLogin> {
  const assets = [...ioc.city.segments.map((s) => s.id), ...ioc.city.cameras.map((c) => c.id)];
  const { device, secret } = await ioc.devices.create(id, 'Test publisher', assets, true);
  return { url: ioc.mqttUrl, username: device.username, password: secret };
}

const embedded: IocSetup = {
  name: 'embedded (aedes + PGlite)',
  async start(extra = {}) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-test-'));
    const cfg = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      DATA_DIR: dir,
      SIMULATE: 'false',
      DEMO_ACCOUNTS: 'false',
      LOG_LEVEL: 'warn',
      ...extra,
    });
    const { log, errors } = recordingLogger(cfg.LOG_LEVEL);
    const ioc = await startIoc(cfg, { log, simulation: simulators });
    return {
      ioc,
      mqtt: await testDevice(ioc),
      errors,
      async dispose() {
        await ioc.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

function services(mqttUrl: string, adminUrl: string): IocSetup {
  return {
    name: 'services (Mosquitto + PostgreSQL)',
    async start(extra = {}) {
      const name = `ioc_test_${randomBytes(6).toString('hex')}`;
      const admin = async (sql: string) => {
        const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
        await c.connect();
        try {
          await c.query(sql);
        } finally {
          await c.end();
        }
      };
      await admin(`CREATE DATABASE ${name}`);
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-test-'));
      const cfg = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MQTT_URL: mqttUrl,
        MQTT_CLIENT_ID: `ioc-test-${randomBytes(4).toString('hex')}`,
        MQTT_SESSION_EXPIRY_S: '60',
        DATABASE_URL: u.toString(),
        DATA_DIR: dir,
        SIMULATE: 'false',
        DEMO_ACCOUNTS: 'false',
        LOG_LEVEL: 'warn',
        ...extra,
      });
      let ioc: RunningIoc;
      const { log, errors } = recordingLogger(cfg.LOG_LEVEL);
      try {
        ioc = await startIoc(cfg, { log, simulation: simulators });
      } catch (e) {
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
        throw e;
      }
      return {
        ioc,
        mqtt: { url: ioc.mqttUrl },
        errors,
        async dispose() {
          await ioc.stop();
          await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/**
 * The set-ups integration tests run the whole product on: the embedded defaults always; the machine's
 * Mosquitto and PostgreSQL when TEST_MQTT_URL and TEST_DATABASE_URL are set. With IOC_REQUIRE_SERVICES=1
 * a missing setting fails the run instead of leaving the set-up out.
 */
export function iocSetups(env: NodeJS.ProcessEnv = process.env): IocSetup[] {
  const mqttUrl = env.TEST_MQTT_URL;
  const dbUrl = env.TEST_DATABASE_URL;
  if (mqttUrl && dbUrl) return [embedded, services(mqttUrl, dbUrl)];
  if (env.IOC_REQUIRE_SERVICES === '1') {
    return [
      embedded,
      {
        name: 'services (required)',
        start: () =>
          Promise.reject(
            new Error('IOC_REQUIRE_SERVICES=1 but TEST_MQTT_URL or TEST_DATABASE_URL is not set'),
          ),
      },
    ];
  }
  return [embedded];
}

export { eventually } from './wait.ts';
