// A device fleet in one MQTT connection: QoS 1 traffic readings at a fixed rate, each with its own
// id, remembering every id the broker acknowledged (PUBACK).
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { onCleanup, poll, sleep } from './util.ts';

export interface PublisherOptions {
  url: string;
  username?: string;
  password?: string;
  /** segment ids to spread the readings over (topic ioc/traffic/<id>) */
  segments: string[];
  /** message ids are `<prefix>-<n>`: the rows of this run are found by it */
  prefix: string;
  /** messages per second */
  rate: number;
}

/**
 * Like a device with a buffer: every message stays pending until its PUBACK comes; while the broker
 * is away new messages wait in the buffer, and after a reconnect everything pending is sent again at
 * once. (mqtt.js's own replay sends its stored messages one at a time, each waiting for its PUBACK:
 * behind a broker that acknowledges only what is durable, a backlog of thousands would drain at a
 * few dozen a second and measure mqtt.js rather than the IOC.)
 */
export class Publisher {
  /** distinct messages made */
  published = 0;
  /** ids whose PUBACK came back */
  readonly acked = new Set<string>();
  /** connections lost and made again */
  reconnects = 0;
  private readonly pending = new Map<string, { topic: string; payload: string }>();
  private n = 0;
  private timer: NodeJS.Timeout | undefined;
  private client: MqttClient | undefined;
  private ended = false;
  private readonly opts: IClientOptions;

  private constructor(private readonly o: PublisherOptions) {
    this.opts = {
      clientId: `fault-pub-${randomBytes(4).toString('hex')}`,
      clean: true,
      // reconnecting is ours (see the class comment)
      reconnectPeriod: 0,
      connectTimeout: 5000,
      keepalive: 10,
      ...(o.username ? { username: o.username, password: o.password } : {}),
    };
  }

  static async connect(o: PublisherOptions): Promise<Publisher> {
    const p = new Publisher(o);
    onCleanup('publisher', () => p.end());
    await p.open();
    return p;
  }

  private async open(): Promise<void> {
    const c = await mqtt.connectAsync(this.o.url, this.opts, false);
    // a broker or IOC going away is the point of the suite
    c.on('error', () => {});
    c.once('close', () => {
      if (this.client !== c) return;
      this.client = undefined;
      // its unacknowledged messages stay pending; their callbacks answer with an error
      c.end(true);
      void this.reconnect();
    });
    this.client = c;
    for (const [id, m] of this.pending) this.transmit(c, id, m.topic, m.payload);
  }

  private async reconnect(): Promise<void> {
    // bounded: 3 minutes of trying, then the scenario's drain reports what is still pending
    for (let i = 0; i < 360 && !this.ended; i++) {
      try {
        await this.open();
        this.reconnects++;
        return;
      } catch {
        await sleep(500);
      }
    }
  }

  private transmit(c: MqttClient, id: string, topic: string, payload: string): void {
    c.publish(topic, payload, { qos: 1 }, (err) => {
      if (err || !this.pending.has(id)) return;
      this.pending.delete(id);
      this.acked.add(id);
    });
  }

  /** messages not acknowledged yet */
  get outstanding(): number {
    return this.pending.size;
  }

  /** Publishes one message at QoS 1 (sent again after a reconnect until acknowledged). */
  send(topic: string, payload: string, id: string): void {
    this.published++;
    this.pending.set(id, { topic, payload });
    if (this.client?.connected) this.transmit(this.client, id, topic, payload);
  }

  /** Answers once `id` is acknowledged (true) or after `ms` (false). */
  async acknowledged(id: string, ms = 30_000): Promise<boolean> {
    return poll(() => this.acked.has(id), ms, `PUBACK of ${id}`, 50).catch(() => false);
  }

  /** One valid traffic reading, dated now. */
  sendReading(): void {
    const k = this.n++;
    const id = `${this.o.prefix}-${k}`;
    const seg = this.o.segments[k % this.o.segments.length];
    const payload = JSON.stringify({ id, ts: Date.now(), speedKmh: 5 + (k % 60), volume: k % 40 });
    this.send(`ioc/traffic/${seg}`, payload, id);
  }

  /** Starts publishing at the fixed rate (catching up on timer jitter, never bursting past a second's worth). */
  start(): void {
    if (this.timer) return;
    const t0 = Date.now();
    let sent = 0;
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - t0) / 1000) * this.o.rate) - sent;
      const n = Math.min(due, this.o.rate);
      for (let i = 0; i < n; i++) this.sendReading();
      sent += due;
    }, 10);
  }

  stopPublishing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Waits until every message is acknowledged; answers how many are still pending after `ms`. */
  async settle(ms: number): Promise<number> {
    await poll(() => this.pending.size === 0, ms, 'every publish to be acknowledged', 200).catch(() => {});
    return this.pending.size;
  }

  async end(): Promise<void> {
    this.stopPublishing();
    if (this.ended) return;
    this.ended = true;
    const c = this.client;
    this.client = undefined;
    if (c) await new Promise<void>((r) => c.end(true, {}, () => r()));
  }
}
