// npm run bench:scaleout: ingest throughput of 1, 2 and 3 instances on the durable log (NATS JetStream,
// one PostgreSQL, Redis), as the fault suite starts them. A QoS 1 publisher offers more than they can
// take (BENCH_SCALE_RATE, default 6,000 msg/s) for BENCH_SCALE_S seconds; the figure is rows committed per
// second, counted in the database, between the first row and the last.
// With BENCH_SCALE_LATENCY=1 (or --latency): the log's added latency instead (see latency() below).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drainCluster, startCluster } from '../e2e/faults/support/cluster.ts';
import { operatorCookie } from '../e2e/faults/support/consoles.ts';
import { freshDatabase, rowCountPostgres, SEGMENTS, tempDir } from '../e2e/faults/support/databases.ts';
import { type IocProcess, startIocProcess, storedByMetrics } from '../e2e/faults/support/iocProcess.ts';
import { startPrivateMosquitto } from '../e2e/faults/support/mosquitto.ts';
import { Publisher } from '../e2e/faults/support/publisher.ts';
import { cleanupAll, freePort, onCleanup, poll, sleep, waitStable } from '../e2e/faults/support/util.ts';
import { ask, forkWorker, fromHist, stopWorker } from './run.ts';
import type { ConsolesResult, PublisherResult } from './steadyWorker.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LATENCY = process.env.BENCH_SCALE_LATENCY === '1' || process.argv.includes('--latency');
const RATE = Number(process.env.BENCH_SCALE_RATE ?? 6000);
const SECONDS = Number(process.env.BENCH_SCALE_S ?? 15);
const COUNTS = (process.env.BENCH_SCALE_N ?? '1,2,3').split(',').map(Number);

async function run(n: number): Promise<{ n: number; offered: number; stored: number; perS: number }> {
  const cluster = await startCluster(n);
  const prefix = `b${n}-${randomBytes(3).toString('hex')}`;
  const pub = await Publisher.connect({ url: cluster.nats.mqttUrl, segments: SEGMENTS, prefix, rate: RATE });
  pub.start();
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  const notes: string[] = [];
  const rows = await drainCluster(pub, cluster, prefix, notes);
  // drainCluster waits until the count is still for 3 s: that quiet spell is not ingest time
  const ms = Date.now() - t0 - 3000;
  let stored = 0;
  for (const v of rows.perId.values()) stored += v;
  await cleanupAll();
  return { n, offered: pub.published, stored, perS: Math.round(stored / (ms / 1000)) };
}

async function throughput(): Promise<void> {
  const results = [];
  for (const n of COUNTS) {
    process.stderr.write(`${n} instance(s)…\n`);
    results.push(await run(n));
  }
  process.stdout.write(
    '| instances | offered | stored | stored/s (publish start → drained) |\n|---|---|---|---|\n',
  );
  for (const r of results) process.stdout.write(`| ${r.n} | ${r.offered} | ${r.stored} | ${r.perS} |\n`);
}

// ---- latency (BENCH_SCALE_LATENCY=1 or --latency) ----------------------------------------------
// The log's added latency (issue 19): at a moderate rate, publish → operator's socket client, on
// (a) one instance subscribed to its own Mosquitto (the single-instance path), (b) one instance on the
// log (devices publish to NATS's MQTT listener; no Redis) and (c) two instances on the log and Redis,
// a client on each. The publisher and each client are bench/steadyWorker.ts processes (the same
// timing as bench:steady): a reading is timed from its `ts` (Date.now() at publish, the same clock)
// to the first delta that carries it, each (segment, ts) once; a reading a newer one of its segment
// replaced within one flush never reaches a client and is not timed (the table says how many were).

type LatencyPath = 'single' | 'log' | 'log2';
const LAT_RATE = Number(process.env.BENCH_SCALE_LAT_RATE ?? 500);
const LAT_S = Number(process.env.BENCH_SCALE_LAT_S ?? 30);
// the first seconds (a fresh database's first chunk, cold caches) are published, not timed
const LAT_WARMUP_S = Number(process.env.BENCH_SCALE_LAT_WARMUP_S ?? 5);
const LAT_PATHS = (process.env.BENCH_SCALE_LAT_PATHS ?? 'single,log,log2').split(',') as LatencyPath[];

