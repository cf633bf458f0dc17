// Scenarios 1 and 2: the IOC is killed (SIGKILL) while it ingests, then started again on the same
// data; every message the broker acknowledged must be stored exactly once.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshDatabase, PG_ADMIN_URL, prepareEmbedded, SEGMENTS, tempDir } from './support/databases.ts';
import { type IocProcess, startIocProcess, storedByMetrics } from './support/iocProcess.ts';
import { Monitor } from './support/monitor.ts';
import { startPrivateMosquitto } from './support/mosquitto.ts';
import { Publisher } from './support/publisher.ts';
import { drainAndCount, judge, rate, type Store, secs } from './support/scenario.ts';
import { freePort, poll, say, sleep } from './support/util.ts';

const RUN_BEFORE_KILL_MS = 10_000;
const RUN_AFTER_RESTART_MS = 10_000;

interface KillSetup {
  name: string;
  rssBoundMiB: number;
  /** env of the IOC, the broker URL and login of the publisher, where the rows are */
  prepare(): Promise<{
    env: Record<string, string>;
    mqtt: { url: string; username?: string; password?: string };
    store: Store;
  }>;
}

async function killScenario(scenario: string, setup: KillSetup): Promise<void> {
  const startedAt = Date.now();
  const notes: string[] = [];
  const prefix = `${scenario.slice(0, 2).trim()}-${randomBytes(3).toString('hex')}`;
  const { env, mqtt, store } = await setup.prepare();
  let ioc: IocProcess = startIocProcess(env);
  await ioc.ready();
  const monitor = new Monitor(() => ioc).start();
  const pub = await Publisher.connect({ ...mqtt, segments: SEGMENTS, prefix, rate: rate(2000) });
  pub.start();
  const pubStart = Date.now();
  await poll(async () => (await storedByMetrics(ioc.httpUrl)) > 0, 20_000, 'the first readings to be stored');

  // the fault comes at a set time into the load: that is the scenario, not a wait for something
  await sleep(Math.max(0, pubStart + RUN_BEFORE_KILL_MS - Date.now()));
  say(`${scenario}: SIGKILL after ${secs(Date.now() - pubStart)} (${pub.acked.size} acknowledged)`);
  const killedAt = Date.now();
  const ackedAtKill = pub.acked.size;
  await ioc.kill9();
  ioc = startIocProcess(env);
  await ioc.ready();
  const restartedAt = Date.now();
  const okAt = await poll(
    () => (monitor.latest()?.code === 200 && monitor.latest()!.t > restartedAt ? Date.now() : false),
    60_000,
    'health ok after the restart',
  ).catch(() => undefined);
  notes.push(
    `killed after ${Math.round((killedAt - pubStart) / 1000)} s (${ackedAtKill} acked), answering again ${Math.round((restartedAt - killedAt) / 1000)} s later`,
  );

  say(`restarted; publishing ${secs(RUN_AFTER_RESTART_MS)} more`);
  await sleep(RUN_AFTER_RESTART_MS);
  const afterFrom = okAt ?? restartedAt;
  const afterTo = Date.now();
  const healthAfter = monitor.summary(afterFrom, afterTo);
  const healthDuring = monitor.summary(killedAt, restartedAt);
  say(`draining (${pub.outstanding} not acknowledged yet)`);
  const stored = await drainAndCount(pub, ioc, store, prefix, notes);
  monitor.stop();
  const { failures } = judge({
    scenario,
    setup: setup.name,
    startedAt,
    pub,
    stored,
    monitor,
    rssBoundMiB: setup.rssBoundMiB,
    healthDuring,
    healthAfter,
    checks: [
      [okAt !== undefined, 'health did not answer 200 within 60 s of the restart'],
      [monitor.allOk(afterFrom, afterTo), `health not ok after the restart: ${healthAfter}`],
    ],
    notes,
  });
  expect(failures).toEqual([]);
}

describe('IOC killed mid-ingest', () => {
  it('1 IOC SIGKILL mid-ingest, embedded (aedes + PGlite)', async () => {
    await killScenario('1 IOC SIGKILL, embedded', {
      name: 'embedded',
      rssBoundMiB: 1024,
      async prepare() {
        const dataDir = tempDir('kill-embedded');
        const { device } = await prepareEmbedded(dataDir);
        const mqttPort = String(await freePort());
        return {
          env: { PORT: String(await freePort()), MQTT_PORT: mqttPort, DATA_DIR: dataDir },
          mqtt: { url: `mqtt://127.0.0.1:${mqttPort}`, ...device },
          store: { kind: 'embedded', dataDir },
        };
      },
    });
  });

  it('2 IOC SIGKILL mid-ingest, Mosquitto + PostgreSQL', async () => {
    await killScenario('2 IOC SIGKILL, Mosquitto + PostgreSQL', {
      name: `private Mosquitto (persistent) + ${new URL(PG_ADMIN_URL).host}`,
      rssBoundMiB: 600,
      async prepare() {
        const mosq = await startPrivateMosquitto();
        const url = await freshDatabase();
        return {
          env: {
            PORT: String(await freePort()),
            DATA_DIR: tempDir('kill-services'),
            MQTT_URL: mosq.url,
            // the same client id after the restart: Mosquitto kept its session and queued for it
            MQTT_CLIENT_ID: `ioc-fault-${randomBytes(3).toString('hex')}`,
            DATABASE_URL: url,
          },
          mqtt: { url: mosq.url },
          store: { kind: 'postgres', url },
        };
      },
    });
  });
});
