// Scenarios 3 and 4: the IOC's PostgreSQL is stopped for 30 s, then for 3 minutes, under load. The
// IOC must stay up and say it is degraded, keep its memory bounded (the broker queues, not the IOC),
// and once PostgreSQL is back store every acknowledged message exactly once.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startPrivatePostgres } from '../../server/testing/privatePostgres.ts';
import { SEGMENTS, tempDir } from './support/databases.ts';
import { startIocProcess } from './support/iocProcess.ts';
import { Monitor } from './support/monitor.ts';
import { startPrivateMosquitto } from './support/mosquitto.ts';
import { Publisher } from './support/publisher.ts';
import { drainAndCount, judge, loadUntilFault, rate, secs } from './support/scenario.ts';
import { freePort, onCleanup, poll, say, sleep } from './support/util.ts';

const RUN_BEFORE_MS = 10_000;
const RUN_AFTER_MS = 10_000;
/** the IOC without PGlite is ~200 MiB; a backlog held in its memory would pass this within seconds */
const RSS_BOUND_MIB = 600;

async function postgresOutage(scenario: string, outageMs: number): Promise<void> {
  const startedAt = Date.now();
  const notes: string[] = [];
  const prefix = `${scenario.split(' ')[0]}-${randomBytes(3).toString('hex')}`;
  const pg = await startPrivatePostgres();
  onCleanup('private PostgreSQL', () => pg.dispose());
  const mosq = await startPrivateMosquitto();
  const ioc = startIocProcess({
    PORT: String(await freePort()),
    DATA_DIR: tempDir('pg-outage'),
    MQTT_URL: mosq.url,
    MQTT_CLIENT_ID: `ioc-fault-${randomBytes(3).toString('hex')}`,
    DATABASE_URL: pg.url,
  });
  await ioc.ready();
  const monitor = new Monitor(() => ioc).start();
  const pub = await Publisher.connect({ url: mosq.url, segments: SEGMENTS, prefix, rate: rate(1000) });
  await loadUntilFault(pub, pg.url, prefix, RUN_BEFORE_MS);
  say(`${scenario}: stopping PostgreSQL for ${secs(outageMs)} (${pub.acked.size} acknowledged)`);
  const stoppedAt = Date.now();
  await pg.stop('fast');
  const degradedAt = await poll(
    () => (monitor.saw(stoppedAt, Date.now(), (s) => s.code === 503 && s.db === 'down') ? Date.now() : false),
    20_000,
    'health to answer 503 db down',
  ).catch(() => undefined);
  if (degradedAt) notes.push(`health said db down ${secs(degradedAt - stoppedAt)} after the stop`);
  await sleep(Math.max(0, stoppedAt + outageMs - Date.now()));
  const aliveThrough = ioc.exit === undefined;
  say(
    `starting PostgreSQL again (IOC ${aliveThrough ? 'alive' : 'gone'}, RSS peak ${monitor.peakRssMiB} MiB)`,
  );
  const restartAt = Date.now();
  await pg.start();
  const healthDuring = monitor.summary(stoppedAt, restartAt);
  const okAt = await poll(
    () => (monitor.latest()?.code === 200 && monitor.latest()!.t > restartAt ? Date.now() : false),
    60_000,
    'health ok after PostgreSQL is back',
  ).catch(() => undefined);
  if (okAt) notes.push(`health ok ${secs(okAt - restartAt)} after PostgreSQL was back`);

  await sleep(RUN_AFTER_MS);
  const afterFrom = okAt ?? restartAt;
  const afterTo = Date.now();
  const healthAfter = monitor.summary(afterFrom, afterTo);
  say(`draining (${pub.outstanding} not acknowledged yet)`);
  const stored = await drainAndCount(pub, ioc, { kind: 'postgres', url: pg.url }, prefix, notes);
  monitor.stop();
  const { failures } = judge({
    scenario,
    setup: 'private Mosquitto (persistent) + private PostgreSQL',
    startedAt,
    pub,
    stored,
    monitor,
    rssBoundMiB: RSS_BOUND_MIB,
    healthDuring,
    healthAfter,
    checks: [
      [aliveThrough, `the IOC exited during the outage (${ioc.exit?.code ?? ioc.exit?.signal})`],
      [
        degradedAt !== undefined,
        `health did not answer 503 db:down within 20 s of the stop: ${healthDuring}`,
      ],
      [okAt !== undefined, 'health did not answer 200 within 60 s of PostgreSQL being back'],
      [monitor.allOk(afterFrom, afterTo), `health not ok after: ${healthAfter}`],
    ],
    notes,
  });
  expect(failures).toEqual([]);
}

describe('PostgreSQL stopped under load', () => {
  it('3 PostgreSQL stopped 30 s', async () => {
    await postgresOutage('3 PostgreSQL stopped 30 s', 30_000);
  });

  it('4 PostgreSQL stopped 3 minutes', async () => {
    await postgresOutage('4 PostgreSQL stopped 3 min', 180_000);
  });
});
