import os from 'node:os';
import {
  AckPolicy,
  type ConsumerMessages,
  connect,
  DeliverPolicy,
  type JsMsg,
  type NatsConnection,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';

export interface JetStreamSourceOptions {
  /** nats://host:4222 (comma-separated for a cluster) */
  url: string;
  /** the stream that holds the devices' messages until an instance has committed them */
  stream: string;
  /** the durable consumer every instance pulls from: each message goes to one of them */
  consumer: string;
  /** how long a message handed to an instance may stay unacknowledged before another gets it */
  ackWaitMs: number;
  /** messages handed out and not yet acknowledged, across every instance */
  maxAckPending?: number;
  /** called for each message; the ack waits until the promise settles (the message is durable) */
  onMessage(topic: string, payload: Uint8Array): Promise<void>;
  /** on stop, after no more messages are taken: settles when every message taken is durable */
  drain?: () => Promise<void>;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
  };
}

export interface JetStreamSource {
  connected(): boolean;
  /** messages taken by this instance and not yet acknowledged */
  held(): number;
  stop(): Promise<void>;
}

/** The subjects the stream captures: NATS's MQTT listener turns `ioc/traffic/x` into `ioc.traffic.x`. */
export const INGEST_SUBJECTS = 'ioc.>';

/**
 * The MQTT topic of a subject, as NATS's MQTT listener maps them: `/` became `.`, and a `.` of the
 * topic became `//`.
 */
export function topicOfSubject(subject: string): string {
  return subject.replaceAll('//', '\u0000').replaceAll('.', '/').replaceAll('\u0000', '.');
}

/**
 * Pulls the devices' messages from a JetStream work-queue stream through one durable consumer that
 * every instance shares, and acknowledges each one only once ingest says it is durable (committed,
 * a duplicate of a committed one, or rejected with a reason). A message an instance took and did not
 * acknowledge (it died, or lost the log) goes to another instance after the ack wait; one it holds
 * because the database is slow or down is kept its own with a progress signal, so it is not
 * ingested twice meanwhile. Creates the stream and the consumer when they are missing. Resolves
 * once consuming; keeps reconnecting after that.
 */
export async function startJetStreamSource(o: JetStreamSourceOptions): Promise<JetStreamSource> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: o.url.split(','),
      name: `ioc-ingest-${os.hostname()}-${process.pid}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      timeout: 10_000,
    });
  } catch (err) {
    throw new Error(`cannot connect to NATS at ${o.url}: ${(err as Error).message}`);
  }
  let up = true;
  let stopping = false;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' && up && !stopping)
        o.log.warn({ url: o.url }, 'NATS connection lost; reconnecting');
      if (s.type === 'disconnect') up = false;
      if (s.type === 'reconnect') {
        up = true;
        o.log.info({ url: o.url }, 'NATS reconnected');
      }
    }
  })();

  try {
    await ensureStream(nc, o);
  } catch (err) {
    await nc.close();
    throw new Error(`cannot set up the JetStream stream ${o.stream} at ${o.url}: ${(err as Error).message}`);
  }

  // what this instance holds: told "still working" now and then, so the ack wait runs out only for a
  // message whose instance is gone
  const held = new Map<JsMsg, number>();
  const keepEvery = Math.max(500, Math.floor(o.ackWaitMs / 3));
  const keeper = setInterval(() => {
    const now = Date.now();
    for (const [m, since] of held)
      if (now - since >= keepEvery) {
        m.working();
        held.set(m, now);
      }
  }, keepEvery);
  keeper.unref();

  let closing = false;
  const take = (m: JsMsg) => {
    // taken after stop began: handed back at once rather than after the ack wait
    if (closing) return m.nak();
    held.set(m, Date.now());
    o.onMessage(topicOfSubject(m.subject), m.data).then(() => {
      held.delete(m);
      m.ack();
    });
  };
  const js = nc.jetstream();
  const consumer = await js.consumers.get(o.stream, o.consumer);
  // the callback form: a message is handed to ingest as it arrives, and the pull requests refill at
  // once; the consumer's max_ack_pending bounds what the instances hold
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 1000, callback: take });

  return {
    connected: () => up && !nc.isClosed(),
    held: () => held.size,
    stop: async () => {
      stopping = true;
      closing = true;
      await messages.close().catch(() => {});
      await o.drain?.();
      clearInterval(keeper);
      // the acks are sent as their promises settle (microtasks); flush them before closing
      await new Promise((r) => setImmediate(r));
      await nc.flush().catch(() => {});
      await nc.drain().catch(() => nc.close());
    },
  };
}

async function ensureStream(nc: NatsConnection, o: JetStreamSourceOptions): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(o.stream).catch(() => undefined);
  if (!info)
    await jsm.streams.add({
      name: o.stream,
      subjects: [INGEST_SUBJECTS],
      // a message leaves the stream once an instance has acknowledged it (committed it)
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
  const wanted = {
    durable_name: o.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(o.ackWaitMs),
    max_ack_pending: o.maxAckPending ?? 20_000,
    // never given up on: a message ingest cannot take is rejected with a reason, and acknowledged
    max_deliver: -1,
    deliver_policy: DeliverPolicy.All,
    filter_subject: INGEST_SUBJECTS,
  };
  const had = await jsm.consumers.info(o.stream, o.consumer).catch(() => undefined);
  if (!had) await jsm.consumers.add(o.stream, wanted);
  else if (had.config.ack_wait !== wanted.ack_wait || had.config.max_ack_pending !== wanted.max_ack_pending)
    await jsm.consumers.update(o.stream, o.consumer, {
      ack_wait: wanted.ack_wait,
      max_ack_pending: wanted.max_ack_pending,
    });
}
