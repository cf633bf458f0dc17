// Scenarios 8 and 9: three IOC instances on the durable log (NATS JetStream between the devices and
// ingest, README "Several instances"), one PostgreSQL, one Redis. One instance is killed (SIGKILL)
// mid-run, then the NATS server is restarted mid-run; every message NATS acknowledged must be stored
// exactly once, and what the dead instance had taken must be committed by the others within the
// consumer's ack wait + 10 s.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACK_WAIT_S, drainCluster, startCluster, storedOf } from './support/cluster.ts';
import { rowCountPostgres, SEGMENTS } from './support/databases.ts';
import { Monitor } from './support/monitor.ts';
import { Publisher } from './support/publisher.ts';
import { judge, rate, secs } from './support/scenario.ts';
import { poll, say, sleep } from './support/util.ts';

const RUN_BEFORE_MS = 10_000;
const RUN_AFTER_MS = 10_000;
const NATS_DOWN_MS = 10_000;
/** per instance: ~200 MiB without PGlite; a backlog held in memory would pass this */
const RSS_BOUND_MIB = 600;

describe('scale-out: three instances on the durable log', () => {
  it('8 one of three instances killed (SIGKILL) mid-run, NATS JetStream', async () => {
    const scenario = '8 one of three instances SIGKILL';
    const startedAt = Date.now();
    const notes: string[] = [];
    const prefix = `8-${randomBytes(3).toString('hex')}`;
    const cluster = await startCluster(3);
    const [dead, survivor] = cluster.instances;
    const monitor = new Monitor(() => survivor).start();
    const pub = await Publisher.connect({
      url: cluster.nats.mqttUrl,
      segments: SEGMENTS,
      prefix,
      rate: rate(1000),
    });
    pub.start();
    const pubStart = Date.now();
    await poll(
      async () => (await rowCountPostgres(cluster.dbUrl, prefix)) > 0,
      20_000,
      'the first readings to be stored',
    );

    // the fault comes at a set time into the load: that is the scenario, not a wait for something
    await sleep(Math.max(0, pubStart + RUN_BEFORE_MS - Date.now()));
    const ackedAtKill = [...pub.acked];
    say(
      `${scenario}: SIGKILL to one instance after ${secs(Date.now() - pubStart)} (${ackedAtKill.length} acknowledged)`,
    );
    const killedAt = Date.now();
    await dead.kill9();
    // what NATS had acknowledged by the kill, the dead instance's share among it: all stored by the others
    const bound = (ACK_WAIT_S + 10) * 1000;
    const takenOverAt = await poll(
      async () => ((await storedOf(cluster.dbUrl, ackedAtKill)) === ackedAtKill.length ? Date.now() : false),
      bound,
      'every message acknowledged before the kill to be stored',
      500,
    ).catch(() => undefined);
    if (takenOverAt)
      notes.push(`everything acknowledged before the kill stored ${secs(takenOverAt - killedAt)} after it`);
    else
      notes.push(
        `stored of those acknowledged before the kill: ${await storedOf(cluster.dbUrl, ackedAtKill)}/${ackedAtKill.length}`,
      );
    await sleep(Math.max(0, killedAt + RUN_AFTER_MS - Date.now()));
    const healthDuring = monitor.summary(killedAt);
    const survivorsOk = monitor.allOk(killedAt, Date.now());
    const stored = await drainCluster(pub, cluster, prefix, notes);
    monitor.stop();
    const { failures } = judge({
      scenario,
      setup: 'private NATS JetStream + 3 IOC + PostgreSQL + Redis',
      startedAt,
      pub,
      stored,
      monitor,
      rssBoundMiB: RSS_BOUND_MIB,
      healthDuring,
      healthAfter: healthDuring,
      checks: [
        [
          takenOverAt !== undefined,
          `the survivors did not store everything acknowledged before the kill within the ack wait + 10 s (${secs(bound)})`,
        ],
        [survivorsOk, `a survivor's health was not ok after the kill: ${healthDuring}`],
      ],
      notes,
    });
    expect(failures).toEqual([]);
  });

  it('9 the NATS server restarted mid-run (SIGTERM, 10 s down)', async () => {
    const scenario = '9 NATS restarted, 3 instances';
    const startedAt = Date.now();
    const notes: string[] = [];
    const prefix = `9-${randomBytes(3).toString('hex')}`;
    const cluster = await startCluster(3);
    const monitor = new Monitor(() => cluster.instances[0]).start();
    const pub = await Publisher.connect({
      url: cluster.nats.mqttUrl,
      segments: SEGMENTS,
      prefix,
      rate: rate(1000),
    });
    pub.start();
    const pubStart = Date.now();
    await poll(
      async () => (await rowCountPostgres(cluster.dbUrl, prefix)) > 0,
      20_000,
      'the first readings to be stored',
    );
    await sleep(Math.max(0, pubStart + RUN_BEFORE_MS - Date.now()));
    say(`${scenario}: stopping NATS for ${secs(NATS_DOWN_MS)} (${pub.acked.size} acknowledged)`);
    const stoppedAt = Date.now();
    await cluster.nats.stop('SIGTERM');
    await sleep(NATS_DOWN_MS);
    const healthDown = monitor.summary(stoppedAt);
    await cluster.nats.start();
    const restartedAt = Date.now();
    say(`NATS started again; publishing ${secs(RUN_AFTER_MS)} more`);
    const okAt = await poll(
      () => (monitor.latest()?.code === 200 && monitor.latest()!.t > restartedAt ? Date.now() : false),
      60_000,
      'health ok after NATS is back',
    ).catch(() => undefined);
    if (okAt) notes.push(`health ok ${secs(okAt - restartedAt)} after NATS was back`);
    await sleep(Math.max(0, restartedAt + RUN_AFTER_MS - Date.now()));
    notes.push(`publisher reconnected ${pub.reconnects} times`);
    const healthAfter = monitor.summary(okAt ?? restartedAt);
    const okAfter = okAt !== undefined && monitor.allOk(okAt, Date.now());
    const stored = await drainCluster(pub, cluster, prefix, notes);
    monitor.stop();
    const { failures } = judge({
      scenario,
      setup: 'private NATS JetStream + 3 IOC + PostgreSQL + Redis',
      startedAt,
      pub,
      stored,
      monitor,
      rssBoundMiB: RSS_BOUND_MIB,
      healthDuring: healthDown,
      healthAfter,
      checks: [
        [okAt !== undefined, 'health did not answer 200 within 60 s of NATS being back'],
        [okAt === undefined || okAfter, `health not ok once NATS was back: ${healthAfter}`],
        [pub.outstanding === 0, `${pub.outstanding} publishes never acknowledged after NATS was back`],
      ],
      notes,
    });
    expect(failures).toEqual([]);
  });
});
