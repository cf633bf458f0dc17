import type { IngestRowStatus } from '#contract/indicatorVocab.ts';
import type { IncidentItem } from '#contract/live.ts';
import { type TopicKind, topics } from '#contract/mqtt.ts';
import { escapeControls } from '#contract/text.ts';
import type { RejectReason } from '#contract/vocab.ts';
import type { Bus } from '../bus.ts';
import type { AssetIndex } from '../domain/assetIndex.ts';
import type { IndicatorCatalogue } from '../domain/indicatorCatalogue.ts';
import {
  batchSize,
  emptyBatch,
  type IndicatorRecord,
  type IndicatorVia,
  type IngestBatch,
  type RejectRecord,
  type SecurityEventRecord,
} from '../domain/records.ts';
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_AHEAD_MS, decodeMessage, decodeValue } from './decode.ts';

/** What the pipeline needs from the store: it never sees a driver. */
export interface IngestStore {
  writeBatch(batch: IngestBatch): Promise<{
    traffic: number;
    cameraStatus: number;
    cameraEvents: number;
    incidents: IncidentItem[];
    /** unit positions added (not redelivered ones) */
    unitPositions: number;
    /** the indicator values written as new (`stored`) or replacing a figure (`revised`); the others were duplicates */
    indicators: Map<IndicatorRecord, 'stored' | 'revised'>;
    /** SIEM events stored as new, and which */
    securityEvents: number;
    securityStored: Set<SecurityEventRecord>;
  }>;
  insertRejects(rows: RejectRecord[]): Promise<void>;
}

export interface IngestOptions {
  store: IngestStore;
  bus: Bus;
  assets: () => AssetIndex;
  /** the indicator catalogue `ioc/kpi/{id}` is checked against; none: every indicator is unknown */
  indicators?: () => IndicatorCatalogue;
  /** rows per write */
  batchMax: number;
  /** longest wait before a partial batch is written */
  flushMs: number;
  /** accepted-but-unwritten messages above which backpressure() makes an in-process producer wait */
  highWater?: number;
  /** how far ahead of the server's clock a `ts` may be (default 60 s) */
  maxAheadMs?: number;
  /** how old a `ts` may be (default 30 days) */
  maxAgeMs?: number;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  now?: () => number;
}

export interface IngestStats {
  received: number;
  stored: Record<TopicKind, number>;
  duplicates: number;
  rejected: Record<string, number>;
  /** messages taken and deliberately not stored: a broker's retained copy, an empty payload */
  ignored: Record<IgnoreReason, number>;
  writeErrors: number;
  pending: number;
}

/**
 * Why a message is neither stored nor rejected: `retained`, a copy the broker kept and hands to every
 * new subscription (stored when it was first published, so a restart's delivery is not a new message);
 * `empty`, no payload at all (how a publisher clears a retained message).
 */
export type IgnoreReason = 'retained' | 'empty';

/** What became of one message (`submit`): for an indicator value stored, revised or a duplicate; rejected with a reason. */
export interface IngestOutcome {
  status: IngestRowStatus;
  reason?: RejectReason;
  detail?: string;
  /** an indicator value's time as stored (a figure's period start) */
  time?: number;
}

/** Where a value submitted in this process came from: how, from whom, and what the reject log says of it. */
export interface IngestOrigin {
  via: IndicatorVia;
  sender: string | null;
  /** prefixes the reject log's detail, e.g. `HTTP source stats-office, row 12` */
  label: string;
}

const REJECT_PAYLOAD_MAX = 2048;
const REJECT_BUFFER_MAX = 5000;
const RETRY_MAX_MS = 5000;

/** A batch being formed or written, and the callers waiting for it to be committed. */
interface Pending {
  batch: IngestBatch;
  /** when its first message arrived */
  oldest: number;
  /** resolved once every row of it is committed, refused, or found a duplicate */
  done: Array<() => void>;
  /** what accept() hands out for it */
  committed: Promise<void>;
}

function newPending(now: number): Pending {
  const done: Array<() => void> = [];
  const committed = new Promise<void>((r) => done.push(r));
  return { batch: emptyBatch(), oldest: now, done, committed };
}

/**
 * Decodes messages, batches them by size and time, writes one batch at a time, then announces
 * the batch on the bus.
 *
 * accept() answers a promise that settles once the message is durable (committed, or refused with a
 * reason): the MQTT source acknowledges a message to the broker only then, so nothing acknowledged
 * lives only in this process. A write that fails because of the data (SQLSTATE class 22/23) is split
 * until the rows the database refuses are isolated; they go to the reject log as `store_refused` and
 * the rest are written. A write that fails for any other reason (database down) is retried with
 * back-off while the batch grows no further than the brokers' in-flight windows: acks are held, so
 * the broker queues for us.
 */
