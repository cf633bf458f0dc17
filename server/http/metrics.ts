import type { RequestHandler } from 'express';
import client from 'prom-client';
import { ALARM_EVENT_TYPES } from '#contract/alarmLifecycle.ts';
import { ALARM_PRIORITIES, ALARM_PRIORITY_CODES, OPEN_ALARM_STATES } from '#contract/alarms.ts';
import { TOPIC_KINDS } from '#contract/mqtt.ts';
import { REJECT_REASONS } from '#contract/vocab.ts';
import type { Bus } from '../bus.ts';
import { LIVE_DROP_REASONS } from '../live/liveGateway.ts';

/**
 * prom-client's default gauges named `*_total` (promtool: "non-counter metrics should not have _total
 * suffix"); each has a labelled twin without the suffix (`nodejs_active_handles{type}`), whose sum it is.
 */
const DEFAULT_GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** What the metrics read when scraped, besides the bus. */
export interface MetricsSources {
  /** connected Socket.IO clients */
  liveClients: () => number;
  /** messages taken by ingest and not yet written (the batch backlog) */
  ingestPending?: () => number;
  /** whether ingest's MQTT connection is up (the embedded broker: always) */
  mqttConnected?: () => boolean;
}

/**
 * Prometheus metrics of the IOC, fed from the bus; `/metrics` serves `registry`. Node.js and process
 * metrics keep their standard names (stock dashboards read them); the IOC's own start with `ioc_`.
 * Every labelled counter starts at zero for each of its labels, so `rate()` sees a series before the
 * first event. `httpRequests` times each HTTP request by route and status.
 */
