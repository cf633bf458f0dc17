import type { Bus } from '../bus.ts';
import type { IncidentItem } from '../contracts/live.ts';
import type { TopicKind } from '../contracts/mqtt.ts';
import type { AssetIndex } from '../domain/assetIndex.ts';
import { batchSize, emptyBatch, type IngestBatch, type RejectRecord } from '../domain/records.ts';
import { decodeMessage } from './decode.ts';

/** What the pipeline needs from the store: it never sees a driver. */
export interface IngestStore {
  writeBatch(
    batch: IngestBatch,
  ): Promise<{ traffic: number; cameraStatus: number; cameraEvents: number; incidents: IncidentItem[] }>;
  insertRejects(rows: RejectRecord[]): Promise<void>;
}

export interface IngestOptions {
  store: IngestStore;
  bus: Bus;
  assets: () => AssetIndex;
  /** rows per write */
  batchMax: number;
  /** longest wait before a partial batch is written */
  flushMs: number;
  /** accepted-but-unwritten messages above which accept() makes the caller wait (holds the MQTT ack) */
  highWater?: number;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  now?: () => number;
}

export interface IngestStats {
  received: number;
  stored: Record<TopicKind, number>;
  duplicates: number;
  rejected: Record<string, number>;
  writeErrors: number;
  pending: number;
}

const REJECT_PAYLOAD_MAX = 2048;
const REJECT_BUFFER_MAX = 5000;

/**
 * Decodes messages, batches them by size and time, writes one batch at a time, then announces
 * the batch on the bus. A failed write is retried with back-off and its messages are kept; while
 * too much is unwritten, accept() returns a promise so the MQTT ack (and the broker) waits.
 */
export class IngestPipeline {
  private current: IngestBatch = emptyBatch();
  private currentOldest = 0;
  private rejects: RejectRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private waiters: Array<() => void> = [];
  private stopped = false;
  private retryMs = 0;
  readonly stats: IngestStats = {
    received: 0,
    stored: { traffic: 0, camera_status: 0, camera_event: 0, incident_report: 0 },
    duplicates: 0,
    rejected: {},
    writeErrors: 0,
    pending: 0,
  };
  private readonly highWater: number;
  private readonly now: () => number;

  constructor(private readonly o: IngestOptions) {
    this.highWater = o.highWater ?? Math.max(o.batchMax * 4, 20_000);
    this.now = o.now ?? Date.now;
  }

  /** Takes one message as received; resolves at once unless the pipeline is over its high-water mark. */
  accept(topic: string, payload: Uint8Array | string): Promise<void> | undefined {
    this.stats.received++;
    const d = decodeMessage(topic, payload, this.o.assets());
    if (!d.ok) {
      this.stats.rejected[d.reason] = (this.stats.rejected[d.reason] ?? 0) + 1;
      const text =
        typeof payload === 'string'
          ? payload
          : Buffer.from(payload.subarray(0, REJECT_PAYLOAD_MAX * 4)).toString('utf8');
      if (this.rejects.length < REJECT_BUFFER_MAX) {
        this.rejects.push({
          time: this.now(),
          topic: topic.slice(0, 256),
          reason: d.reason,
          detail: d.detail.slice(0, 1000),
          payload: text.slice(0, REJECT_PAYLOAD_MAX),
        });
      }
      this.o.bus.emit('ingest:rejected', { reason: d.reason, topic });
      this.schedule();
      return undefined;
    }
    const b = this.current;
    if (batchSize(b) === 0) this.currentOldest = this.now();
    switch (d.kind) {
      case 'traffic':
        b.traffic.push(d.record);
        break;
      case 'camera_status':
        b.cameraStatus.push(d.record);
        break;
      case 'camera_event':
        b.cameraEvents.push(d.record);
        if (d.incident) b.incidents.push(d.incident);
        break;
      case 'incident_report':
        b.incidents.push(d.record);
        break;
    }
    this.stats.pending++;
    if (batchSize(b) >= this.o.batchMax) this.kick();
    else this.schedule();
    if (this.stats.pending > this.highWater) return new Promise((resolve) => this.waiters.push(resolve));
    return undefined;
  }

