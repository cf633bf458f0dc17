import type { MqttClient } from 'mqtt';
import type { SimMessage } from './simulation.ts';

// Enough messages in flight to keep the socket busy without holding a whole backfill in memory.
const WINDOW = 4000;

/** Publishes messages in order at QoS 1 (by default), resolving when the broker has acknowledged them all. */
export async function publishAll(
  client: MqttClient,
  msgs: readonly SimMessage[],
  qos: 0 | 1 | 2 = 1,
): Promise<void> {
  for (let i = 0; i < msgs.length; i += WINDOW) {
    const batch = msgs.slice(i, i + WINDOW);
    await Promise.all(batch.map((m) => client.publishAsync(m.topic, JSON.stringify(m.payload), { qos })));
  }
}
