// npm run bench:steady: the embedded default (aedes + PGlite, the aggregate refresher running as in
// production, no simulators) under a steady QoS 1 load for minutes, watched by logged-in consoles:
// publish → console latency, /api/health every second, event-loop lag, RSS, acknowledged vs stored.
// Results: bench/results/steady.json + a table. See bench/README.md (Steady load).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { type RunningIoc, startIoc } from '../server/main.ts';
import { testDevice } from '../server/testing/iocHarness.ts';
import { loginAs } from '../server/testing/sessions.ts';
import { simulators } from '../simulators/plugin.ts';
import { ask, benchArgs, forkWorker, freePort, fromHist, sleep, stopWorker } from './run.ts';
import type {
  ConsoleSecond,
  ConsolesResult,
  HealthPoll,
  PublisherResult,
  PublisherSecond,
} from './steadyWorker.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { args, num } = benchArgs();
if (args.has('help')) {
  console.log(
    'npx tsx bench/steady.ts [--minutes=10] [--consoles=20] [--rate=2000] [--connections=2] [--warmup=10]',
  );
  process.exit(0);
}
const MINUTES = num('minutes', 10);
const CONSOLES = Math.round(num('consoles', 20));
const RATE = num('rate', 2000);
const CONNECTIONS = Math.round(num('connections', 2));
// the first seconds into a fresh database are slower (its first chunk, cold caches): published and
// counted, not timed
const WARMUP_S = args.get('warmup') === '0' ? 0 : num('warmup', 10);
const P99_LIMIT_MS = 500;

/** What the IOC's own process saw in one wall-clock second. */
interface ServerSecond {
  loopMaxMs: number;
  rssMiB: number;
  stored: number;
  batches: number;
  writeMsMax: number;
  /** oldest message of a batch: received → committed */
  lagMsMax: number;
}

/** One call through the embedded database's maintenance lane (an aggregate refresh step, a compression). */
interface MaintenanceStep {
  start: number;
  /** waiting for the lock included: the lane yields to ingest and health checks */
  ms: number;
  what: string;
}

const hhmmss = (t: number) => new Date(t).toISOString().slice(11, 19);

function label(sql: string, params?: unknown[]): string {
  const view = /refresh_continuous_aggregate\('(\w+)'/.exec(sql)?.[1];
  if (view) {
    const [a, b] = (params ?? []) as Array<number | null>;
    const w = (t: number | null) => (t === null ? '…' : new Date(t).toISOString().slice(5, 16));
    return `refresh ${view} ${w(a)}→${w(b)}${/force/.test(sql) ? ' (force)' : ''}`;
  }
  if (/compress_chunk/.test(sql)) return `compress ${String(params?.[0])}`;
  if (/run_job/.test(sql)) return `run_job ${String(params?.[0])}`;
  return sql.replace(/\s+/g, ' ').slice(0, 60);
}

/**
 * Times every call of the maintenance lane (the aggregate refresher's steps) by wrapping it on the
 * running IOC: a probe of the benchmark, the product is not changed. It logs nothing of its own.
 */
function watchMaintenance(ioc: RunningIoc, steps: MaintenanceStep[]): void {
  const lane = ioc.db.maintenance as unknown as
    | Record<'query' | 'exec', (sql: string, params?: unknown[]) => Promise<unknown>>
    | undefined;
  if (!lane) return;
  for (const op of ['query', 'exec'] as const) {
    const f = lane[op].bind(lane);
    lane[op] = async (sql, params) => {
      const start = Date.now();
      try {
        return await f(sql, params);
      } finally {
        steps.push({ start, ms: Date.now() - start, what: label(sql, params) });
      }
    };
  }
}

function healthSummary(polls: HealthPoll[]) {
  const sorted = [...polls].sort((a, b) => a.t - b.t);
  let run = 0;
  let longest = 0;
  let longestAt: number | null = null;
  for (const p of sorted) {
    run = p.status === 200 ? 0 : run + 1;
    if (run > longest) {
      longest = run;
      longestAt = p.t;
    }
  }
  const ms = sorted.map((p) => p.ms).sort((a, b) => a - b);
  return {
    polls: sorted.length,
    non200: sorted.filter((p) => p.status !== 200).length,
    status503: sorted.filter((p) => p.status === 503).length,
    noAnswer: sorted.filter((p) => p.status === 0).length,
    longestNon200Run: longest,
    longestNon200RunEndedAt: longestAt === null ? null : new Date(longestAt).toISOString(),
    answerMsP99: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] ?? null,
    answerMsMax: ms.at(-1) ?? null,
  };
}

