import net from 'node:net';
import { Aedes, type Client } from 'aedes';
import type { DeviceView } from '#contract/auth.ts';
import { isMqtt5Stream, routeByProtocol } from './mqtt5Bridge.ts';

export interface EmbeddedBroker {
  port: number;
  url: string;
  clients(): number;
  close(): Promise<void>;
}

/** Who a connection logged in as: the IOC's own ingest client, or a device. */
export type BrokerIdentity = { kind: 'server' } | { kind: 'device'; device: DeviceView };

/** Why the broker refused something. */
export type BrokerDenialReason =
  /** connect: unknown username, wrong secret, disabled device, no credentials */
  | 'credentials'
  /** connect: the credentials could not be checked (database down) */
  | 'unavailable'
  /** publish: not a topic of the contract */
  | 'topic'
  /** publish: an asset the device does not own */
  | 'asset'
  /** publish: `ioc/incident/report` by a device that may not report */
  | 'report'
  /** publish by the IOC's own client, which only subscribes */
  | 'server_publish'
  /** subscribe by a device: granted, as Mosquitto's ACL does, but it reads nothing (only the IOC reads) */
  | 'subscribe'
  /** an open connection whose device was disabled or its secret rotated since: closed */
  | 'revoked';

export interface BrokerDenial {
  kind: 'connect' | 'publish' | 'subscribe' | 'revoked';
  reason: BrokerDenialReason;
  /** the username given (connect) or the device id; null when none was given */
  actor: string | null;
  role: 'device' | 'server' | null;
  /** the topic published or subscribed to */
  topic?: string;
  clientId?: string;
  ip?: string;
}

/** Credentials and topic rights, enforced by the embedded broker. */
export interface BrokerAuth {
  /** who these credentials belong to, or null to refuse the connection */
  authenticate(username: string | undefined, password: string | undefined): Promise<BrokerIdentity | null>;
  /** why the device may not publish to the topic, or null when it may (called for every message: keep it O(1)) */
  publishDenial(device: DeviceView, topic: string): Exclude<BrokerDenialReason, 'credentials'> | null;
  /**
   * The device as it is now, asked every `sweepMs` for each open device connection: null closes the
   * connection (disabled, secret rotated), a device replaces the one it logged in with (assets changed).
   */
  recheck?(device: DeviceView): Promise<DeviceView | null>;
  /** every refusal, as it happens (count it; the caller throttles what it writes to the audit log) */
  onDenied(d: BrokerDenial): void;
  /** default 20 s: with a 30 s device cache, a disabled device's open connection ends within a minute */
  sweepMs?: number;
}

/** Thrown when a port the product needs is taken; the message says which and how to choose another. */
export class PortInUseError extends Error {}

/**
 * Where a refused publish goes. MQTT 3.1.1 has no negative PUBACK, and an error from aedes'
 * authorizePublish would close the connection: the device's client would then send the same unacked
 * QoS 1 message again on reconnect, be closed again, and never get its legitimate readings through.
 * So, as Mosquitto does with an ACL-denied publish, the broker acks it and delivers it nowhere: the
 * topic is one no client can subscribe to (only the IOC subscribes, to `ioc/#`).
 */
const DROPPED_TOPIC = '$IOC/dropped';

/**
 * Starts the in-process MQTT broker (aedes, MQTT 3.1.1) on a TCP port so outside devices and
 * `mosquitto_pub` can publish to it. Port 0 picks a free one. With `auth`, every connection must log
 * in; devices may publish only to their own assets' topics and nobody but the IOC reads (a device's
 * subscription is granted and receives nothing, as with Mosquitto and `npm run mosquitto-config`).
 * aedes speaks MQTT 3.1.1; an MQTT 5 device's connection goes through a translator (mqtt5Bridge.ts), so it
 * is let in as Mosquitto lets it in (the README lists what still differs).
 */
