// npm run bench:units: units and dispatch at city scale (issue 15): 2,000 units each publishing its
// position once per 10 s (spread evenly: 200/s), driving the city's roads, while 50 operators' consoles
// (Socket.IO, subscribed as the console is) watch the `units` layer. Target: position → console p99
// ≤ 500 ms. The product as `npm start` runs it (embedded broker + PGlite, or Mosquitto + PostgreSQL with
// --only=services), simulators off, in this process; the trackers and the consoles each in processes of
// their own (bench/unitsPublisher.ts, bench/steadyWorker.ts). Results: bench/results/units.json + a table.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sessionAs } from '../server/testing/sessions.ts';
import { patrolUnits } from '../simulators/unitsModel.ts';
import { ask, benchArgs, forkWorker, fromHist, sleep, startBenchIoc, stopWorker } from './run.ts';
import type { ConsolesResult, HealthPoll } from './steadyWorker.ts';
import type { UnitsPublisherResult } from './unitsPublisher.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { args, num } = benchArgs();
if (args.has('help')) {
  console.log(
    'npx tsx bench/units.ts [--minutes=2] [--units=2000] [--consoles=50] [--interval=10] [--warmup=10] [--console-workers=2] [--only=embedded|services]',
  );
  process.exit(0);
}
const MINUTES = num('minutes', 2);
const UNITS = Math.round(num('units', 2000));
const CONSOLES = Math.round(num('consoles', 50));
const INTERVAL_MS = num('interval', 10) * 1000;
// the first interval makes every unit appear (its first position): published and counted, not timed
const WARMUP_S = args.get('warmup') === '0' ? 0 : num('warmup', 10);
const CONSOLE_WORKERS = Math.max(1, Math.min(CONSOLES, Math.round(num('console-workers', 2))));
const ONLY = args.get('only');
const P99_LIMIT_MS = 500;

interface UnitsBenchResult {
  name: 'embedded' | 'services';
  loadBefore: number[];
  loadAfter: number[];
  units: number;
  consoles: number;
  published: number;
  publishRate: number;
  /** published in the measured window: what each console should have timed */
  timedSent: number;
  acked: number;
  unackedAtEnd: number;
  publisherLateMaxMs: number;
  storedPositions: number;
  rejected: Record<string, number>;
  latency: { n: number; p50: number | null; p95: number | null; p99: number | null; max: number | null };
  receivedPerConsole: { min: number; max: number; mean: number };
  /** positions a console never showed (the console that missed most) */
  missing: number;
  seqGaps: number;
  disconnects: number;
  longestSilenceMs: number | null;
  health: { polls: number; non200: number };
  serverLoop: { p50Ms: number; p99Ms: number; maxMs: number };
  /** the seconds with the slowest positions (from the measured window's start), and the IOC's loop then */
  worstSeconds: Array<{ s: number; maxMs: number; over500: number; n: number; loopMaxMs: number | null }>;
  clientLoop: { p99Ms: number; maxMs: number };
  pass: { p99: boolean; allShown: boolean };
}

const round1 = (ns: number) => Math.round(ns / 1e5) / 10;

