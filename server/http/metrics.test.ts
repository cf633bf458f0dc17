import { describe, expect, it } from 'vitest';
import { REJECT_REASONS } from '#contract/vocab.ts';
import { Bus } from '../bus.ts';
import { IngestPipeline, type IngestStore } from '../ingest/ingestPipeline.ts';
import { lintExposition } from '../testing/promLint.ts';
import { createMetrics } from './metrics.ts';

const quiet = { warn() {}, error() {} };

describe('metrics', () => {
  it('keep the Node.js and process metrics under their standard names, none of them a gauge named *_total', async () => {
    const { registry } = createMetrics(new Bus(), { liveClients: () => 0 });
    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);
    expect(text).not.toMatch(/^ioc_(nodejs|process)_/m);
    expect(lintExposition(text)).toEqual([]);
  });

  it('start every reason of a labelled counter at zero, before the first event', async () => {
    const { registry } = createMetrics(new Bus(), { liveClients: () => 0 });
    const text = await registry.metrics();
    for (const reason of REJECT_REASONS)
      expect(text).toContain(`ioc_ingest_rejects_total{reason="${reason}"} 0\n`);
    for (const reason of ['flooding', 'buffer_full', 'stalled'])
      expect(text).toContain(`ioc_live_dropped_clients_total{reason="${reason}"} 0\n`);
    expect(text).toContain('ioc_photo_refusals_total{reason="photo_budget"} 0\n');
    expect(text).toContain('ioc_db_write_errors_total{cause="unavailable"} 0\n');
    expect(text).toContain('ioc_alarm_transitions_total{event="acknowledge"} 0\n');
    expect(text).toContain('ioc_ingest_messages_total{kind="indicator"} 0\n');
  });

  it('count database write errors and retries, and show the backlog while the database is away', async () => {
    const bus = new Bus();
    let down = true;
    let attempts = 0;
    const store: IngestStore = {
      async writeBatch(b) {
        attempts++;
        if (down) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
        return {
          traffic: b.traffic.length,
          cameraStatus: 0,
          cameraEvents: 0,
          incidents: [],
          indicators: new Map(),
          securityEvents: 0,
          securityStored: new Set(),
          unitPositions: 0,
        };
      },
      async insertRejects() {},
    };
    const seg = 'seg-1';
    const ingest = new IngestPipeline({
      store,
      bus,
      assets: () =>
        ({ segments: new Map([[seg, {}]]), cameras: new Map(), area: [-180, -90, 180, 90] }) as never,
      batchMax: 100,
      flushMs: 1,
      log: quiet,
    });
    const { registry } = createMetrics(bus, {
      liveClients: () => 0,
      ingestPending: () => ingest.stats.pending,
      mqttConnected: () => false,
    });
    const stored = ingest.accept(
      `ioc/traffic/${seg}`,
      JSON.stringify({ ts: new Date().toISOString(), speedKmh: 30, volume: 4 }),
    );
    await expect.poll(() => attempts).toBeGreaterThanOrEqual(1);
    const during = await registry.metrics();
    expect(during).toContain('ioc_ingest_pending_messages 1\n');
    expect(during).toContain('ioc_mqtt_connected 0\n');
    expect(during).toMatch(/^ioc_db_write_errors_total\{cause="unavailable"\} [1-9]/m);
    down = false;
    await stored;
    const after = await registry.metrics();
    expect(after).toContain('ioc_ingest_pending_messages 0\n');
    expect(after).toMatch(/^ioc_db_write_retries_total [1-9]/m);
    expect(after).toContain('ioc_ingest_messages_total{kind="traffic"} 1\n');
    await ingest.stop();
  });
});

describe('lintExposition', () => {
  it('finds what promtool finds: a gauge named *_total, a counter without it, no help, a unit not in base form', () => {
    const text = [
      '# HELP a_things_total Things.',
      '# TYPE a_things_total gauge',
      'a_things_total 1',
      '# TYPE b_events counter',
      'b_events 2',
      '# HELP c_wait_milliseconds Wait.',
      '# TYPE c_wait_milliseconds gauge',
      'c_wait_milliseconds 3',
      '',
    ].join('\n');
    expect(lintExposition(text)).toEqual([
      'a_things_total: non-counter metrics should not have "_total" suffix',
      'b_events: no help text',
      'b_events: counter metrics should have "_total" suffix',
      'c_wait_milliseconds: use base unit "seconds" instead of "milliseconds"',
    ]);
  });
});