interface LatencyRow {
  path: string;
  /** readings timed at this client */
  timed: number;
  /** readings stored with a `ts` in the timed window: what the client could have timed */
  inWindow: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  seqGaps: number;
  disconnects: number;
  /** of the run's readings (warm-up included), the share stored by another instance than the client's (from /metrics) */
  storedElsewhere?: number;
}

interface LatencyRun {
  path: LatencyPath;
  loadBefore: number[];
  loadAfter: number[];
  published: number;
  acked: number;
  rows: LatencyRow[];
}

/** Polls /api/health until it answers 200 (the broker or log connected, the database up). */
async function healthy(httpUrl: string): Promise<void> {
  await poll(
    async () =>
      (await fetch(`${httpUrl}/api/health`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined))
        ?.status === 200,
    60_000,
    `${httpUrl}/api/health to answer 200`,
  );
}

async function setUp(p: LatencyPath): Promise<{ mqttUrl: string; dbUrl: string; instances: IocProcess[] }> {
  if (p !== 'single') {
    const c = await startCluster(p === 'log' ? 1 : 2, {}, { redis: p === 'log2' });
    return { mqttUrl: c.nats.mqttUrl, dbUrl: c.dbUrl, instances: c.instances };
  }
  const mosq = await startPrivateMosquitto();
  const dbUrl = await freshDatabase();
  const ioc = startIocProcess({
    PORT: String(await freePort()),
    DATA_DIR: tempDir('latency-single'),
    MQTT_URL: mosq.url,
    MQTT_CLIENT_ID: `ioc-bench-${randomBytes(3).toString('hex')}`,
    DATABASE_URL: dbUrl,
  });
  await ioc.ready();
  return { mqttUrl: mosq.url, dbUrl, instances: [ioc] };
}

/** Rows of this run whose reading is dated at or after `since`. */
async function storedSince(url: string, prefix: string, since: number): Promise<number> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    const r = await c.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM traffic_readings WHERE msg_id LIKE $1 AND time >= to_timestamp($2 / 1000.0)',
      [`${prefix}-%`, since],
    );
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await c.end().catch(() => {});
  }
}

async function latencyOf(p: LatencyPath): Promise<LatencyRun> {
  const loadBefore = os.loadavg();
  process.stderr.write(
    `${p}: ${LAT_RATE} msg/s for ${LAT_S} s after ${LAT_WARMUP_S} s (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')})…\n`,
  );
  try {
    const { mqttUrl, dbUrl, instances } = await setUp(p);
    for (const i of instances) await healthy(i.httpUrl);
    // one operator's client per instance, each with its own session
    const cookies: string[] = [];
    for (const i of instances) cookies.push(await operatorCookie(dbUrl, i.httpUrl));
    const worker = (role: 'publisher' | 'consoles') => {
      const w = forkWorker('steadyWorker.ts', { STEADY_ROLE: role });
      onCleanup('bench worker', () => stopWorker(w));
      return w;
    };
    const publisher = worker('publisher');
    const clients = instances.map(() => worker('consoles'));
    const broker = new URL(mqttUrl);
    await ask(publisher, {
      cmd: 'init',
      mqttHost: broker.hostname,
      mqttPort: Number(broker.port),
      segments: SEGMENTS,
      connections: 1,
    });
    await Promise.all(
      clients.map((w, k) => ask(w, { cmd: 'init', httpUrl: instances[k].httpUrl, cookies: [cookies[k]] })),
    );
    const storedBefore = await Promise.all(instances.map((i) => storedByMetrics(i.httpUrl)));
    const prefix = `lat-${p}-${randomBytes(3).toString('hex')}`;
    const since = Date.now() + LAT_WARMUP_S * 1000;
    const watching = clients.map((w) => ask<ConsolesResult>(w, { cmd: 'run', since }));
    const pub = await ask<PublisherResult>(publisher, {
      cmd: 'run',
      rate: LAT_RATE,
      seconds: LAT_S + LAT_WARMUP_S,
      prefix,
    });
    // what was acknowledged is committed; the last deltas reach the clients within a flush or two
    await waitStable(() => rowCountPostgres(dbUrl, prefix), {
      quietMs: 1500,
      maxMs: 30_000,
      what: 'the stored count',
    }).catch(() => {});
    await sleep(1500);
    for (const w of clients) w.send({ cmd: 'stop' });
    const watched = await Promise.all(watching);
    const inWindow = await storedSince(dbUrl, prefix, since);
    const stored = await Promise.all(
      instances.map(async (i, k) => (await storedByMetrics(i.httpUrl)) - storedBefore[k]),
    );
    const total = stored.reduce((a, b) => a + b, 0);
    const row = (k: number, path: string): LatencyRow => {
      const { n, p50, p95, p99, max } = fromHist(watched[k].hist);
      return {
        path,
        timed: n,
        inWindow,
        p50,
        p95,
        p99,
        max,
        seqGaps: watched[k].seqGaps,
        disconnects: watched[k].disconnects,
        ...(instances.length > 1 && total ? { storedElsewhere: (total - stored[k]) / total } : {}),
      };
    };
    let rows: LatencyRow[];
    if (p === 'single') rows = [row(0, '(a) one instance, its own Mosquitto')];
    else if (p === 'log') rows = [row(0, '(b) one instance on the log')];
    else {
      // the client on the instance that stored fewer sees more readings that crossed Redis
      const less = stored[0] <= stored[1] ? 0 : 1;
      rows = [
        row(less, '(c) two on the log, client on the one storing fewer'),
        row(1 - less, "(c') two on the log, client on the one storing more"),
      ];
    }
    return { path: p, loadBefore, loadAfter: os.loadavg(), published: pub.published, acked: pub.acked, rows };
  } finally {
    await cleanupAll();
  }
}

