import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { AdapterLink } from './liveGateway.ts';

/**
 * Commands waiting for Redis at most (node-redis's queue, unbounded by default): past it a publish is
 * dropped. While Redis is unreachable nothing waits at all (no offline queue); this bounds a Redis that
 * is up but does not keep up.
 */
const PUB_QUEUE_MAX = 5000;

export interface RedisAdapterLink extends AdapterLink {
  /** messages to the other instances dropped (Redis unreachable, or the queue full) */
  readonly dropped: number;
  /** whether both connections work now */
  up(): boolean;
}

/**
 * The Socket.IO Redis adapter, so a delta ingested on one instance reaches browsers connected to
 * any instance. Note: connection-state recovery is not shared across instances with this adapter;
 * a reconnecting browser then gets a fresh snapshot. `key` prefixes its channels: instances of one IOC
 * share it, two IOCs on one Redis must not (each would show the other's city).
 *
 * When Redis goes away node-redis reconnects by itself (every 50 ms to 2 s). Meanwhile a publish is
 * dropped rather than queued in memory (an hour's outage would otherwise be an hour of changes held,
 * and sent late in a burst that the others may miss anyway, their subscriptions being down too); the
 * adapter does not catch a failed publish, so it is caught here (an unhandled rejection ends the
 * process). The link says when it broke and when it works again, for the gateway's replay.
 */
export async function createRedisAdapter(
  url: string,
  key: string,
  log: { warn(obj: object, msg: string): void },
): Promise<{ adapter: ReturnType<typeof createAdapter>; link: RedisAdapterLink; close(): Promise<void> }> {
  const pub = createClient({ url, disableOfflineQueue: true, commandsQueueMaxLength: PUB_QUEUE_MAX });
  const sub = createClient({ url });
  let brokenSince: number | undefined;
  let errorsInBreak = 0;
  let dropped = 0;
  let closing = false;
  let started = false;
  const restored = new Set<(since: number) => void>();
  const broken = (what: string, err?: Error) => {
    if (closing) return;
    if (brokenSince !== undefined) {
      errorsInBreak++;
      return;
    }
    brokenSince = Date.now();
    errorsInBreak = 0;
    // once per break: node-redis reports every failed reconnect, one or two a second per connection
    log.warn(
      { err: err?.message, connection: what },
      started
        ? 'Redis unreachable: each instance serves its own browsers; changes made here go to the others once it is back'
        : 'waiting for Redis (the Socket.IO adapter) to start',
    );
  };
  const ready = () => {
    if (!started || closing || brokenSince === undefined || !pub.isReady || !sub.isReady) return;
    const since = brokenSince;
    brokenSince = undefined;
    log.warn(
      { downS: Math.round((Date.now() - since) / 1000), errors: errorsInBreak, dropped },
      'Redis back: replaying the changes made meanwhile',
    );
    for (const fn of restored) fn(since);
  };
  for (const [what, c] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    c.on('error', (err: Error) => broken(what, err));
    c.on('reconnecting', () => broken(what));
    c.on('end', () => broken(what));
    c.on('ready', ready);
  }
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    closing = true;
    for (const c of [pub, sub])
      try {
        c.destroy();
      } catch {
        // never opened
      }
    throw new Error(`cannot connect to Redis at ${url}: ${(err as Error).message}`);
  }
  brokenSince = undefined;
  started = true;
  const publish = (channel: string, message: string): Promise<number> => {
    if (!pub.isReady) {
      dropped++;
      return Promise.resolve(0);
    }
    return pub.publish(channel, message).catch(() => {
      dropped++;
      return 0;
    });
  };
  const forAdapter = { pub: guarded(pub, { publish }), sub: guarded(sub, {}) };
  return {
    adapter: createAdapter(forAdapter.pub, forAdapter.sub, { key }),
    link: {
      downSince: () => brokenSince,
      onRestored: (fn) => {
        restored.add(fn);
      },
      get dropped() {
        return dropped;
      },
      up: () => brokenSince === undefined && pub.isReady && sub.isReady,
    },
    close: async () => {
      closing = true;
      // quit waits for Redis; destroy when it is not there to answer
      await Promise.allSettled([pub, sub].map((c) => (c.isReady ? c.close() : Promise.resolve(c.destroy()))));
    },
  };
}

/**
 * The client as the adapter sees it: the same, but for `overrides`, and every promise it gets handled.
 * The adapter calls without catching (its subscriptions at start, its unsubscriptions on close): a
 * Redis that goes away meanwhile rejects them, and an unhandled rejection ends the process. The
 * connection's own errors are logged from its 'error' events.
 */
function guarded<C extends object>(client: C, overrides: Record<string, unknown>): C {
  return new Proxy(client, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop];
      const v = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const r = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (r instanceof Promise) r.catch(() => {});
        return r;
      };
    },
  });
}
