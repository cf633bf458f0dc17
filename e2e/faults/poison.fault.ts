// Scenario 7: poison messages in the stream: a traffic reading whose `id` holds U+0000 (PostgreSQL
// refuses it, and with it a whole batch) and one dated ten years ahead. They must be rejected and
// counted, while every valid acknowledged message around them is stored and ingest goes on.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { countEmbedded, prepareEmbedded, SEGMENTS, tempDir } from './support/databases.ts';
import { metricsText, startIocProcess, storedByMetrics, sumMetric } from './support/iocProcess.ts';
import { Monitor } from './support/monitor.ts';
import { Publisher } from './support/publisher.ts';
import { drainAndCount, judge, rate } from './support/scenario.ts';
import { freePort, poll, say, sleep } from './support/util.ts';

const RUN_BEFORE_MS = 5_000;
const RUN_AFTER_MS = 10_000;
/** each poison message is sent this many times, a second apart */
const ROUNDS = 3;
const RSS_BOUND_MIB = 1024;
const TEN_YEARS_MS = 10 * 365 * 86_400_000;

describe('poison messages', () => {
  it('7 poison messages: NUL in the id, ts ten years ahead', async () => {
    const scenario = '7 poison: NUL id, ts +10 years';
    const startedAt = Date.now();
    const notes: string[] = [];
    const checks: Array<[boolean, string]> = [];
    const prefix = `7-${randomBytes(3).toString('hex')}`;
    const poisonPrefix = `7p-${randomBytes(3).toString('hex')}`;
    const dataDir = tempDir('poison');
    const { device } = await prepareEmbedded(dataDir);
    const mqttPort = String(await freePort());
    const ioc = startIocProcess({ PORT: String(await freePort()), MQTT_PORT: mqttPort, DATA_DIR: dataDir });
    await ioc.ready();
    const monitor = new Monitor(() => ioc).start();
    const mqtt = { url: `mqtt://127.0.0.1:${mqttPort}`, ...device };
    const pub = await Publisher.connect({ ...mqtt, segments: SEGMENTS, prefix, rate: rate(1000) });
    // the poison goes on a connection of its own, so that the valid stream's acknowledgements are its own
    const poison = await Publisher.connect({ ...mqtt, segments: SEGMENTS, prefix: poisonPrefix, rate: 1 });
    pub.start();
    await poll(
      async () => (await storedByMetrics(ioc.httpUrl)) > 0,
      20_000,
      'the first readings to be stored',
    );
    await sleep(RUN_BEFORE_MS);
    const rejectsBefore = sumMetric(await metricsText(ioc.httpUrl), 'ioc_ingest_rejects_total');

    say(`${scenario}: sending the poison`);
    const poisonAt = Date.now();
    const bad: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const seg = SEGMENTS[round];
      const nulId = `${poisonPrefix}-nul-${round}-\u0000`;
      const futureId = `${poisonPrefix}-future-${round}`;
      // JSON.stringify writes U+0000 as \u0000: valid JSON that decodes to a NUL in the id
      poison.send(`ioc/traffic/${seg}`, JSON.stringify({ id: nulId, ts: Date.now(), speedKmh: 30 }), nulId);
      poison.send(
        `ioc/traffic/${seg}`,
        JSON.stringify({ id: futureId, ts: Date.now() + TEN_YEARS_MS, speedKmh: 30 }),
        futureId,
      );
      bad.push(nulId, futureId);
      await sleep(1000);
    }
    const poisonAcked = await poll(() => poison.outstanding === 0, 30_000, 'the PUBACKs of the poison').catch(
      () => false,
    );
    notes.push(`${poison.acked.size} of ${bad.length} poison messages acknowledged by the broker`);
    const rejected = await poll(
      async () => {
        const n = sumMetric(await metricsText(ioc.httpUrl), 'ioc_ingest_rejects_total') - rejectsBefore;
        return n >= bad.length ? n : false;
      },
      15_000,
      'the poison to be counted as rejected',
    ).catch(() => undefined);
    const rejectLines = (await metricsText(ioc.httpUrl))
      .split('\n')
      .filter((l) => l.startsWith('ioc_ingest_rejects_total{'));
    notes.push(`rejects: ${rejectLines.join(', ') || 'none'}`);
    checks.push([
      rejected !== undefined,
      `ioc_ingest_rejects_total rose by less than the ${bad.length} poison messages within 15 s`,
    ]);
    // ingest goes on: readings published after the poison keep being stored
    const storedAfterPoison = await storedByMetrics(ioc.httpUrl);
    const goesOn = await poll(
      async () => (await storedByMetrics(ioc.httpUrl)) >= storedAfterPoison + 1000,
      15_000,
      'readings after the poison to be stored',
    ).catch(() => false);
    checks.push([goesOn, 'ingest stored fewer than 1,000 readings in the 15 s after the poison']);
    await sleep(Math.max(0, poisonAt + RUN_AFTER_MS - Date.now()));
    const healthDuring = monitor.summary(poisonAt);
    const afterFrom = Date.now();
    await sleep(2000);
    const healthAfter = monitor.summary(afterFrom);
    const healthyAfter = monitor.allOk(afterFrom, Date.now());
    say(`draining (${pub.outstanding} not acknowledged yet)`);
    await poison.end();
    const stored = await drainAndCount(pub, ioc, { kind: 'embedded', dataDir }, prefix, notes);
    monitor.stop();
    const poisonRows = await countEmbedded(dataDir, poisonPrefix);
    const poisonStored = [...poisonRows.perId.values()].reduce((a, b) => a + b, 0);
    checks.push(
      [poisonAcked !== false, 'the broker did not acknowledge every poison message within 30 s'],
      [poisonStored === 0, `${poisonStored} poison rows stored (${[...poisonRows.perId.keys()].join(', ')})`],
      [poisonRows.future === 0, `${poisonRows.future} rows dated more than a day ahead stored`],
      [healthyAfter, `health not ok after: ${healthAfter}`],
    );
    const { failures } = judge({
      scenario,
      setup: 'embedded',
      startedAt,
      pub,
      stored,
      monitor,
      rssBoundMiB: RSS_BOUND_MIB,
      healthDuring,
      healthAfter,
      checks,
      notes,
    });
    expect(failures).toEqual([]);
  });
});
