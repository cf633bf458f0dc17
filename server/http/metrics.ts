import client from 'prom-client';
import type { Bus } from '../bus.ts';

/** Prometheus metrics of the IOC, fed from the bus; `/metrics` serves `registry`. */
export function createMetrics(bus: Bus, liveClients: () => number) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'ioc_' });
  const messages = new client.Counter({
    name: 'ioc_ingest_messages_total',
    help: 'MQTT messages stored, by topic kind',
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
    help: 'MQTT messages rejected, by reason',
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
  const dropped = new client.Counter({
    name: 'ioc_live_dropped_clients_total',
    help: 'Socket.IO clients dropped by the server, by reason (flooding, buffer_full, stalled)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  bus.on('live:dropped', 'metrics', (e) => dropped.inc({ reason: e.reason }));
  bus.on('photos:refused', 'metrics', (e) => photoRefusals.inc({ reason: e.reason }));
  return { registry };
}