  /** Writes whatever is pending; resolves when it is stored. */
  async flush(): Promise<void> {
    while (this.writing || batchSize(this.current) > 0 || this.rejects.length > 0) {
      if (!this.writing) this.kick();
      await this.writing;
    }
  }

  /** Stops accepting timers and writes what is pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    for (const w of this.waiters.splice(0)) w();
  }

  private schedule(): void {
    if (this.timer || this.writing || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.o.flushMs + this.retryMs);
  }

  private kick(): void {
    if (this.writing) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (batchSize(this.current) === 0 && this.rejects.length === 0) return;
    const batch = this.current;
    const oldest = this.currentOldest;
    const rejects = this.rejects;
    this.current = emptyBatch();
    this.rejects = [];
    this.writing = this.write(batch, oldest, rejects).finally(() => {
      this.writing = undefined;
      const more = batchSize(this.current) > 0 || this.rejects.length > 0;
      if (more && batchSize(this.current) >= this.o.batchMax) this.kick();
      else if (more) this.schedule();
    });
  }

  private async write(batch: IngestBatch, oldest: number, rejects: RejectRecord[]): Promise<void> {
    if (rejects.length > 0) {
      try {
        await this.o.store.insertRejects(rejects);
      } catch (err) {
        // The reject log is for diagnosis; counts live in metrics, so a failed write of it is logged, not retried.
        this.o.log.warn({ err, count: rejects.length }, 'could not store rejected messages');
      }
    }
    const n = batchSize(batch);
    if (n === 0) return;
    const t0 = performance.now();
    try {
      const res = await this.o.store.writeBatch(batch);
      this.retryMs = 0;
      const writeMs = performance.now() - t0;
      const byKind = {
        traffic: res.traffic,
        camera_status: res.cameraStatus,
        camera_event: res.cameraEvents,
        incident_report: res.incidents.filter((i) => i.source !== 'camera').length,
      };
      let stored = 0;
      for (const k of Object.keys(byKind) as TopicKind[]) {
        this.stats.stored[k] += byKind[k];
        stored += byKind[k];
      }
      const messages = messageCount(batch);
      const duplicates = messages - stored;
      this.stats.duplicates += duplicates;
      this.stats.pending -= messages;
      this.o.bus.emit('ingest:stored', { byKind, duplicates, writeMs, lagMs: this.now() - oldest });
      this.o.bus.emit('ingest:written', { batch, incidents: res.incidents });
      if (this.stats.pending <= this.highWater) for (const w of this.waiters.splice(0)) w();
    } catch (err) {
      this.stats.writeErrors++;
      this.retryMs = Math.min(5000, Math.max(100, this.retryMs * 2));
      this.o.log.error(
        { err, rows: n, retryInMs: this.retryMs },
        'database write failed; keeping the batch and retrying',
      );
      // put the batch back in front so nothing is lost and order is kept
      this.current = mergeBatches(batch, this.current);
      this.currentOldest = oldest;
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }
}

function mergeBatches(a: IngestBatch, b: IngestBatch): IngestBatch {
  return {
    traffic: a.traffic.concat(b.traffic),
    cameraStatus: a.cameraStatus.concat(b.cameraStatus),
    cameraEvents: a.cameraEvents.concat(b.cameraEvents),
    incidents: a.incidents.concat(b.incidents),
  };
}

/** Messages in a batch: incidents raised by camera events ride on their event's message. */
function messageCount(b: IngestBatch): number {
  let camIncidents = 0;
  for (const i of b.incidents) if (i.source === 'camera') camIncidents++;
  return batchSize(b) - camIncidents;
}