export class IngestPipeline {
  private current: Pending;
  private rejects: RejectRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private waiters: Array<() => void> = [];
  private stopped = false;
  private retryMs = 0;
  readonly stats: IngestStats = {
    received: 0,
    stored: {
      traffic: 0,
      camera_status: 0,
      camera_event: 0,
      incident_report: 0,
      indicator: 0,
      security_event: 0,
      unit_position: 0,
    },
    duplicates: 0,
    rejected: {},
    ignored: { retained: 0, empty: 0 },
    writeErrors: 0,
    pending: 0,
  };
  private readonly highWater: number;
  private readonly now: () => number;
  /** callers of submit() waiting for what became of their indicator value */
  private readonly outcomes = new Map<IndicatorRecord, (o: IngestOutcome) => void>();
  /** callers of submit() waiting for what became of their SIEM event */
  private readonly securityOutcomes = new Map<SecurityEventRecord, (o: IngestOutcome) => void>();
  /** why the database refused an indicator value (isolated from its batch) */
  private readonly refusedWhy = new WeakMap<IndicatorRecord, string>();

  constructor(private readonly o: IngestOptions) {
    this.highWater = o.highWater ?? Math.max(o.batchMax * 4, 20_000);
    this.now = o.now ?? Date.now;
    this.current = newPending(this.now());
  }

  /** true while the last write failed for a reason other than the data (the database is unreachable) */
  get failing(): boolean {
    return this.retryMs > 0;
  }

  /**
   * Takes one message as received. Resolves once it is durable: stored (or a duplicate of a stored
   * one) or rejected with a reason. Never rejects.
   */
  accept(topic: string, payload: Uint8Array | string, delivery: { retained?: boolean } = {}): Promise<void> {
    this.stats.received++;
    const ignore = delivery.retained ? 'retained' : payload.length === 0 ? 'empty' : undefined;
    if (ignore) {
      this.stats.ignored[ignore]++;
      this.o.bus.emit('ingest:ignored', { reason: ignore, topic });
      return Promise.resolve();
    }
    const d = this.decode(topic, payload);
    if (!d.ok) {
      this.rejectDecoded(topic, payload, d.reason, d.detail);
      return Promise.resolve();
    }
    return this.take(d);
  }

  /**
   * Takes one message from a channel of this process (an HTTP batch's row, parsed; a CSV row) through the same
   * validation, reject log, batching and metrics as MQTT, and answers what became of it once that is
   * durable: for an indicator value `stored`, `revised` (a figure replaced) or `duplicate`; any message
   * `rejected` with the reason. Never rejects.
   */
  submit(topic: string, payload: string | object, origin: IngestOrigin): Promise<IngestOutcome> {
    this.stats.received++;
    const d =
      typeof payload === 'string'
        ? this.decode(topic, payload)
        : decodeValue(topic, payload, this.o.assets(), this.window(), this.o.indicators?.());
    if (!d.ok) {
      const text = typeof payload === 'string' ? payload : (JSON.stringify(payload) ?? '');
      this.rejectDecoded(topic, text, d.reason, `${origin.label}: ${d.detail}`);
      return Promise.resolve({ status: 'rejected', reason: d.reason, detail: d.detail });
    }
    if (d.kind === 'security_event') {
      d.record.via = origin.via;
      d.record.sender = origin.sender;
      for (const x of d.indicators) {
        x.via = origin.via;
        x.sender = origin.sender;
      }
      const record = d.record;
      const answer = new Promise<IngestOutcome>((resolve) => this.securityOutcomes.set(record, resolve));
      void this.take(d);
      return answer;
    }
    if (d.kind !== 'indicator') return this.take(d).then(() => ({ status: 'stored' }));
    d.record.via = origin.via;
    d.record.sender = origin.sender;
    const record = d.record;
    const answer = new Promise<IngestOutcome>((resolve) => this.outcomes.set(record, resolve));
    void this.take(d);
    return answer;
  }

  /**
   * Counts and logs a message refused before it could be decoded (a CSV row with a formula cell, a value
   * its sender may not send), like a rejected one; answers its outcome.
   */
  refuse(topic: string, reason: RejectReason, detail: string, payload: string, label: string): IngestOutcome {
    this.stats.received++;
    this.rejectDecoded(topic, payload, reason, `${label}: ${detail}`);
    return { status: 'rejected', reason, detail };
  }

