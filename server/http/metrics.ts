import client from 'prom-client';
import { ALARM_PRIORITIES, ALARM_PRIORITY_CODES, OPEN_ALARM_STATES } from '#contract/alarms.ts';
import type { Bus } from '../bus.ts';

/** Prometheus metrics of the IOC, fed from the bus; `/metrics` serves `registry`. */
export function createMetrics(bus: Bus, liveClients: () => number) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'ioc_' });
  const messages = new client.Counter({
    name: 'ioc_ingest_messages_total',
    help: 'Messages stored, by topic kind (indicator: values of the feed over MQTT, HTTP and CSV)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
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
  const photoRefusals = new client.Counter({
    name: 'ioc_photo_refusals_total',
    help: "Field reports refused for the cost of decoding their photos: over the account's budget (photo_budget) or busy",
    labelNames: ['reason'] as const,
    registers: [registry],
  });
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
  return { registry };
}