async function scenario(name: 'embedded' | 'services'): Promise<UnitsBenchResult> {
  const loadBefore = os.loadavg();
  console.log(
    `units (${name}): ${UNITS} units every ${INTERVAL_MS / 1000} s for ${MINUTES} min after ${WARMUP_S} s, ${CONSOLES} consoles (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`,
  );
  const { ioc, login, cleanups } = await startBenchIoc(name);
  try {
    const defs = patrolUnits(UNITS).map((u) => ({ ...u, kind: 'patrol' as const }));
    await ioc.units.register(defs);
    // the embedded broker takes a unit's positions only from a device that owns it; the bench's
    // Mosquitto lets anyone in
    let tracker: { username?: string; password?: string } = {};
    if (login) {
      const { device, secret } = await ioc.devices.create(
        'bench-units',
        'Bench trackers',
        defs.map((d) => d.id),
      );
      tracker = { username: device.username, password: secret };
    }
    // each console an operator of its own, with its own session
    const cookies: string[] = [];
    for (let k = 0; k < CONSOLES; k++) cookies.push((await sessionAs(ioc, 'operator')).cookie);

    const spawn = (file: string, env: Record<string, string> = {}) => {
      const w = forkWorker(file, env);
      cleanups.push(() => stopWorker(w));
      return w;
    };
    const publisher = spawn('unitsPublisher.ts');
    const consoles = Array.from({ length: CONSOLE_WORKERS }, () =>
      spawn('steadyWorker.ts', { STEADY_ROLE: 'consoles' }),
    );
    const mqtt = new URL(ioc.mqttUrl);
    await ask(publisher, {
      cmd: 'init',
      mqttHost: mqtt.hostname,
      mqttPort: Number(mqtt.port),
      ...tracker,
      city: ioc.city,
      units: UNITS,
      seed: 15,
      connections: 2,
    });
    await Promise.all(
      consoles.map((w, j) =>
        ask(w, {
          cmd: 'init',
          httpUrl: ioc.httpUrl,
          cookies: cookies.filter((_, k) => k % CONSOLE_WORKERS === j),
          layer: 'units',
        }),
      ),
    );

    const storedCount = () => ioc.ingest.stats.stored.unit_position;
    const rejectedBefore = { ...ioc.ingest.stats.rejected };
    const storedBefore = storedCount();
    const since = Date.now() + WARMUP_S * 1000;
    // the IOC's process (PGlite's worker thread aside): its event loop during the measured window
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const warm = setTimeout(() => loop.enable(), WARMUP_S * 1000);
    // and the worst of each second, to tell a stall of the IOC from a slow client
    const loopSec = monitorEventLoopDelay({ resolution: 10 });
    loopSec.enable();
    const loopMax: Record<number, number> = {};
    const loopTimer = setInterval(() => {
      loopMax[Math.floor(Date.now() / 1000) - 1] = round1(loopSec.max);
      loopSec.reset();
    }, 1000);
    const watching = consoles.map((w) => ask<ConsolesResult>(w, { cmd: 'run', since }));
    const pub = await ask<UnitsPublisherResult>(publisher, {
      cmd: 'run',
      seconds: MINUTES * 60 + WARMUP_S,
      intervalMs: INTERVAL_MS,
      prefix: `units-${randomBytes(3).toString('hex')}`,
      since,
    });
    // what was acknowledged is stored; the last deltas reach the consoles within a flush or two
    const settle = Date.now() + 20_000;
    while (storedCount() - storedBefore < pub.acked && Date.now() < settle) await sleep(50);
    await sleep(1500);
    for (const w of consoles) w.send({ cmd: 'stop' });
    const watched = await Promise.all(watching);
    clearTimeout(warm);
    loop.disable();
    clearInterval(loopTimer);
    loopSec.disable();
    const perSecond = new Map<number, { n: number; maxMs: number; over500: number }>();
    for (const r of watched)
      for (const [k, c] of Object.entries(r.perSecond)) {
        const cur = perSecond.get(Number(k)) ?? { n: 0, maxMs: 0, over500: 0 };
        perSecond.set(Number(k), {
          n: cur.n + c.n,
          maxMs: Math.max(cur.maxMs, c.maxMs),
          over500: cur.over500 + c.over500,
        });
      }
    const worstSeconds = [...perSecond]
      .sort((a, b) => b[1].maxMs - a[1].maxMs)
      .slice(0, 8)
      .map(([k, c]) => ({ s: k - Math.floor(since / 1000), ...c, loopMaxMs: loopMax[k] ?? null }));

    const merged = new Map<number, number>();
    for (const r of watched) for (const [ms, n] of r.hist) merged.set(ms, (merged.get(ms) ?? 0) + n);
    const lat = fromHist([...merged].sort((a, b) => a[0] - b[0]));
    const received = watched.flatMap((r) => r.receivedPerConsole);
    const health: HealthPoll[] = watched.flatMap((r) => r.health);
    const rejected: Record<string, number> = {};
    for (const [k, v] of Object.entries(ioc.ingest.stats.rejected))
      if (v - (rejectedBefore[k] ?? 0) > 0) rejected[k] = v - (rejectedBefore[k] ?? 0);
    const minReceived = Math.min(...received);
    return {
      name,
      loadBefore,
      loadAfter: os.loadavg(),
      units: UNITS,
      consoles: CONSOLES,
      published: pub.published,
      publishRate: Math.round(pub.published / pub.sendSeconds),
      timedSent: pub.publishedSince,
      acked: pub.acked,
      unackedAtEnd: pub.unackedAtEnd,
      publisherLateMaxMs: pub.lateMaxMs,
      storedPositions: storedCount() - storedBefore,
      rejected,
      latency: lat,
      receivedPerConsole: {
        min: minReceived,
        max: Math.max(...received),
        mean: Math.round(received.reduce((a, b) => a + b, 0) / received.length),
      },
      missing: Math.max(0, pub.publishedSince - minReceived),
      seqGaps: watched.reduce((a, r) => a + r.seqGaps, 0),
      disconnects: watched.reduce((a, r) => a + r.disconnects, 0),
      longestSilenceMs: watched[0].gaps[0]?.[1] ?? null,
      health: { polls: health.length, non200: health.filter((h) => h.status !== 200).length },
      serverLoop: {
        p50Ms: round1(loop.percentile(50)),
        p99Ms: round1(loop.percentile(99)),
        maxMs: round1(loop.max),
      },
      worstSeconds,
      clientLoop: {
        p99Ms: Math.max(...watched.map((r) => r.loop.p99Ms)),
        maxMs: Math.max(...watched.map((r) => r.loop.maxMs)),
      },
      pass: {
        p99: lat.p99 !== null && lat.p99 <= P99_LIMIT_MS,
        allShown: pub.publishedSince > 0 && minReceived >= pub.publishedSince,
      },
    };
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
  }
}

