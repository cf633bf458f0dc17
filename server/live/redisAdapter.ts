import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';

/**
 * The Socket.IO Redis adapter, so a delta ingested on one instance reaches browsers connected to
 * any instance. Note: connection-state recovery is not shared across instances with this adapter;
 * a reconnecting browser then gets a fresh snapshot. `key` prefixes its channels: instances of one IOC
 * share it, two IOCs on one Redis must not (each would show the other's city).
 */
export async function createRedisAdapter(
  url: string,
  key: string,
  log: { warn(obj: object, msg: string): void },
): Promise<{ adapter: ReturnType<typeof createAdapter>; close(): Promise<void> }> {
  const pub = createClient({ url });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on('error', (err: Error) => log.warn({ err: err.message }, 'Redis error'));
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    throw new Error(`cannot connect to Redis at ${url}: ${(err as Error).message}`);
  }
  return {
    adapter: createAdapter(pub, sub, { key }),
    close: async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