function spawnWorker(role: 'publisher' | 'consoles'): ChildProcess {
  return forkWorker('steadyWorker.ts', { STEADY_ROLE: role });
}

// what the run started, undone in reverse order, once, whichever way it ends
const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
  })();
  return cleaning;
}

async function main() {
  // bounded: it stops by itself, whatever happens
  const deadline = setTimeout(
    () => {
      console.error('steady: past its deadline; stopping');
      void cleanup().finally(() => process.exit(1));
    },
    (MINUTES * 60 + 300) * 1000,
  );
  deadline.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => void cleanup().finally(() => process.exit(130)));

  const loadBefore = os.loadavg();
  console.log(
    `steady: ${RATE} msg/s for ${MINUTES} min, ${CONSOLES} consoles, embedded broker + PGlite (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`,
  );
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ioc-steady-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  // the product as it ships, embedded; only the benchmark's load (no simulators), logs at warn
  const cfg = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MQTT_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    SIMULATE: 'false',
    DEMO_ACCOUNTS: 'false',
    LOG_LEVEL: 'warn',
  });
  const ioc = await startIoc(cfg, { log: createLogger('warn'), simulation: simulators });
  cleanups.push(() => ioc.stop());
  // the embedded broker takes readings only from registered devices
  const device = await testDevice(ioc, 'bench-steady');
  const cookies: string[] = [];
  for (let k = 0; k < CONSOLES; k++) cookies.push((await loginAs(ioc, 'operator')).cookie);

  const steps: MaintenanceStep[] = [];
  watchMaintenance(ioc, steps);
  const watchedFrom = Date.now();
  const server: Record<number, ServerSecond> = {};
  const sec = (t: number) => {
    const k = Math.floor(t / 1000);
    server[k] ??= { loopMaxMs: 0, rssMiB: 0, stored: 0, batches: 0, writeMsMax: 0, lagMsMax: 0 };
    return server[k];
  };
  let recording = false;
  ioc.bus.on('ingest:stored', 'bench-steady', (e) => {
    if (!recording) return;
    const s = sec(Date.now());
    s.stored += Object.values(e.byKind).reduce((a, b) => a + b, 0) + e.duplicates;
    s.batches++;
    s.writeMsMax = Math.max(s.writeMsMax, Math.round(e.writeMs));
    s.lagMsMax = Math.max(s.lagMsMax, Math.round(e.lagMs));
  });

  const publisher = spawnWorker('publisher');
  const consoles = spawnWorker('consoles');
  cleanups.push(async () => {
    await Promise.all([publisher, consoles].map(stopWorker));
  });
  const mqtt = new URL(ioc.mqttUrl);
  const segments = ioc.city.segments.map((s) => s.id);
  await ask(publisher, {
    cmd: 'init',
    mqttHost: mqtt.hostname,
    mqttPort: Number(mqtt.port),
    username: device.username,
    password: device.password,
    segments,
    connections: CONNECTIONS,
  });
  await ask(consoles, { cmd: 'init', httpUrl: ioc.httpUrl, cookies });

  // the IOC's process: its event loop (overall, and the worst of each second) and its RSS (PGlite's
  // worker thread included)
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const loopSec = monitorEventLoopDelay({ resolution: 10 });
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    const s = sec(Date.now());
    s.rssMiB = Math.max(s.rssMiB, Math.round(rss / 2 ** 20));
  }, 100);
  const loopTimer = setInterval(() => {
    sec(Date.now() - 1).loopMaxMs = Math.round(loopSec.max / 1e6);
    loopSec.reset();
  }, 1000);
  // the refresher's first run (a 7-day catch-up, at start) is over before the load starts: the run
  // measures the steady state, with the minute's refreshes as they come
  const quietSince = () => Math.max(watchedFrom, ...steps.slice(-1).map((s) => s.start + s.ms));
  const quietBy = Date.now() + 120_000;
  while (Date.now() - quietSince() < 2000 && Date.now() < quietBy) await sleep(100);
  const storedCount = () => ioc.ingest.stats.stored.traffic + ioc.ingest.stats.duplicates;
  const storedBefore = storedCount();
  const stepsBefore = steps.length;

  const since = Date.now() + WARMUP_S * 1000;
  loop.enable();
  loopSec.enable();
  const warm = setTimeout(() => loop.reset(), WARMUP_S * 1000);
  recording = true;
  const watching = ask<ConsolesResult>(consoles, { cmd: 'run', since });
  const pub = await ask<PublisherResult>(publisher, {
    cmd: 'run',
    rate: RATE,
    seconds: MINUTES * 60 + WARMUP_S,
    prefix: `steady-${randomBytes(3).toString('hex')}`,
  });
  // what was acknowledged is committed; the last deltas reach the consoles within a flush or two
  const settle = Date.now() + 20_000;
  while (storedCount() - storedBefore < pub.acked && Date.now() < settle) await sleep(50);
  await sleep(1500);
  consoles.send({ cmd: 'stop' });
  const watched = await watching;
  recording = false;
  clearTimeout(warm);
  loop.disable();
  loopSec.disable();
  clearInterval(rssTimer);
  clearInterval(loopTimer);
  const ended = Date.now();

  const stored = storedCount() - storedBefore;
  const { rows } = await ioc.db.query<{ n: string }>('SELECT count(*) AS n FROM traffic_readings');
  const rowsInDb = Number(rows[0].n);
  const lat = fromHist(watched.hist);
  const health = healthSummary(watched.health);
  const runSteps = steps.slice(stepsBefore);
  const loadAfter = os.loadavg();

  // where the time went: the worst seconds at the consoles, the longest silences, and what ran then
  const overlapping = (from: number, to: number) =>
    runSteps
      .filter((s) => s.start < to && s.start + s.ms > from && s.ms >= 20)
      .sort((a, b) => b.ms - a.ms)
      .map((s) => `${s.what} ${s.ms} ms`)
      .slice(0, 4);
  const pubSec = pub.perSecond as Record<number, PublisherSecond>;
  const conSec = watched.perSecond as Record<number, ConsoleSecond>;
  const worstSeconds = Object.entries(conSec)
    .map(([k, c]) => ({ k: Number(k), ...c }))
    .sort((a, b) => b.maxMs - a.maxMs)
    .slice(0, 8)
    .map((c) => ({
      at: new Date(c.k * 1000).toISOString(),
      latencyMaxMs: c.maxMs,
      readingsOver500: c.over500,
      readings: c.n,
      loopMaxMs: server[c.k]?.loopMaxMs ?? null,
      writeMsMax: server[c.k]?.writeMsMax ?? null,
      ingestLagMsMax: server[c.k]?.lagMsMax ?? null,
      stored: server[c.k]?.stored ?? null,
      inflightMax: pubSec[c.k]?.inflightMax ?? null,
      // what the maintenance lane ran in the 2 s before and during that second
      maintenance: overlapping(c.k * 1000 - 2000, c.k * 1000 + 1000),
    }));
  const gaps = watched.gaps.map(([at, ms]) => ({
    at: new Date(at).toISOString(),
    ms,
    loopMaxMs: Math.max(
      ...[Math.floor(at / 1000), Math.floor((at + ms) / 1000)].map((k) => server[k]?.loopMaxMs ?? 0),
    ),
    maintenance: overlapping(at, at + ms),
  }));
  // the refresher's runs (a minute apart): steps less than 5 s apart belong to one
  const refreshes: Array<{ at: string; steps: number; ms: number; longest: string }> = [];
  let cur: { start: number; end: number; steps: MaintenanceStep[] } | undefined;
  const closeRun = () => {
    if (!cur) return;
    const top = cur.steps.reduce((a, b) => (b.ms > a.ms ? b : a));
    refreshes.push({
      at: new Date(cur.start).toISOString(),
      steps: cur.steps.length,
      ms: cur.end - cur.start,
      longest: `${top.what} ${top.ms} ms`,
    });
  };
  for (const st of runSteps) {
    if (!cur || st.start - cur.end > 5000) {
      closeRun();
      cur = { start: st.start, end: st.start + st.ms, steps: [] };
    }
    cur.steps.push(st);
    cur.end = Math.max(cur.end, st.start + st.ms);
  }
  closeRun();
  const maint = {
    refreshes,
    steps: runSteps.length,
    totalMs: runSteps.reduce((a, s) => a + s.ms, 0),
    longest: [...runSteps]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 8)
      .map((s) => ({ at: new Date(s.start).toISOString(), ms: s.ms, what: s.what })),
  };

  // the same latencies without the seconds a refresh stalled ingest (from 1 s before a refresher run to
  // 2 s after it): what the rest of the pipeline costs
  const stalled = (k: number) =>
    refreshes.some((r) => {
      const a = Date.parse(r.at);
      return k * 1000 >= a - 1000 && k * 1000 <= a + r.ms + 2000;
    });
  const outside = new Map<number, number>();
  for (const [k, c] of Object.entries(conSec))
    if (!stalled(Number(k)))
      for (const [b, n] of Object.entries(c.h)) outside.set(Number(b), (outside.get(Number(b)) ?? 0) + n);
  const latOutside = fromHist([...outside].sort((a, b) => a[0] - b[0]).map(([b, n]) => [b * 10, n]));
  const lost = Math.max(0, pub.acked - rowsInDb);
  const results = {
    published: pub.published,
    publishRate: Math.round(pub.published / pub.sendSeconds),
    acked: pub.acked,
    unackedAtEnd: pub.unackedAtEnd,
    stored,
    rowsInDb,
    lost,
    inflightMax: pub.inflightMax,
    inflightP99: pub.inflightP99,
    publisherHeldTicks: pub.heldTicks,
    latency: {
      readings: lat.n,
      p50Ms: lat.p50,
      p99Ms: lat.p99,
      maxMs: lat.max,
      // 10 ms buckets: each figure is the bucket's lower end
      outsideRefreshes: {
        readings: latOutside.n,
        p50Ms: latOutside.p50,
        p99Ms: latOutside.p99,
        maxMs: latOutside.max,
      },
      deltasPerConsole: Math.round(watched.deltas / CONSOLES),
      seqGaps: watched.seqGaps,
      disconnects: watched.disconnects,
    },
    health,
    loopLag: {
      p50Ms: Math.round(loop.percentile(50) / 1e5) / 10,
      p99Ms: Math.round(loop.percentile(99) / 1e5) / 10,
      maxMs: Math.round(loop.max / 1e5) / 10,
    },
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  };
  const pass = {
    p99: lat.p99 !== null && lat.p99 <= P99_LIMIT_MS,
    health: health.status503 === 0,
    lost: lost === 0 && pub.unackedAtEnd === 0 && rowsInDb >= pub.published,
  };
  const timeline = Object.keys({ ...server, ...conSec, ...pubSec })
    .map(Number)
    .filter((k) => k * 1000 >= since - WARMUP_S * 1000 - 1000 && k * 1000 <= ended)
    .sort((a, b) => a - b)
    .map((k) => {
      const c = conSec[k];
      return {
        t: k,
        ...server[k],
        ...pubSec[k],
        console: c && { n: c.n, maxMs: c.maxMs, over500: c.over500 },
      };
    });
  const out = {
    date: new Date().toISOString(),
    host: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      loadBefore,
      loadAfter,
    },
    config: {
      minutes: MINUTES,
      warmupS: WARMUP_S,
      rate: RATE,
      consoles: CONSOLES,
      connections: CONNECTIONS,
      setup: 'embedded',
    },
    pass: { ...pass, all: pass.p99 && pass.health && pass.lost },
    results,
    worstSeconds,
    gaps,
    maintenance: maint,
    timeline,
  };
  mkdirSync(path.join(HERE, 'results'), { recursive: true });
  writeFileSync(path.join(HERE, 'results', 'steady.json'), JSON.stringify(out, null, 2));

  const f = (n: number | null) => (n === null ? '–' : n.toLocaleString('en-US'));
  const rowsOut: Array<[string, string]> = [
    ['published (msg/s)', `${f(results.published)} (${f(results.publishRate)}/s)`],
    ['acknowledged · stored · rows in db', `${f(pub.acked)} · ${f(stored)} · ${f(rowsInDb)}`],
    ['lost · unacked at end', `${f(lost)} · ${f(pub.unackedAtEnd)}`],
    ['in flight max · p99', `${f(pub.inflightMax)} · ${f(pub.inflightP99)}`],
    ['publish → console p50 · p99 · max ms', `${f(lat.p50)} · ${f(lat.p99)} · ${f(lat.max)}`],
    [
      'the same outside the refreshes (10 ms steps)',
      `${f(latOutside.p50)} · ${f(latOutside.p99)} · ${f(latOutside.max)} (${f(latOutside.n)} readings)`,
    ],
    ['readings timed (all consoles)', f(lat.n)],
    ['console seq gaps · disconnects', `${watched.seqGaps} · ${watched.disconnects}`],
    [
      'health polls · non-200 · 503 · longest run',
      `${health.polls} · ${health.non200} · ${health.status503} · ${health.longestNon200Run}`,
    ],
    ['health answer p99 · max ms', `${f(health.answerMsP99)} · ${f(health.answerMsMax)}`],
    [
      'event loop p50 · p99 · max ms',
      `${results.loopLag.p50Ms} · ${results.loopLag.p99Ms} · ${results.loopLag.maxMs}`,
    ],
    ['RSS peak MiB', f(results.peakRssMiB)],
    ['maintenance steps · total ms', `${maint.steps} · ${f(maint.totalMs)}`],
  ];
  console.log(
    `\nsteady ${RATE} msg/s × ${MINUTES} min after ${WARMUP_S} s of warm-up (published, not timed), ${CONSOLES} consoles (embedded)`,
  );
  for (const [k, v] of rowsOut) console.log(`  ${k.padEnd(44)} ${v}`);
  console.log(
    `\n  p99 ≤ ${P99_LIMIT_MS} ms: ${pass.p99 ? 'PASS' : 'FAIL'}   health never 503: ${pass.health ? 'PASS' : 'FAIL'}   0 lost: ${pass.lost ? 'PASS' : 'FAIL'}`,
  );
  console.log('\n  worst seconds at the consoles (what ran then):');
  for (const w of worstSeconds.slice(0, 5))
    console.log(
      `    ${hhmmss(Date.parse(w.at))} max ${w.latencyMaxMs} ms, >500: ${w.readingsOver500}/${w.readings}; loop ${w.loopMaxMs} ms, write ${w.writeMsMax} ms, ingest lag ${w.ingestLagMsMax} ms, in flight ${w.inflightMax}${w.maintenance.length ? `; maintenance steps ≥ 20 ms: ${w.maintenance.join(', ')}` : ''}`,
    );
  console.log('  longest silences between deltas (console 1):');
  for (const g of gaps.slice(0, 5))
    console.log(
      `    ${hhmmss(Date.parse(g.at))} ${g.ms} ms, loop ${g.loopMaxMs} ms${g.maintenance.length ? `; maintenance steps ≥ 20 ms: ${g.maintenance.join(', ')}` : ''}`,
    );
  console.log('  aggregate refreshes (start, steps, wall ms, longest step):');
  for (const r of refreshes)
    console.log(`    ${hhmmss(Date.parse(r.at))} ${r.steps} steps ${f(r.ms)} ms; ${r.longest}`);
  console.log('  longest maintenance steps:');
  for (const s of maint.longest.slice(0, 5))
    console.log(`    ${hhmmss(Date.parse(s.at))} ${s.ms} ms ${s.what}`);
  console.log(`\nload average ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; bench/results/steady.json`);

  await cleanup();
  process.exit(out.pass.all ? 0 : 1);
}

void main().catch(async (err) => {
  console.error(err);
  await cleanup();
  process.exit(1);
});
