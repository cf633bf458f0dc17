import net from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  port: number;
  url: string;
  clients(): number;
  close(): Promise<void>;
}

/** Thrown when a port the product needs is taken; the message says which and how to choose another. */
export class PortInUseError extends Error {}

/**
 * Starts the in-process MQTT broker (aedes, MQTT 3.1.1) on a TCP port so outside devices and
 * `mosquitto_pub` can publish to it. Port 0 picks a free one.
 */
export async function startEmbeddedBroker(opts: { port: number; host?: string }): Promise<EmbeddedBroker> {
  // queueLimit: messages held for a persistent session that is reconnecting; concurrency: in-flight deliveries
  const broker = await Aedes.createBroker({
    queueLimit: 100_000,
    concurrency: 1000,
    heartbeatInterval: 30_000,
  });
  const server = net.createServer({ noDelay: true }, broker.handle as (s: net.Socket) => void);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(
          new PortInUseError(
            `MQTT port ${opts.port} is already in use. Set MQTT_PORT to another port (e.g. MQTT_PORT=1884), ` +
              `or MQTT_URL=mqtt://127.0.0.1:${opts.port} to use the broker that is running there.`,
          ),
        );
      else reject(err);
    });
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    clients: () => broker.connectedClients,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
