// Scenario 5: the broker (Mosquitto, persistent) is stopped for 20 s (SIGTERM: it saves its
// persistence), then killed for 20 s (SIGKILL: it does not), each time started again on the same
// persistence. Health must say mqtt down meanwhile and ok after; no acknowledged message lost.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshDatabase, PG_ADMIN_URL, SEGMENTS, tempDir } from './support/databases.ts';
import { startIocProcess } from './support/iocProcess.ts';
import { Monitor } from './support/monitor.ts';
import { startPrivateMosquitto } from './support/mosquitto.ts';
import { Publisher } from './support/publisher.ts';
import { drainAndCount, judge, loadUntilFault, rate, secs } from './support/scenario.ts';
import { freePort, poll, say, sleep } from './support/util.ts';

const RUN_BEFORE_MS = 10_000;
const DOWN_MS = 20_000;
const RUN_BETWEEN_MS = 5_000;
const RUN_AFTER_MS = 10_000;
const RSS_BOUND_MIB = 600;

describe('Mosquitto stopped and killed under load', () => {
  it('5 Mosquitto stopped (SIGTERM) 20 s and killed (SIGKILL) 20 s', async () => {
    const scenario = '5 Mosquitto SIGTERM 20 s + SIGKILL 20 s';
    const startedAt = Date.now();
    const notes: string[] = [];
    const checks: Array<[boolean, string]> = [];
    const prefix = `5-${randomBytes(3).toString('hex')}`;
    const mosq = await startPrivateMosquitto();
    const dbUrl = await freshDatabase();
    const ioc = startIocProcess({
      PORT: String(await freePort()),
      DATA_DIR: tempDir('mqtt-outage'),
      MQTT_URL: mosq.url,
      MQTT_CLIENT_ID: `ioc-fault-${randomBytes(3).toString('hex')}`,
      DATABASE_URL: dbUrl,
    });
    await ioc.ready();
    const monitor = new Monitor(() => ioc).start();
    const pub = await Publisher.connect({ url: mosq.url, segments: SEGMENTS, prefix, rate: rate(1000) });
    await loadUntilFault(pub, dbUrl, prefix, RUN_BEFORE_MS);

    const during: string[] = [];
    let afterFrom = Date.now();
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      say(`${scenario}: ${signal} to Mosquitto for ${secs(DOWN_MS)} (${pub.acked.size} acknowledged)`);
      const downAt = Date.now();
      await mosq.stop(signal);
      const saw = await poll(
        () => monitor.saw(downAt, Date.now(), (s) => s.code === 503 && s.mqtt === 'down'),
        15_000,
        'health to answer 503 mqtt down',
      ).catch(() => false);
      checks.push([saw, `${signal}: health did not answer 503 mqtt:down within 15 s`]);
      await sleep(Math.max(0, downAt + DOWN_MS - Date.now()));
      const upAt = Date.now();
      await mosq.start();
      during.push(`${signal}: ${monitor.summary(downAt, upAt)}`);
      const okAt = await poll(
        () => (monitor.latest()?.code === 200 && monitor.latest()!.t > upAt ? Date.now() : false),
        60_000,
        'health ok after Mosquitto is back',
      ).catch(() => undefined);
      checks.push([okAt !== undefined, `${signal}: health not 200 within 60 s of Mosquitto being back`]);
      if (okAt) notes.push(`${signal}: health ok ${secs(okAt - upAt)} after Mosquitto was back`);
      afterFrom = okAt ?? upAt;
      await sleep(signal === 'SIGTERM' ? RUN_BETWEEN_MS : RUN_AFTER_MS);
    }
    const afterTo = Date.now();
    const healthAfter = monitor.summary(afterFrom, afterTo);
    checks.push([monitor.allOk(afterFrom, afterTo), `health not ok after: ${healthAfter}`]);
    say(`draining (${pub.outstanding} not acknowledged yet)`);
    const stored = await drainAndCount(pub, ioc, { kind: 'postgres', url: dbUrl }, prefix, notes);
    monitor.stop();
    notes.push(`publisher reconnected ${pub.reconnects} times`);
    const { failures } = judge({
      scenario,
      setup: `private Mosquitto (persistent) + ${new URL(PG_ADMIN_URL).host}`,
      startedAt,
      pub,
      stored,
      monitor,
      rssBoundMiB: RSS_BOUND_MIB,
      healthDuring: during.join('; '),
      healthAfter,
      checks,
      notes,
    });
    expect(failures).toEqual([]);
  });
});
