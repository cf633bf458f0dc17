import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, Delta, ServerToClientEvents, TrafficItem } from '#contract/live.ts';
import { generateCity } from '../../simulators/city.ts';
import { CityState } from '../domain/cityState.ts';
import { eventually } from '../testing/iocHarness.ts';
import { type PrivateRedis, startPrivateRedis } from '../testing/privateRedis.ts';
import { LiveGateway } from './liveGateway.ts';
import { createRedisAdapter } from './redisAdapter.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Instance {
  state: CityState;
  gateway: LiveGateway;
  adapter: Awaited<ReturnType<typeof createRedisAdapter>>;
  server: http.Server;
  /** what a console on this instance has seen of each segment */
  seen: Map<string, TrafficItem>;
  client: Client;
  warnings: string[];
}

/**
 * Two gateways sharing a private redis-server (the machine's on 6379 is shared by other tests: never
 * stopped), killed and started again: each keeps serving its own console, nothing queues or rejects
 * unhandled meanwhile, and what one stored during the break reaches the other's console after it.
 */
describe('Redis adapter: Redis lost and back', () => {
  const city = generateCity(42);
  const seg = (i: number) => city.segments[i].id;
  let redis: PrivateRedis;
  const instances: Instance[] = [];
  const unhandled: unknown[] = [];
  const closed = new Set<Instance>();
  const onUnhandled = (e: unknown) => unhandled.push(e);

  const start = async (): Promise<Instance> => {
    const state = new CityState(city);
    const warnings: string[] = [];
    const log = { warn: (_o: object, msg: string) => void warnings.push(msg) };
    const adapter = await createRedisAdapter(redis.url, 'ioc-adapter-test', log);
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const gateway = new LiveGateway({
      httpServer: server,
      state,
      city: () => city,
      flushMs: 10,
      stats: () => ({ ingestRate: 0, rejectRate: 0 }),
      log,
      adapter: adapter.adapter,
      link: adapter.link,
    });
    const client: Client = connectSocket(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      transports: ['websocket'],
    });
    const seen = new Map<string, TrafficItem>();
    client.on('delta', (d: Delta) => {
      if (d.layer === 'traffic') for (const it of d.items as TrafficItem[]) seen.set(it.id, it);
    });
    const ack = await client.timeout(5000).emitWithAck('subscribe', { layers: ['traffic'] });
    expect(ack.ok).toBe(true);
    return { state, gateway, adapter, server, seen, client, warnings };
  };

  /** A reading stored on `inst` (as ingest does: the state, then the gateway). */
  const store = (inst: Instance, id: string, speedKmh: number) => {
    const it: TrafficItem = { id, ts: Date.now(), speedKmh, level: 'free' };
    inst.state.applyItems('traffic', [it]);
    inst.gateway.push('traffic', [it]);
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    redis = await startPrivateRedis();
    instances.push(await start(), await start());
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    for (const i of instances) {
      i.client.close();
      if (closed.has(i)) continue;
      await i.gateway.close();
      await i.adapter.close();
    }
    await redis?.dispose();
  });

  it('keeps each console live, drops instead of queueing, and replays after Redis is back', async () => {
    const [a, b] = instances;
    // the link works: A's reading on B's console
    await eventually(
      () => {
        store(a, seg(0), 11);
        return b.seen.get(seg(0))?.speedKmh === 11;
      },
      10_000,
      'a reading of A on B while Redis is up',
      200,
    );

    await redis.stop('SIGKILL');
    await eventually(
      () => a.adapter.link.downSince() !== undefined && b.adapter.link.downSince() !== undefined,
      5000,
      'both links to notice',
    );
    // stored on A during the break: A's console has it at once, B's cannot
    store(a, seg(1), 22);
    store(b, seg(2), 33);
    await eventually(() => a.seen.get(seg(1))?.speedKmh === 22, 5000, "A's own reading on A");
    await eventually(() => b.seen.get(seg(2))?.speedKmh === 33, 5000, "B's own reading on B");
    // whatever else goes through the adapter meanwhile (a broadcast to a room) is dropped, not queued
    const before = a.adapter.link.dropped;
    for (let i = 0; i < 2000; i++) a.gateway.io.to('nobody').emit('stats', { ts: i } as never);
    expect(a.adapter.link.dropped - before).toBe(2000);
    // node-redis keeps failing to reconnect meanwhile: one warning per break, not one per attempt; and
    // past its command timeout (5 s), where a queued publish used to reject unhandled and end the process
    await new Promise((r) => setTimeout(r, 6000));
    expect(b.seen.has(seg(1))).toBe(false);
    expect(a.warnings.filter((w) => w.startsWith('Redis unreachable'))).toHaveLength(1);

    const restartedAt = Date.now();
    await redis.start();
    await eventually(
      () => b.seen.get(seg(1))?.speedKmh === 22 && a.seen.get(seg(2))?.speedKmh === 33,
      10_000,
      'the readings of the break on the other console after Redis is back',
    );
    const caughtUpMs = Date.now() - restartedAt;
    expect(b.state.traffic.get(seg(1))?.speedKmh).toBe(22);
    // and changes flow again as they happen
    store(b, seg(3), 44);
    await eventually(() => a.seen.get(seg(3))?.speedKmh === 44, 5000, 'a reading of B on A after');
    // a replay repeats what the other has newer of: never shown over the newer one
    store(a, seg(0), 12);
    await eventually(() => b.seen.get(seg(0))?.speedKmh === 12, 5000, 'the newer reading on B');
    expect(unhandled).toEqual([]);
    expect(a.warnings).toContain('Redis back: replaying the changes made meanwhile');
    expect(caughtUpMs).toBeLessThan(10_000);
  });

  it('stops cleanly while Redis is away (the adapter unsubscribes then, without catching)', async () => {
    const b = instances[1];
    await redis.stop('SIGKILL');
    await eventually(() => b.adapter.link.downSince() !== undefined, 5000, 'the link to notice');
    await b.gateway.close();
    await b.adapter.close();
    closed.add(b);
    await new Promise((r) => setTimeout(r, 500));
    expect(unhandled).toEqual([]);
  });
});
