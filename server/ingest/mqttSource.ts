import os from 'node:os';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { INGEST_TOPIC_FILTER } from '#contract/mqtt.ts';

export interface MqttSourceOptions {
  url: string;
  clientId?: string;
  username?: string;
  password?: string;
  /** 5 for Mosquitto/EMQX (persistent session by expiry, shared subscriptions); 4 for the embedded aedes */
  protocolVersion: 4 | 5;
  /** MQTT v5 shared-subscription group: each message goes to one instance of the group */
  sharedGroup?: string;
  /** seconds the broker keeps the session (and queues QoS 1 messages) while ingest is away */
  sessionExpiryS?: number;
  /**
   * called for each message; the QoS 1 ack waits until the promise settles (the message is durable).
   * `retained`: the broker sent a message it keeps (to a new subscription, or again after a restart).
   */
  onMessage(topic: string, payload: Buffer, delivery: { retained: boolean }): Promise<void> | null;
  /** on stop, after no more messages are taken: settles when every message taken is durable */
  drain?: () => Promise<void>;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
  };
}

type SendPacket = (
  packet: { cmd: string; messageId?: number },
  cb?: (err?: Error) => void,
  ...rest: unknown[]
) => void;

export interface MqttSource {
  connected(): boolean;
  stop(): Promise<void>;
}

/**
 * Subscribes to the contract's topics at QoS 1 with a persistent session, and hands each message
 * to ingest. The ack goes back when ingest has taken the message, so the broker keeps what we
 * have not taken across a disconnect. Resolves once subscribed; keeps reconnecting after that.
 */
export async function startMqttSource(o: MqttSourceOptions): Promise<MqttSource> {
  const clientId = o.clientId ?? `ioc-ingest-${os.hostname()}`.slice(0, 64);
  const opts: IClientOptions = {
    clientId,
    clean: false,
    protocolVersion: o.protocolVersion,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
    reconnectOnConnackError: true,
    resubscribe: true,
    // mqtt.js calls its `debug` logger several times per packet even when no DEBUG is set (2-3 % of ingest's
    // CPU at 20,000 msg/s in bench/run.ts's profile); connection events are logged below
    log: () => {},
    ...(o.username ? { username: o.username, password: o.password } : {}),
    // receiveMaximum: the broker may send this many messages unacknowledged. Acks wait for a database
    // commit (tens of ms), so Mosquitto's default window (20) would cap ingest at a few hundred per second.
    ...(o.protocolVersion === 5
      ? { properties: { sessionExpiryInterval: o.sessionExpiryS ?? 3600, receiveMaximum: 65_535 } }
      : {}),
  };
  const client: MqttClient = mqtt.connect(o.url, opts);
  // A message is acknowledged (PUBACK) only once ingest says it is durable, so the broker keeps what
  // this process has not committed. mqtt.js sends the PUBACK when handleMessage calls back and reads no
  // further packet before that: waiting there would write one message per batch. So handleMessage calls
  // back at once and the PUBACK it sends is held here until the message's promise settles. A PUBACK
  // held across a reconnect is dropped: the broker sends the message again on the new connection (with
  // the same packet id, so a stale PUBACK would acknowledge a copy not yet committed).
  let generation = 0;
  let closing = false;
  const held = new Map<number, { durable: Promise<void> | null; generation: number }>();
  const internal = client as unknown as { _sendPacket: SendPacket };
  const sendPacket: SendPacket = internal._sendPacket.bind(client);
  internal._sendPacket = (packet, cb, ...rest) => {
    const h =
      packet.cmd === 'puback' && packet.messageId !== undefined ? held.get(packet.messageId) : undefined;
    if (!h || packet.messageId === undefined) return sendPacket(packet, cb, ...rest);
    held.delete(packet.messageId);
    cb?.();
    // not taken (stopping): not acknowledged either, the broker sends it again next session
    if (!h.durable) return;
    h.durable.then(() => {
      if (h.generation === generation && client.connected) sendPacket(packet);
    });
  };
  client.handleMessage = (packet, callback) => {
    if (packet.cmd === 'publish') {
      const durable = closing
        ? null
        : o.onMessage(packet.topic, packet.payload as Buffer, { retained: packet.retain === true });
      if (packet.qos > 0 && packet.messageId !== undefined)
        held.set(packet.messageId, { durable, generation });
    }
    callback();
  };
  const filter = o.sharedGroup ? `$share/${o.sharedGroup}/${INGEST_TOPIC_FILTER}` : INGEST_TOPIC_FILTER;
  let wasDown = false;
  let stopping = false;
  client.on('connect', (connack) => {
    // Nagle adds ~20 ms per hop to small QoS 1 messages and their acks
    const s = client.stream as { setNoDelay?: (b: boolean) => void };
    s.setNoDelay?.(true);
    if (wasDown) o.log.info({ url: o.url, sessionPresent: connack.sessionPresent }, 'MQTT reconnected');
    wasDown = false;
  });
  client.on('close', () => {
    generation++;
    if (!wasDown && !stopping) o.log.warn({ url: o.url }, 'MQTT connection lost; reconnecting');
    wasDown = true;
  });
  client.on('error', (err) => o.log.warn({ err: err.message, url: o.url }, 'MQTT error'));

  await new Promise<void>((resolve, reject) => {
    // only the first connection's failure ends the client: once it is up, an error (a broker restarting
    // refuses connections for a while) is the reconnect loop's, which goes on
    const onError = (err: Error) => {
      if (!client.connected) fail(err);
    };
    const fail = (err: Error) => {
      clearTimeout(timer);
      client.off('error', onError);
      client.end(true);
      reject(new Error(`cannot connect to the MQTT broker at ${o.url}: ${err.message}`));
    };
    const timer = setTimeout(() => fail(new Error('no answer within 10 s')), 10_000);
    client.once('connect', () => {
      clearTimeout(timer);
      // MQTT 5: retain handling 2, the broker sends no retained message when we (re)subscribe; ingest
      // ignores any that come anyway (MQTT 3.1.1 has no such option)
      const opts = o.protocolVersion === 5 ? { qos: 1 as const, rh: 2 } : { qos: 1 as const };
      client.subscribe(filter, opts, (err, granted) => {
        if (err) return fail(err);
        const bad = granted?.find((g) => g.qos > 2);
        if (bad) return fail(new Error(`subscription to ${filter} refused (reason ${bad.qos})`));
        client.off('error', onError);
        resolve();
      });
    });
    client.on('error', onError);
  });

  return {
    connected: () => client.connected,
    stop: async () => {
      stopping = true;
      closing = true;
      await o.drain?.();
      // the held PUBACKs are sent as their promises settle (microtasks); then say goodbye
      await new Promise((r) => setImmediate(r));
      await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    },
  };
}