function print(r: UnitsBenchResult): void {
  const f = (n: number | null) => (n === null ? '–' : n.toLocaleString('en-US'));
  const rows: Array<[string, string]> = [
    [
      'load average before · after',
      `${r.loadBefore.map((l) => l.toFixed(2)).join(' ')} · ${r.loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
    ],
    ['positions published (/s)', `${f(r.published)} (${f(r.publishRate)}/s)`],
    [
      'acknowledged · stored · unacked at end',
      `${f(r.acked)} · ${f(r.storedPositions)} · ${f(r.unackedAtEnd)}`,
    ],
    ['rejected by ingest', Object.keys(r.rejected).length ? JSON.stringify(r.rejected) : '0'],
    ['publisher behind schedule at worst ms', f(r.publisherLateMaxMs)],
    [
      'timed per console: sent · received min/mean/max',
      `${f(r.timedSent)} · ${f(r.receivedPerConsole.min)} / ${f(r.receivedPerConsole.mean)} / ${f(r.receivedPerConsole.max)}`,
    ],
    ['positions timed (all consoles)', f(r.latency.n)],
    [
      'position → console p50 · p95 · p99 · max ms',
      `${f(r.latency.p50)} · ${f(r.latency.p95)} · ${f(r.latency.p99)} · ${f(r.latency.max)}`,
    ],
    [
      'seq gaps · disconnects · longest silence ms',
      `${r.seqGaps} · ${r.disconnects} · ${f(r.longestSilenceMs)}`,
    ],
    ['health polls · non-200', `${r.health.polls} · ${r.health.non200}`],
    [
      'IOC event loop p50 · p99 · max ms',
      `${r.serverLoop.p50Ms} · ${r.serverLoop.p99Ms} · ${r.serverLoop.maxMs}`,
    ],
    ["consoles' own event loop p99 · max ms", `${r.clientLoop.p99Ms} · ${r.clientLoop.maxMs}`],
  ];
  console.log(
    `\nunits ${r.name}: ${f(r.units)} units / ${INTERVAL_MS / 1000} s × ${MINUTES} min, ${r.consoles} consoles`,
  );
  for (const [k, v] of rows) console.log(`  ${k.padEnd(48)} ${v}`);
  console.log('  worst seconds (s from the start: max ms, > 500 ms of all, the IOC loop max ms):');
  console.log(
    `    ${r.worstSeconds.map((w) => `${w.s}: ${w.maxMs}, ${w.over500}/${w.n}, loop ${w.loopMaxMs ?? '–'}`).join('; ')}`,
  );
  console.log(
    `  p99 ≤ ${P99_LIMIT_MS} ms: ${r.pass.p99 ? 'PASS' : 'FAIL'}   every position on every console: ${r.pass.allShown ? 'PASS' : 'FAIL'}`,
  );
}

async function main() {
  const results: UnitsBenchResult[] = [];
  if (!ONLY || ONLY === 'embedded') results.push(await scenario('embedded'));
  if (!ONLY || ONLY === 'services') results.push(await scenario('services'));
  mkdirSync(path.join(HERE, 'results'), { recursive: true });
  writeFileSync(
    path.join(HERE, 'results', 'units.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
        config: {
          minutes: MINUTES,
          units: UNITS,
          consoles: CONSOLES,
          intervalMs: INTERVAL_MS,
          warmupS: WARMUP_S,
        },
        results,
      },
      null,
      2,
    ),
  );
  for (const r of results) print(r);
  console.log('\nbench/results/units.json');
  process.exit(results.every((r) => r.pass.p99 && r.pass.allShown) ? 0 : 1);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