  private window() {
    return {
      now: this.now(),
      aheadMs: this.o.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS,
      ageMs: this.o.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    };
  }

  private decode(topic: string, payload: Uint8Array | string) {
    return decodeMessage(topic, payload, this.o.assets(), this.window(), this.o.indicators?.());
  }

  private rejectDecoded(topic: string, payload: Uint8Array | string, reason: RejectReason, detail: string) {
    const text =
      typeof payload === 'string'
        ? payload
        : Buffer.from(payload.subarray(0, REJECT_PAYLOAD_MAX * 4)).toString('utf8');
    this.reject(topic, reason, detail, text);
    this.schedule();
  }

  /** Adds a decoded message to the batch being formed; resolves once that batch is durable. */
  private take(d: Extract<ReturnType<typeof decodeMessage>, { ok: true }>): Promise<void> {
    const p = this.current;
    const b = p.batch;
    if (batchSize(b) === 0) p.oldest = this.now();
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
      case 'indicator':
        b.indicators.push(d.record);
        break;
      case 'security_event':
        b.securityEvents.push(d.record);
        // its counts ride on its message, stored in the same transaction
        b.indicators.push(...d.indicators);
        break;
      case 'unit_position':
        b.unitPositions.push(d.record);
        break;
    }
    this.stats.pending++;
    if (batchSize(b) >= this.o.batchMax) this.kick();
    else this.schedule();
    return p.committed;
  }

  /**
   * For a producer in this process (the history backfill) that does not wait for each message: a
   * promise while more than the high-water mark is unwritten, else undefined.
   */
  backpressure(): Promise<void> | undefined {
    if (this.stats.pending <= this.highWater) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Writes whatever is pending; resolves when it is stored. */
  async flush(): Promise<void> {
    while (this.writing || batchSize(this.current.batch) > 0 || this.rejects.length > 0) {
      if (!this.writing) this.kick();
      await this.writing;
    }
  }

  /**
   * Stops the timers and writes what is pending. With `deadlineMs`, gives up after it (the database
   * is down): what was not written was not acknowledged either, so the broker still holds it.
   */
  async stop(deadlineMs?: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const flushed = this.flush();
    if (deadlineMs === undefined) await flushed;
    else {
      let t: NodeJS.Timeout | undefined;
      const gaveUp = await Promise.race([
        flushed.then(() => false),
        new Promise<boolean>((r) => {
          t = setTimeout(() => r(true), deadlineMs);
        }),
      ]);
      clearTimeout(t);
      if (gaveUp)
        this.o.log.warn(
          { pending: this.stats.pending },
          'could not write what is pending before stopping; it was not acknowledged, the broker keeps it',
        );
    }
    for (const w of this.waiters.splice(0)) w();
  }

  private reject(topic: string, reason: RejectReason, detail: string, payload: string): void {
    this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1;
    if (this.rejects.length < REJECT_BUFFER_MAX) {
      this.rejects.push({
        time: this.now(),
        // as received, but with control characters escaped: a NUL would fail the reject log's own write
        topic: escapeControls(topic.slice(0, 256)),
        reason,
        detail: escapeControls(detail.slice(0, 1000)),
        payload: escapeControls(payload.slice(0, REJECT_PAYLOAD_MAX)),
      });
    }
    this.o.bus.emit('ingest:rejected', { reason, topic });
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
    if (batchSize(this.current.batch) === 0 && this.rejects.length === 0) return;
    const pending = this.current;
    const rejects = this.rejects;
    this.current = newPending(this.now());
    this.rejects = [];
    this.writing = this.write(pending, rejects).finally(() => {
      this.writing = undefined;
      const n = batchSize(this.current.batch);
      const more = n > 0 || this.rejects.length > 0;
      if (more && n >= this.o.batchMax && this.retryMs === 0) this.kick();
      else if (more) this.schedule();
    });
  }

  private async write(pending: Pending, rejects: RejectRecord[]): Promise<void> {
    if (rejects.length > 0) {
      try {
        await this.o.store.insertRejects(rejects);
      } catch (err) {
        // The reject log is for diagnosis; counts live in metrics, so a failed write of it is logged, not retried.
        this.o.log.warn({ err, count: rejects.length }, 'could not store rejected messages');
      }
    }
    const { batch, oldest } = pending;
    const n = batchSize(batch);
    if (n === 0) {
      for (const r of pending.done) r();
      return;
    }
    const t0 = performance.now();
    if (this.retryMs > 0) this.o.bus.emit('ingest:write_retried', {});
    try {
      const res = await this.writeIsolating(batch);
      this.retryMs = 0;
      const writeMs = performance.now() - t0;
      const byKind = {
        traffic: res.traffic,
        camera_status: res.cameraStatus,
        camera_event: res.cameraEvents,
        incident_report: res.incidents.filter((i) => i.source !== 'camera').length,
        indicator: countSent(res.indicators.keys()),
        security_event: res.securityEvents,
        unit_position: res.unitPositions,
      };
      let stored = 0;
      for (const k of Object.keys(byKind) as TopicKind[]) {
        this.stats.stored[k] += byKind[k];
        stored += byKind[k];
      }
      const messages = messageCount(batch);
      const duplicates = messages - stored - messageCount(res.refused);
      this.stats.duplicates += duplicates;
      this.stats.pending -= messages;
      this.answerIndicators(res);
      for (const r of pending.done) r();
      this.o.bus.emit('ingest:stored', { byKind, duplicates, writeMs, lagMs: this.now() - oldest });
      this.o.bus.emit('ingest:written', {
        batch: res.written,
        incidents: res.incidents,
        indicatorStatus: res.indicators,
      });
      if (this.stats.pending <= this.highWater) for (const w of this.waiters.splice(0)) w();
    } catch (err) {
      this.stats.writeErrors++;
      this.o.bus.emit('ingest:write_failed', { cause: 'unavailable' });
      this.retryMs = Math.min(RETRY_MAX_MS, Math.max(100, this.retryMs * 2));
      this.o.log.error(
        { err, rows: n, retryInMs: this.retryMs },
        'database write failed; keeping the batch (unacknowledged) and retrying',
      );
      // put the batch back in front so nothing is lost and order is kept; its callers wait on
      this.current = {
        batch: mergeBatches(batch, this.current.batch),
        oldest,
        done: pending.done.concat(this.current.done),
        committed: this.current.committed,
      };
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  /** Tells the callers of submit() what became of their indicator values. */
  private answerIndicators(res: WriteResult): void {
    if (this.securityOutcomes.size > 0) {
      for (const r of res.written.securityEvents) {
        const answer = this.securityOutcomes.get(r);
        if (!answer) continue;
        this.securityOutcomes.delete(r);
        answer({ status: res.securityStored.has(r) ? 'stored' : 'duplicate', time: r.time });
      }
      for (const r of res.refused.securityEvents) {
        const answer = this.securityOutcomes.get(r);
        if (!answer) continue;
        this.securityOutcomes.delete(r);
        answer({ status: 'rejected', reason: 'store_refused', detail: 'refused by the database' });
      }
    }
    if (this.outcomes.size === 0) return;
    for (const r of res.written.indicators) {
      const answer = this.outcomes.get(r);
      if (!answer) continue;
      this.outcomes.delete(r);
      answer({ status: res.indicators.get(r) ?? 'duplicate', time: r.time });
    }
    for (const r of res.refused.indicators) {
      const answer = this.outcomes.get(r);
      if (!answer) continue;
      this.outcomes.delete(r);
      answer({ status: 'rejected', reason: 'store_refused', detail: this.refusedWhy.get(r) ?? 'refused' });
    }
  }

  /**
   * Writes a batch; when the database refuses it because of its data, writes halves of it in turn
   * until the refused rows stand alone, and rejects those. Throws for any other failure.
   */
  private async writeIsolating(batch: IngestBatch): Promise<WriteResult> {
    try {
      const r = await this.o.store.writeBatch(batch);
      return { ...r, written: batch, refused: emptyBatch() };
    } catch (err) {
      if (!isDataError(err)) throw err;
      this.o.bus.emit('ingest:write_failed', { cause: 'data' });
      const rows = rowsOf(batch);
      if (rows.length === 1) {
        const row = rows[0] as Row;
        const e = err as { code?: string; message?: string };
        const why = `the database refused the row (${e.code ?? ''}): ${e.message ?? ''}`;
        if (row.k === 'indicators') this.refusedWhy.set(row.r, why);
        this.reject(topicOf(row), 'store_refused', why, JSON.stringify(row.r));
        return {
          traffic: 0,
          cameraStatus: 0,
          cameraEvents: 0,
          incidents: [],
          indicators: new Map(),
          securityEvents: 0,
          securityStored: new Set(),
          unitPositions: 0,
          written: emptyBatch(),
          refused: batch,
        };
      }
      const half = Math.ceil(rows.length / 2);
      const a = await this.writeIsolating(batchOf(rows.slice(0, half)));
      const b = await this.writeIsolating(batchOf(rows.slice(half)));
      return {
        traffic: a.traffic + b.traffic,
        cameraStatus: a.cameraStatus + b.cameraStatus,
        cameraEvents: a.cameraEvents + b.cameraEvents,
        incidents: a.incidents.concat(b.incidents),
        indicators: new Map([...a.indicators, ...b.indicators]),
        securityEvents: a.securityEvents + b.securityEvents,
        securityStored: new Set([...a.securityStored, ...b.securityStored]),
        unitPositions: a.unitPositions + b.unitPositions,
        written: mergeBatches(a.written, b.written),
        refused: mergeBatches(a.refused, b.refused),
      };
    }
  }
}

interface WriteResult {
  traffic: number;
  cameraStatus: number;
  cameraEvents: number;
  incidents: IncidentItem[];
  indicators: Map<IndicatorRecord, 'stored' | 'revised'>;
  securityEvents: number;
  /** the SIEM events stored as new (the others were duplicates) */
  securityStored: Set<SecurityEventRecord>;
  unitPositions: number;
  /** the rows written (duplicates included) */
  written: IngestBatch;
  /** the rows the database refused */
  refused: IngestBatch;
}

/**
 * A failure caused by the rows themselves (SQLSTATE class 22, data exception: "invalid byte sequence",
 * "out of range"; class 23, a constraint): writing the same rows again fails again.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

type Row =
  | { k: 'traffic'; r: IngestBatch['traffic'][number] }
  | { k: 'cameraStatus'; r: IngestBatch['cameraStatus'][number] }
  | { k: 'cameraEvents'; r: IngestBatch['cameraEvents'][number] }
  | { k: 'incidents'; r: IngestBatch['incidents'][number] }
  | { k: 'indicators'; r: IngestBatch['indicators'][number] }
  | { k: 'securityEvents'; r: IngestBatch['securityEvents'][number] }
  | { k: 'unitPositions'; r: IngestBatch['unitPositions'][number] };

function rowsOf(b: IngestBatch): Row[] {
  return [
    ...b.traffic.map((r) => ({ k: 'traffic' as const, r })),
    ...b.cameraStatus.map((r) => ({ k: 'cameraStatus' as const, r })),
    ...b.cameraEvents.map((r) => ({ k: 'cameraEvents' as const, r })),
    ...b.incidents.map((r) => ({ k: 'incidents' as const, r })),
    ...b.indicators.map((r) => ({ k: 'indicators' as const, r })),
    ...b.securityEvents.map((r) => ({ k: 'securityEvents' as const, r })),
    ...b.unitPositions.map((r) => ({ k: 'unitPositions' as const, r })),
  ];
}

function batchOf(rows: Row[]): IngestBatch {
  const b = emptyBatch();
  for (const row of rows) (b[row.k] as unknown[]).push(row.r);
  return b;
}

function topicOf(row: Row): string {
  switch (row.k) {
    case 'traffic':
      return topics.traffic(row.r.segmentId);
    case 'cameraStatus':
      return topics.cameraStatus(row.r.cameraId);
    case 'cameraEvents':
      return topics.cameraEvent(row.r.cameraId);
    case 'incidents':
      return row.r.cameraId ? topics.cameraEvent(row.r.cameraId) : topics.incidentReport();
    case 'indicators':
      return topics.kpi(row.r.indicatorId);
    case 'securityEvents':
      return topics.securityEvent();
    case 'unitPositions':
      return topics.unitPosition(row.r.unitId);
  }
}

function mergeBatches(a: IngestBatch, b: IngestBatch): IngestBatch {
  return {
    traffic: a.traffic.concat(b.traffic),
    cameraStatus: a.cameraStatus.concat(b.cameraStatus),
    cameraEvents: a.cameraEvents.concat(b.cameraEvents),
    incidents: a.incidents.concat(b.incidents),
    indicators: a.indicators.concat(b.indicators),
    securityEvents: a.securityEvents.concat(b.securityEvents),
    unitPositions: a.unitPositions.concat(b.unitPositions),
  };
}

/**
 * Messages in a batch: incidents raised by camera events ride on their event's message, the indicator
 * counts of a SIEM event on the event's.
 */
function messageCount(b: IngestBatch): number {
  let riders = 0;
  for (const i of b.incidents) if (i.source === 'camera') riders++;
  for (const i of b.indicators) if (i.derived) riders++;
  return batchSize(b) - riders;
}

/** Indicator values sent as such (not counted from a SIEM event). */
function countSent(records: Iterable<IndicatorRecord>): number {
  let n = 0;
  for (const r of records) if (!r.derived) n++;
  return n;
}