export async function startEmbeddedBroker(opts: {
  port: number;
  host?: string;
  auth?: BrokerAuth;
  /**
   * Ingest in this process: each publish allowed is handed over directly, and the broker's PUBACK to
   * the publisher waits until the promise settles (the message is durable). Nothing is forwarded to
   * subscribers then: a message acknowledged to a device is never only in this process's memory.
   */
  ingest?: BrokerIngest;
  log?: { warn(obj: object, msg: string): void };
}): Promise<EmbeddedBroker> {
  // queueLimit: messages held for a persistent session that is reconnecting; concurrency: in-flight deliveries
  const broker = await Aedes.createBroker({
    queueLimit: 100_000,
    concurrency: 1000,
    heartbeatInterval: 30_000,
  });
  let sweep: NodeJS.Timeout | undefined;
  if (opts.auth) sweep = enforce(broker, opts.auth, opts.log);
  if (opts.ingest) ingestDirectly(broker, opts.ingest);
  const handle = broker.handle as (s: unknown) => void;
  const server = net.createServer({ noDelay: true }, (socket) => routeByProtocol(socket, handle));
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
  }).catch(async (err) => {
    clearInterval(sweep);
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    clients: () => broker.connectedClients,
    close: async () => {
      clearInterval(sweep);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Hands every publish that passed authorization to ingest, and acknowledges it once ingest says it is
 * durable. aedes would send a QoS 1 PUBACK right after authorizePublish calls back, and reads no more
 * from a socket until the packets of its last read are handled: holding the callback until the commit
 * would take turns between reading and writing (measured: 9,000 msg/s instead of 14,000). So a QoS 1
 * publish is handed on as QoS 0 (aedes sends no PUBACK) and this sends the PUBACK itself after the
 * commit (MQTT 3.1.1's PUBACK, which an MQTT 5 device's translator writes again as MQTT 5). The callback is held only while ingest
 * is over its high-water mark, so a slow or absent database holds the publishers through TCP.
 */
function ingestDirectly(broker: Aedes, ingest: BrokerIngest): void {
  const authorize = broker.authorizePublish.bind(broker);
  broker.authorizePublish = (client, packet, done) =>
    authorize(client, packet, (err) => {
      if (err || !client || packet.topic === DROPPED_TOPIC) return done(err);
      const { topic, payload, qos, messageId } = packet;
      // delivered nowhere else: ingest has it
      packet.topic = DROPPED_TOPIC;
      packet.retain = false;
      const durable = ingest.accept(topic, payload as Buffer);
      if (qos !== 1 || messageId === undefined) {
        durable.then(() => done(null), done);
        return;
      }
      packet.qos = 0;
      durable.then(() => {
        // a closed connection's publisher sends the message again on its next one
        if (client.closed) return;
        const conn = client.conn as unknown as { write(b: Buffer): boolean };
        conn.write(Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]));
      });
      const wait = ingest.backpressure();
      if (wait) wait.then(() => done(null));
      else done(null);
    });
}

/** What the embedded broker needs from ingest. */
export interface BrokerIngest {
  /** settles when the message is durable (stored, or refused with a reason) */
  accept(topic: string, payload: Buffer): Promise<void>;
  /** a promise while too much is unwritten: the broker then stops reading from the publisher */
  backpressure(): Promise<void> | undefined;
}

/** Installs the authentication and authorization hooks; returns the timer of the revocation sweep. */
function enforce(broker: Aedes, auth: BrokerAuth, log?: { warn(obj: object, msg: string): void }) {
  const identities = new WeakMap<Client, BrokerIdentity>();
  // closed by the sweep: their will is dropped without another report
  const revoked = new WeakSet<Client>();
  const ipOf = (c: Client | null) => (c?.conn as net.Socket | undefined)?.remoteAddress ?? undefined;
  const actorOf = (id: BrokerIdentity | undefined) =>
    id?.kind === 'device'
      ? { actor: id.device.id, role: 'device' as const }
      : id
        ? { actor: null, role: 'server' as const }
        : { actor: null, role: null };

  broker.authenticate = (client, username, password, done) => {
    auth
      .authenticate(username ?? undefined, password === undefined ? undefined : password.toString('utf8'))
      .then(
        (identity) => {
          if (identity) {
            identities.set(client, identity);
            return done(null, true);
          }
          auth.onDenied({
            kind: 'connect',
            reason: 'credentials',
            actor: username ?? null,
            role: null,
            clientId: client.id,
            ip: ipOf(client),
          });
          // CONNACK 5, not authorized
          done(null, false);
        },
        (err: unknown) => {
          log?.warn({ err }, 'MQTT: could not check credentials');
          auth.onDenied({
            kind: 'connect',
            reason: 'unavailable',
            actor: username ?? null,
            role: null,
            clientId: client.id,
            ip: ipOf(client),
          });
          // CONNACK 3, server unavailable: the device retries later
          done(Object.assign(new Error('credentials could not be checked'), { returnCode: 3 }), false);
        },
      );
  };

  broker.authorizePublish = (client, packet, done) => {
    const id = client ? identities.get(client) : undefined;
    let reason: BrokerDenialReason | null;
    if (!id) reason = 'credentials';
    else if (id.kind === 'server') reason = 'server_publish';
    else reason = auth.publishDenial(id.device, packet.topic);
    if (reason === null) return done(null);
    if (!(client && revoked.has(client)))
      auth.onDenied({
        kind: 'publish',
        reason,
        ...actorOf(id),
        topic: packet.topic,
        clientId: client?.id,
        ip: ipOf(client),
      });
    // MQTT 5 has a negative PUBACK: 0x87, not authorized, as Mosquitto answers an MQTT 5 device
    if (isMqtt5Stream(client?.conn) && packet.qos > 0 && packet.messageId !== undefined)
      client.conn.refuse(packet.messageId);
    packet.topic = DROPPED_TOPIC;
    packet.retain = false;
    done(null);
  };

  // As Mosquitto with the generated ACL (no `topic read` line for a device): the subscription is granted
  // and nothing is delivered to it. Counted and audited, since a device has no reason to subscribe.
  broker.authorizeSubscribe = (client, sub, done) => {
    const id = identities.get(client);
    if (id?.kind !== 'server')
      auth.onDenied({
        kind: 'subscribe',
        reason: 'subscribe',
        ...actorOf(id),
        topic: sub.topic,
        clientId: client.id,
        ip: ipOf(client),
      });
    done(null, sub);
  };
  broker.authorizeForward = (client, packet) =>
    identities.get(client)?.kind === 'server' ? packet : undefined;

  // devices disabled (or their secret rotated) since they connected are disconnected; asset changes apply
  const recheck = auth.recheck;
  if (!recheck) return undefined;
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    const clients = Object.values((broker as unknown as { clients: Record<string, Client> }).clients);
    (async () => {
      for (const c of clients) {
        const id = identities.get(c);
        if (id?.kind !== 'device' || c.closed) continue;
        const now = await recheck(id.device);
        if (now) {
          if (now !== id.device) identities.set(c, { kind: 'device', device: now });
          continue;
        }
        revoked.add(c);
        identities.delete(c);
        auth.onDenied({
          kind: 'revoked',
          reason: 'revoked',
          actor: id.device.id,
          role: 'device',
          clientId: c.id,
          ip: ipOf(c),
        });
        c.close();
      }
    })()
      .catch((err: unknown) => log?.warn({ err }, 'MQTT: re-checking connected devices failed'))
      .finally(() => {
        sweeping = false;
      });
  }, auth.sweepMs ?? 20_000);
  timer.unref();
  return timer;
}
