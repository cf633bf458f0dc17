// Scenario 10: three IOC instances on the durable log (README "Several instances") lose the Redis of
// their Socket.IO adapter for 30 s under load, an operator's console on each. Redis is a private
// redis-server of the scenario's own (the machine's on 6379 serves other tests), killed with SIGKILL:
// the adapter keeps nothing in Redis, so a clean SIGTERM would only differ by Redis saying goodbye,
// and a crash is the harder case (no warning, the same refused reconnects after). Each instance must
// keep ingesting and serving its own console, live and without a disconnect; health stays 200 and
// says `redis: down`; once Redis is back, what each instance stored meanwhile (marker segments that
// nobody writes after) reaches every console, and changes flow between instances again.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../client/live/liveClient.ts';
import { startPrivateRedis } from '../../server/testing/privateRedis.ts';
import { drainCluster, startCluster } from './support/cluster.ts';
import { type Console, openConsole, operatorCookie } from './support/consoles.ts';
import { SEGMENTS } from './support/databases.ts';
import { describeSample, Monitor } from './support/monitor.ts';
import { Publisher } from './support/publisher.ts';
import { judge, loadUntilFault, rate, secs } from './support/scenario.ts';
import { onCleanup, poll, say, sleep } from './support/util.ts';

const RUN_BEFORE_MS = 10_000;
const REDIS_DOWN_MS = 30_000;
const RUN_AFTER_MS = 10_000;
/** per instance: ~200 MiB without PGlite; changes queued for Redis while it is away would pass this */
const RSS_BOUND_MIB = 600;
/**
 * From Redis being back to every console showing what the others stored meanwhile: node-redis retries
 * every 2 s at most (plus 200 ms of jitter), the replay waits 0.5 s for the others' requests, a flush
 * 0.1 s; the rest is room for a 2-core machine that also runs NATS, PostgreSQL and 1,000 msg/s.
 */
const CATCH_UP_BOUND_MS = 10_000;
/** The newest reading on a console during the outage is never older than this (its own instance stores ~330/s). */
const FRESH_BOUND_MS = 5_000;
/** Redis warnings one instance may log for one outage: the break, the return, the replay (not one per retry). */
const REDIS_WARNINGS_MAX = 5;

/** Marker segments the load leaves alone, one group per round: during the outage, at the return, after. */
const MARKERS = 5;
const ROUNDS = [
  { name: 'during the outage', speed: 3 },
  { name: 'as Redis comes back', speed: 4 },
  { name: 'after the catch-up', speed: 5 },
] as const;
const markerSegs = (round: number) =>
  SEGMENTS.slice(-MARKERS * (round + 1), SEGMENTS.length - MARKERS * round);

/** What a console went through: its status changes, and the age of its newest reading, sampled. */
function watch(c: Console) {
  const changes: Array<{ t: number; s: ConnectionStatus }> = [];
  const off = c.client.on('status', (s) => changes.push({ t: Date.now(), s }));
  const ages: Array<{ t: number; ageMs: number }> = [];
  const timer = setInterval(() => {
    let newest = 0;
    for (const it of c.state.traffic.values()) newest = Math.max(newest, it.ts);
    ages.push({ t: Date.now(), ageMs: Date.now() - newest });
  }, 250);
  const stop = () => {
    clearInterval(timer);
    off();
  };
  onCleanup('console watch', stop);
  return {
    stop,
    changesBetween: (from: number, to: number) => changes.filter((x) => x.t >= from && x.t <= to),
    worstAgeMs: (from: number, to: number) =>
      Math.max(0, ...ages.filter((x) => x.t >= from && x.t <= to).map((x) => x.ageMs)),
  };
}