async function latency(): Promise<void> {
  const runs: LatencyRun[] = [];
  for (const p of LAT_PATHS) runs.push(await latencyOf(p));
  mkdirSync(path.join(HERE, 'results'), { recursive: true });
  writeFileSync(
    path.join(HERE, 'results', 'scaleout-latency.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
        config: { rate: LAT_RATE, seconds: LAT_S, warmupS: LAT_WARMUP_S },
        runs,
      },
      null,
      2,
    ),
  );
  const base = runs.find((r) => r.path === 'single')?.rows[0];
  const f = (v: number | null | undefined) =>
    v === null || v === undefined ? '–' : v.toLocaleString('en-US');
  const plus = (v: number | null, b: number | null | undefined) =>
    v === null || b === null || b === undefined ? '–' : `${v - b >= 0 ? '+' : ''}${v - b}`;
  process.stdout.write(
    `\npublish → operator's socket client, ${LAT_RATE} msg/s for ${LAT_S} s (after ${LAT_WARMUP_S} s not timed)\n\n` +
      '| path | timed / stored in window | p50 ms | p95 ms | p99 ms | max ms | added p50 · p99 ms | stored by the other instance | load average before → after |\n' +
      '|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of runs)
    for (const x of r.rows)
      process.stdout.write(
        `| ${x.path} | ${f(x.timed)} / ${f(x.inWindow)} | ${f(x.p50)} | ${f(x.p95)} | ${f(x.p99)} | ${f(x.max)} | ${r.path === 'single' ? '' : `${plus(x.p50, base?.p50)} · ${plus(x.p99, base?.p99)}`} | ${x.storedElsewhere === undefined ? '' : `${Math.round(x.storedElsewhere * 100)} %`} | ${r.loadBefore[0].toFixed(2)} → ${r.loadAfter[0].toFixed(2)} |\n`,
      );
  const odd = runs.flatMap((r) =>
    r.rows
      .filter((x) => x.seqGaps || x.disconnects)
      .map((x) => `${x.path}: ${x.seqGaps} seq gaps, ${x.disconnects} disconnects`),
  );
  for (const r of runs)
    if (r.acked < r.published) odd.push(`${r.path}: ${r.published - r.acked} publishes unacknowledged`);
  if (odd.length) process.stdout.write(`\n${odd.join('\n')}\n`);
  process.stdout.write('\nbench/results/scaleout-latency.json\n');
}

await (LATENCY ? latency() : throughput());
process.exit(0);