export function createMetrics(bus: Bus, sources: MetricsSources | (() => number)) {
  const src: MetricsSources = typeof sources === 'function' ? { liveClients: sources } : sources;
  const liveClients = src.liveClients;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  for (const name of DEFAULT_GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
  const messages = new client.Counter({
    name: 'ioc_ingest_messages_total',
    help: 'Messages stored, by topic kind (indicator: values of the feed over MQTT, HTTP and CSV)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  for (const kind of TOPIC_KINDS) messages.inc({ kind }, 0);
  const duplicates = new client.Counter({
    name: 'ioc_ingest_duplicates_total',
    help: 'Messages delivered again and not stored twice',
    registers: [registry],
  });
  const rejects = new client.Counter({
    name: 'ioc_ingest_rejects_total',
    help: 'Messages rejected (MQTT; indicator values over HTTP and CSV too), by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of REJECT_REASONS) rejects.inc({ reason }, 0);
  const photoRefusals = new client.Counter({
    name: 'ioc_photo_refusals_total',
    help: "Field reports refused for the cost of decoding their photos: over the account's budget (photo_budget) or busy",
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of ['photo_budget', 'busy'] as const) photoRefusals.inc({ reason }, 0);
  const writeSeconds = new client.Histogram({
    name: 'ioc_db_write_seconds',
    help: 'Time to write one ingest batch to the database',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const lagSeconds = new client.Histogram({
    name: 'ioc_ingest_lag_seconds',
    help: 'Time from receiving the oldest message of a batch to the batch being stored',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new client.Gauge({
    name: 'ioc_live_clients',
    help: 'Connected Socket.IO clients',
    registers: [registry],
    collect() {
      this.set(liveClients());
    },
  });
  const writeErrors = new client.Counter({
    name: 'ioc_db_write_errors_total',
    help: 'Ingest batch writes that failed, by cause: unavailable (the database did not take it; the batch is kept and retried) or data (it refused rows; they are isolated and rejected as store_refused)',
    labelNames: ['cause'] as const,
    registers: [registry],
  });
  for (const cause of ['unavailable', 'data'] as const) writeErrors.inc({ cause }, 0);
  const writeRetries = new client.Counter({
    name: 'ioc_db_write_retries_total',
    help: 'Ingest batch writes attempted again after the database was unavailable',
    registers: [registry],
  });
  bus.on('ingest:write_failed', 'metrics', (e) => writeErrors.inc({ cause: e.cause }));
  bus.on('ingest:write_retried', 'metrics', () => writeRetries.inc());
  new client.Gauge({
    name: 'ioc_ingest_pending_messages',
    help: 'Messages taken by ingest and not yet written to the database (the batch backlog; unacknowledged to the broker)',
    registers: [registry],
    collect() {
      this.set(src.ingestPending?.() ?? 0);
    },
  });
  new client.Gauge({
    name: 'ioc_mqtt_connected',
    help: "1 while ingest's MQTT connection is up (the embedded broker: always), 0 while it is down",
    registers: [registry],
    collect() {
      this.set(src.mqttConnected === undefined || src.mqttConnected() ? 1 : 0);
    },
  });
  const httpSeconds = new client.Histogram({
    name: 'ioc_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route (the pattern that answered; other: no route, e.g. refused before routing or a static file) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpRequests: RequestHandler = (req, res, next) => {
    const t0 = process.hrtime.bigint();
    res.once('finish', () => {
      const route = req.route?.path;
      httpSeconds.observe(
        {
          method: req.method,
          route: typeof route === 'string' ? route : 'other',
          status: String(res.statusCode),
        },
        Number(process.hrtime.bigint() - t0) / 1e9,
      );
    });
    next();
  };
  bus.on('ingest:stored', 'metrics', (e) => {
    for (const [k, n] of Object.entries(e.byKind)) if (n) messages.inc({ kind: k }, n);
    if (e.duplicates) duplicates.inc(e.duplicates);
    writeSeconds.observe(e.writeMs / 1000);
    lagSeconds.observe(e.lagMs / 1000);
  });
  bus.on('ingest:rejected', 'metrics', (e) => rejects.inc({ reason: e.reason }));
  const ignored = new client.Counter({
    name: 'ioc_ingest_ignored_total',
    help: "Messages taken and not stored on purpose: a broker's retained copy (retained), no payload (empty)",
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of ['retained', 'empty'] as const) ignored.inc({ reason }, 0);
  bus.on('ingest:ignored', 'metrics', (e) => ignored.inc({ reason: e.reason }));
  const dropped = new client.Counter({
    name: 'ioc_live_dropped_clients_total',
    help: 'Socket.IO clients dropped by the server, by reason (flooding, buffer_full, stalled)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of LIVE_DROP_REASONS) dropped.inc({ reason }, 0);
  bus.on('live:dropped', 'metrics', (e) => dropped.inc({ reason: e.reason }));
  bus.on('photos:refused', 'metrics', (e) => photoRefusals.inc({ reason: e.reason }));

  // alarms (issue 13): what is open as this instance knows it (every instance follows the database)
  const openAlarms = new Map<
    string,
    { priority: number; state: string; shelved: boolean; suppressed: boolean }
  >();
  bus.on('alarms:changed', 'metrics', (items) => {
    for (const a of items)
      if (a.state === 'normal') openAlarms.delete(a.id);
      else
        openAlarms.set(a.id, {
          priority: a.priority,
          state: a.state,
          shelved: a.shelved !== null,
          suppressed: a.suppressed !== null,
        });
  });
  new client.Gauge({
    name: 'ioc_alarms_active',
    help: 'Alarms not in normal, by priority (critical, high, medium, low) and ISA-18.2 state',
    labelNames: ['priority', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of ALARM_PRIORITY_CODES)
        for (const s of OPEN_ALARM_STATES) this.set({ priority: ALARM_PRIORITIES[p], state: s }, 0);
      for (const a of openAlarms.values())
        this.inc({ priority: ALARM_PRIORITIES[a.priority as 1 | 2 | 3 | 4], state: a.state });
    },
  });
  new client.Gauge({
    name: 'ioc_alarms_hidden',
    help: 'Open alarms hidden from the operator: shelved, or suppressed (asset out of service)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      let shelved = 0;
      let suppressed = 0;
      for (const a of openAlarms.values()) {
        if (a.shelved) shelved++;
        if (a.suppressed) suppressed++;
      }
      this.set({ reason: 'shelved' }, shelved);
      this.set({ reason: 'suppressed' }, suppressed);
    },
  });
  const transitions = new client.Counter({
    name: 'ioc_alarm_transitions_total',
    help: 'Alarm transitions made on this instance, by event (activate, clear, acknowledge, shelve, unshelve, suppress, unsuppress)',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  for (const event of ALARM_EVENT_TYPES) transitions.inc({ event }, 0);
  bus.on('alarms:transitions', 'metrics', (e) => transitions.inc({ event: e.event }, e.count));
  const flood = new client.Gauge({
    name: 'ioc_alarm_flood',
    help: 'Alarm flood (EEMUA 191: more than 10 alarms in 10 minutes): 1 in flood, 0 not (the instance running the rules)',
    registers: [registry],
  });
  const held = new client.Counter({
    name: 'ioc_alarm_announcements_held_total',
    help: 'Alarm announcements held back by the flood rate cap (recorded and listed, not announced)',
    registers: [registry],
  });
  bus.on('alarms:flood', 'metrics', (e) => {
    flood.set(e.inFlood ? 1 : 0);
    if (e.held) held.inc(e.held);
  });
  return { registry, httpRequests };
}