/** The answers of every instance between two times, most frequent first: "200 db:ok mqtt:ok redis:down ×180". */
function summaryOf(monitors: Monitor[], from: number, to = Date.now()): string {
  const counts = new Map<string, number>();
  for (const m of monitors)
    for (const s of m.samples)
      if (s.t >= from && s.t <= to) counts.set(describeSample(s), (counts.get(describeSample(s)) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
}

describe('scale-out: the adapter Redis lost', () => {
  it('10 Redis (Socket.IO adapter) killed (SIGKILL) 30 s, 3 instances', async () => {
    const scenario = '10 Redis SIGKILL 30 s, 3 instances';
    const startedAt = Date.now();
    const notes: string[] = [];
    const checks: Array<[boolean, string]> = [];
    const prefix = `10-${randomBytes(3).toString('hex')}`;
    const redis = await startPrivateRedis();
    onCleanup('private Redis', () => redis.dispose());
    const cluster = await startCluster(3, { REDIS_URL: redis.url });
    const { instances } = cluster;
    const monitors = instances.map((p) => new Monitor(() => p).start());
    const cookie = await operatorCookie(cluster.dbUrl, instances[0].httpUrl);
    // one operator's console on each instance, straight (no balancer: each stays where it is)
    const consoles = instances.map((p) => openConsole(p.httpUrl, cookie));
    await poll(
      () => consoles.every((c) => c.client.status === 'live' && c.client.lastSync !== undefined),
      30_000,
      'the consoles to be live',
    );
    const watches = consoles.map(watch);
    const pub = await Publisher.connect({
      url: cluster.nats.mqttUrl,
      segments: SEGMENTS.slice(0, -MARKERS * ROUNDS.length),
      prefix,
      rate: rate(1000),
    });
    /** One reading to each marker segment of a round; answers when it was sent. */
    const sendMarkers = (round: number) => {
      const ts = Date.now();
      for (const [i, seg] of markerSegs(round).entries()) {
        const id = `${prefix}-r${round}m${i}`;
        pub.send(
          `ioc/traffic/${seg}`,
          JSON.stringify({ id, ts, speedKmh: ROUNDS[round].speed, volume: 1 }),
          id,
        );
      }
      return ts;
    };
    /** How many consoles show each marker of a round. */
    const shownOn = (round: number) =>
      markerSegs(round).map(
        (m) => consoles.filter((c) => c.state.traffic.get(m)?.speedKmh === ROUNDS[round].speed).length,
      );

    await loadUntilFault(pub, cluster.dbUrl, prefix, RUN_BEFORE_MS);
    const errorsBefore = instances.map((p) => p.errors.length);
    say(`${scenario}: SIGKILL to Redis for ${secs(REDIS_DOWN_MS)} (${pub.acked.size} acknowledged)`);
    const stoppedAt = Date.now();
    await redis.stop('SIGKILL');

    // every instance says so (and keeps answering 200)
    const seenDown = await poll(
      () => monitors.every((m) => m.saw(stoppedAt, Date.now(), (s) => s.redis === 'down')),
      10_000,
      'every instance to report redis: down',
    ).catch(() => false);
    checks.push([seenDown, 'not every instance reported `redis: down` in /api/health within 10 s']);

    // round 0, mid-outage: each marker on its own instance's console, live, and on no other
    await sleep(5000);
    sendMarkers(0);
    const ownShown = await poll(
      () => shownOn(0).every((n) => n >= 1),
      10_000,
      "the outage's markers on their own instances' consoles",
    ).catch(() => false);
    checks.push([
      ownShown,
      `during the outage a marker was on no console (consoles per marker: ${shownOn(0)})`,
    ]);
    await sleep(Math.max(0, stoppedAt + REDIS_DOWN_MS - Date.now()));
    const during = shownOn(0);
    checks.push([
      during.every((n) => n === 1),
      `during the outage each marker should be on exactly one console, its instance's (Redis down): ${during}`,
    ]);
    const outageEnd = Date.now();
    for (const [k, w] of watches.entries()) {
      const changes = w.changesBetween(stoppedAt, outageEnd);
      const worst = w.worstAgeMs(stoppedAt + 2000, outageEnd);
      notes.push(`console ${k} during the outage: newest reading at most ${(worst / 1000).toFixed(1)} s old`);
      checks.push([
        changes.length === 0,
        `console ${k} changed status during the outage: ${changes.map((x) => x.s).join(' → ')}`,
      ]);
      checks.push([
        worst <= FRESH_BOUND_MS,
        `console ${k}'s newest reading was ${secs(worst)} old during the outage (bound ${secs(FRESH_BOUND_MS)})`,
      ]);
    }
    const healthDuring = summaryOf(monitors, stoppedAt, outageEnd);
    checks.push([
      monitors.every((m) => m.allOk(stoppedAt, outageEnd)),
      `an instance's health was not 200 during the outage: ${healthDuring}`,
    ]);

    await redis.start();
    const restartedAt = Date.now();
    say('Redis started again on the same port');
    sendMarkers(1);
    const caughtUpAt = await poll(
      () =>
        shownOn(0).every((n) => n === consoles.length) && shownOn(1).every((n) => n === consoles.length)
          ? Date.now()
          : false,
      CATCH_UP_BOUND_MS,
      'every marker on every console',
      100,
    ).catch(() => undefined);
    if (caughtUpAt)
      notes.push(
        `every console caught up ${((caughtUpAt - restartedAt) / 1000).toFixed(1)} s after Redis was back`,
      );
    checks.push([
      caughtUpAt !== undefined,
      `not every console showed the markers stored during the outage and at the return within ${secs(CATCH_UP_BOUND_MS)} of Redis being back (consoles per marker: ${shownOn(0)} | ${shownOn(1)})`,
    ]);
    // changes as they happen, between instances again
    const r2 = sendMarkers(2);
    const flowsAt = await poll(
      () => (shownOn(2).every((n) => n === consoles.length) ? Date.now() : false),
      CATCH_UP_BOUND_MS,
      'the markers after the catch-up on every console',
      100,
    ).catch(() => undefined);
    if (flowsAt) notes.push(`a marker after it on every console in ${((flowsAt - r2) / 1000).toFixed(1)} s`);
    checks.push([
      flowsAt !== undefined,
      `markers sent after the catch-up were not on every console within ${secs(CATCH_UP_BOUND_MS)}`,
    ]);

    await sleep(Math.max(0, restartedAt + RUN_AFTER_MS - Date.now()));
    const afterFrom = caughtUpAt ?? restartedAt;
    const healthAfter = summaryOf(monitors, afterFrom);
    checks.push([
      monitors.every((m) => m.saw(afterFrom, Date.now(), (s) => s.code === 200 && s.redis === 'ok')),
      `an instance did not report redis: ok after Redis was back: ${healthAfter}`,
    ]);
    const crashed = instances.filter((p) => p.exit !== undefined);
    checks.push([
      crashed.length === 0,
      `instances ended: ${crashed.map((p) => `${p.pid} (${p.exit?.code ?? p.exit?.signal}): ${p.tail.slice(-3).join(' | ')}`).join('; ')}`,
    ]);
    for (const [k, p] of instances.entries()) {
      const errors = p.errors.slice(errorsBefore[k]);
      const redisWarnings = p.warnings.filter((w) => /redis|replayed/i.test(w));
      notes.push(`instance ${k}: ${redisWarnings.length} Redis warnings, ${errors.length} errors logged`);
      checks.push([errors.length === 0, `instance ${k} logged errors: ${errors.slice(0, 3).join(' | ')}`]);
      checks.push([
        redisWarnings.length <= REDIS_WARNINGS_MAX,
        `instance ${k} logged ${redisWarnings.length} Redis warnings (a storm): ${redisWarnings.slice(0, 5).join(' | ')}`,
      ]);
    }
    for (const w of watches) w.stop();
    const stored = await drainCluster(pub, cluster, prefix, notes);
    for (const m of monitors) m.stop();
    const { failures } = judge({
      scenario,
      setup: 'private NATS JetStream + 3 IOC + PostgreSQL + a private Redis',
      startedAt,
      pub,
      stored,
      monitor: { peakRssMiB: Math.max(...monitors.map((m) => m.peakRssMiB)) },
      rssBoundMiB: RSS_BOUND_MIB,
      healthDuring,
      healthAfter,
      checks,
      notes,
    });
    expect(failures).toEqual([]);
  });
});
