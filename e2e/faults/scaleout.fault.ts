// Scenarios 8 and 9: three IOC instances on the durable log (NATS JetStream between the devices and
// ingest, README "Several instances"), one PostgreSQL, one Redis. One instance is killed (SIGKILL)
// mid-run, then the NATS server is restarted mid-run; every message NATS acknowledged must be stored
// exactly once, and what the dead instance had taken must be committed by the others within the
// consumer's ack wait + 10 s, and the operators' consoles on the dead instance must reconnect to
// another through the balancer and resume where they were, without a gap.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Balancer } from './support/balancer.ts';
import { ACK_WAIT_S, drainCluster, startCluster, storedOf } from './support/cluster.ts';
import { type Console, openConsole, operatorCookie, trafficProbe } from './support/consoles.ts';
import { SEGMENTS } from './support/databases.ts';
import { Monitor } from './support/monitor.ts';
import { Publisher } from './support/publisher.ts';
import { judge, loadUntilFault, rate, secs } from './support/scenario.ts';
import { poll, say, sleep } from './support/util.ts';

const RUN_BEFORE_MS = 10_000;
const RUN_AFTER_MS = 10_000;
const NATS_DOWN_MS = 10_000;
/** per instance: ~200 MiB without PGlite; a backlog held in memory would pass this */
const RSS_BOUND_MIB = 600;

const CONSOLES = 3;
/** segments the publisher leaves alone: each gets one reading while the consoles are away */
const MARKERS = 5;
const MARKER_SPEED = 3;

/**
 * While the consoles' instance is dead and the balancer still refuses them: one reading to each marker
 * segment, seen on a survivor; then the balancer lets the consoles in. Each must reconnect to a
 * survivor and resume (the changes since its last delta, not whole layers), markers included.
 * Answers what failed, in sentences.
 */
async function moveConsoles(
  consoles: Console[],
  balancer: Balancer,
  survivorUrl: string,
  cookie: string,
  pub: Publisher,
  prefix: string,
): Promise<string[]> {
  const markers = SEGMENTS.slice(-MARKERS);
  const probe = await trafficProbe(survivorUrl, cookie);
  const ts = Date.now();
  for (const [i, seg] of markers.entries()) {
    const id = `${prefix}-m${i}`;
    pub.send(`ioc/traffic/${seg}`, JSON.stringify({ id, ts, speedKmh: MARKER_SPEED, volume: 1 }), id);
  }
  await poll(
    () => markers.every((m) => probe.seen.get(m)?.ts === ts),
    30_000,
    'the marker readings on a surviving instance',
  );
  probe.close();
  const openedAt = Date.now();
  balancer.resume();
  const back = await poll(
    () => consoles.every((c) => c.client.status === 'live' && (c.client.lastSync?.at ?? 0) >= openedAt),
    30_000,
    'the consoles live again',
  ).catch(() => false);
  if (!back) return ['the consoles were not live again within 30 s of the balancer letting them in'];
  const failures: string[] = [];
  for (const [k, c] of consoles.entries()) {
    const sync = c.client.lastSync;
    if (!sync?.resumed.includes('traffic'))
      failures.push(
        `console ${k} took a whole traffic snapshot instead of resuming (${JSON.stringify(sync)})`,
      );
    const missing = markers.filter((m) => c.state.traffic.get(m)?.speedKmh !== MARKER_SPEED);
    if (missing.length)
      failures.push(`console ${k} missed the readings made while it was away: ${missing.join(', ')}`);
  }
  return failures;
}

describe('scale-out: three instances on the durable log', () => {
  it('8 one of three instances killed (SIGKILL) mid-run, NATS JetStream', async () => {
    const scenario = '8 one of three instances SIGKILL';
    const startedAt = Date.now();
    const notes: string[] = [];
    const prefix = `8-${randomBytes(3).toString('hex')}`;
    const cluster = await startCluster(3);
    const [dead, survivor] = cluster.instances;
    const ports = [0, 1, 2].map((i) => Number(cluster.envOf(i).PORT));
    const monitor = new Monitor(() => survivor).start();
    // operators' consoles, all on the instance that will die, through the balancer a city puts in front
    const balancer = await Balancer.start(ports);
    const cookie = await operatorCookie(cluster.dbUrl, dead.httpUrl);
    const consoles = Array.from({ length: CONSOLES }, () => openConsole(balancer.url, cookie));
    await poll(
      () => consoles.every((c) => c.client.status === 'live' && c.client.lastSync !== undefined),
      30_000,
      'the consoles to be live',
    );
    const pub = await Publisher.connect({
      url: cluster.nats.mqttUrl,
      // the marker segments get one reading each while the consoles are away, and none else
      segments: SEGMENTS.slice(0, -MARKERS),
      prefix,
      rate: rate(1000),
    });
    const pubStart = await loadUntilFault(pub, cluster.dbUrl, prefix, RUN_BEFORE_MS);
    const ackedAtKill = [...pub.acked];
    say(
      `${scenario}: SIGKILL to one instance after ${secs(Date.now() - pubStart)} (${ackedAtKill.length} acknowledged)`,
    );
    const killedAt = Date.now();
    // the balancer notices the dead instance a little later: until then the consoles cannot reconnect
    balancer.pause();
    await dead.kill9();
    balancer.remove(ports[0]);
    const consolesMoved = moveConsoles(consoles, balancer, survivor.httpUrl, cookie, pub, prefix);
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
    const consoleFailures = await consolesMoved;
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
        ...consoleFailures.map((f): [boolean, string] => [false, f]),
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
    await loadUntilFault(pub, cluster.dbUrl, prefix, RUN_BEFORE_MS);
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
