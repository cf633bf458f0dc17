// npm run bench: ingest throughput, end-to-end latency, event-loop lag and memory of the whole IOC,
// on the embedded defaults and on Mosquitto + PostgreSQL. Results: bench/results/*.json + a table.
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { type RunningIoc, startIoc } from '../server/main.ts';
import { testDevice } from '../server/testing/iocHarness.ts';
import { canConnect, freePort } from '../server/testing/net.ts';
import { loginAs } from '../server/testing/sessions.ts';
import { simulators } from '../simulators/plugin.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const STEP_S = Number(args.get('seconds') ?? 8);
const ONLY = args.get('only');
const rates = (v: string | undefined, d: number[]) => (v ? v.split(',').map(Number) : d);
const RATES_EMBEDDED = rates(args.get('rates'), [2000, 5000, 10000, 15000, 20000, 25000, 30000]);
// finer steps where the two part: the ratio of sustained rates is only as fine as the steps
const RATES_SERVICES = rates(
  args.get('rates'),
  [5000, 10000, 15000, 20000, 22500, 25000, 27500, 30000, 32500, 35000, 37500, 40000, 45000, 50000, 60000],
);
const PROFILE_RATE = args.has('profile') ? Number(args.get('profile')) : undefined;
const NO_REFERENCE = args.has('no-reference');
/** a second reference beside the first, whose table has the product's third index too (time DESC, sql/011) */
const REF_TIME_INDEX = args.has('ref-time-index');
const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface StepResult {
  /** product, reference, or reference+time (the reference with the product's time index too) */
  who: string;
  targetRate: number;
  published: number;
  stored: number;
  lost: number;
  publishRate: number;
  storedRate: number;
  drainS: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  /**
   * the product's: age of a batch's oldest message when its write committed (p50/p99 over the step's
   * batches), and the write's own time: what of publish → browser is storage, the rest is the live path
   */
  commitLagP50Ms?: number | null;
  commitLagP99Ms?: number | null;
  writeP99Ms?: number | null;
  peakRssMiB: number;
  ok: boolean;
}

export function pct(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** p50, p95, p99 and max of a sparse histogram of [ms, count] (the steady and units benches' consoles). */
export function fromHist(hist: Array<[number, number]>) {
  const total = hist.reduce((a, [, n]) => a + n, 0);
  const at = (p: number) => {
    const want = Math.ceil(p * total);
    let seen = 0;
    for (const [ms, n] of hist) {
      seen += n;
      if (seen >= want) return ms;
    }
    return null;
  };
  return {
    n: total,
    p50: total ? at(0.5) : null,
    p95: total ? at(0.95) : null,
    p99: total ? at(0.99) : null,
    max: hist.at(-1)?.[0] ?? null,
  };
}

/** The command line's `--name=value` options, and a positive number among them (exits 2 when it is not). */
export function benchArgs(argv = process.argv.slice(2)) {
  const args = new Map(argv.map((a) => a.replace(/^--/, '').split('=') as [string, string]));
  const num = (name: string, d: number) => {
    const v = Number(args.get(name) ?? d);
    if (!Number.isFinite(v) || v <= 0) {
      console.error(`--${name} must be a positive number`);
      process.exit(2);
    }
    return v;
  };
  return { args, num };
}

export { freePort };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Mosquitto with the project's configuration (deploy/mosquitto) on a port of its own. */
async function startMosquitto(): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-bench-mosq-'));
  const conf = readFileSync(path.join(HERE, '../deploy/mosquitto/mosquitto.conf'), 'utf8')
    .replace(/^listener .*$/m, `listener ${port} 127.0.0.1`)
    .replace(/^persistence .*$/m, 'persistence false')
    .replace(/^persistence_location .*$/m, '');
  writeFileSync(path.join(dir, 'mosquitto.conf'), conf);
  const child = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !(await canConnect(port)); i++) await sleep(100);
  return {
    port,
    stop: () => {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function ask<T>(child: ChildProcess, msg: object): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ok: boolean; error?: string } & T) =>
      m.ok ? resolve(m) : reject(new Error(m.error)),
    );
    child.send(msg);
  });
}

/** A bench worker (bench/steadyWorker.ts and the like) in a process of its own, its output on ours. */
export function forkWorker(file: string, env: Record<string, string> = {}): ChildProcess {
  return fork(path.join(HERE, file), [], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
}

/** Asks a bench worker (bench/steadyWorker.ts and the like) to exit; SIGKILL after 3 s. */
export function stopWorker(w: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (w.exitCode !== null || w.signalCode !== null) return resolve();
    w.once('exit', () => resolve());
    w.send({ cmd: 'exit' }, () => {});
    setTimeout(() => {
      w.kill('SIGKILL');
      resolve();
    }, 3000).unref();
  });
}

export interface BenchIoc {
  ioc: RunningIoc;
  /** a device owning every segment and camera (the embedded broker checks logins; Mosquitto lets anyone in) */
  login?: { username?: string; password?: string };
  /** an operator's session cookie */
  cookie: string;
  /** undone in reverse order by the caller */
  cleanups: Array<() => Promise<void> | void>;
}

/** The whole IOC on the embedded defaults, or on a Mosquitto of its own and a fresh PostgreSQL database. */
export async function startBenchIoc(name: 'embedded' | 'services'): Promise<BenchIoc> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ioc-bench-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SIMULATE: 'false',
    DEMO_ACCOUNTS: 'false',
    LOG_LEVEL: 'warn',
  };
  if (name === 'embedded') env.MQTT_PORT = String(await freePort());
  else {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    env.MQTT_URL = `mqtt://127.0.0.1:${m.port}`;
    env.MQTT_CLIENT_ID = `ioc-bench-${randomBytes(3).toString('hex')}`;
    const db = `ioc_bench_${randomBytes(4).toString('hex')}`;
    const admin = async (sql: string) => {
      const c = new pg.Client(PG_ADMIN);
      await c.connect();
      await c.query(sql);
      await c.end();
    };
    await admin(`CREATE DATABASE ${db}`);
    cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
    const u = new URL(PG_ADMIN);
    u.pathname = `/${db}`;
    env.DATABASE_URL = u.toString();
  }
  const cfg = loadConfig(env);
  const ioc: RunningIoc = await startIoc(cfg, { log: createLogger('warn'), simulation: simulators });
  cleanups.push(() => ioc.stop());
  // the embedded broker takes readings only from registered devices; the bench's Mosquitto lets anyone in
  const login = name === 'embedded' ? await testDevice(ioc, 'bench-load') : undefined;
  // the latency probe watches as an operator would
  const { cookie } = await loginAs(ioc, 'operator');
  return { ioc, login, cookie, cleanups };
}

/** One consumer measured: the product (in this process) or the reference (bench/reference.ts, a process of its own). */
interface Target {
  who: string;
  /** readings the load publishes to: `<topicPrefix><segment>` */
  topicPrefix: string;
  /** messages stored (duplicates included) since the target started */
  stored(): number;
  /** the probe's latency (publish → a browser's delta) is the product's only */
  probe: boolean;
  stepStart(): Promise<void>;
  stepEnd(): Promise<
    Pick<StepResult, 'loopLagP99Ms' | 'loopLagMaxMs' | 'commitLagP50Ms' | 'commitLagP99Ms' | 'writeP99Ms'> & {
      rssMiB: number;
    }
  >;
  flush(): Promise<void>;
  rows(): Promise<number>;
  alive: boolean;
  sustained: number;
  /** the most stored per second in any step (at a failed step: what it could take) */
  peak: number;
}

/** The product in this process: its loop lag and RSS are this process's (the harness's share is small). */
function productTarget(ioc: RunningIoc): Target {
  let h = monitorEventLoopDelay({ resolution: 10 });
  let peakRss = 0;
  let rssTimer: NodeJS.Timeout | undefined;
  let lags: number[] = [];
  let writes: number[] = [];
  ioc.bus.on('ingest:stored', 'bench', (e) => {
    lags.push(e.lagMs);
    writes.push(Math.round(e.writeMs));
  });
  return {
    who: 'product',
    topicPrefix: 'ioc/traffic/',
    stored: () => ioc.ingest.stats.stored.traffic + ioc.ingest.stats.duplicates,
    probe: true,
    async stepStart() {
      h = monitorEventLoopDelay({ resolution: 10 });
      h.enable();
      lags = [];
      writes = [];
      peakRss = process.memoryUsage().rss;
      rssTimer = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }, 100);
    },
    async stepEnd() {
      h.disable();
      clearInterval(rssTimer);
      return {
        loopLagP99Ms: Math.round(h.percentile(99) / 1e5) / 10,
        loopLagMaxMs: Math.round(h.max / 1e5) / 10,
        rssMiB: Math.round(peakRss / 2 ** 20),
        commitLagP50Ms: pct(lags, 50),
        commitLagP99Ms: pct(lags, 99),
        writeP99Ms: pct(writes, 99),
      };
    },
    flush: () => ioc.ingest.flush(),
    rows: async () => {
      const { rows } = await ioc.db.query<{ n: string }>('SELECT count(*) AS n FROM traffic_readings');
      return Number(rows[0].n);
    },
    alive: true,
    sustained: 0,
    peak: 0,
  };
}

/** The reference consumer on the same broker and PostgreSQL server, its own database. */
async function referenceTarget(
  mqttUrl: string,
  cleanups: BenchIoc['cleanups'],
  timeIndex: boolean,
): Promise<Target> {
  const db = `ioc_bench_ref_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client(PG_ADMIN);
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await admin(`CREATE DATABASE ${db}`);
  cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
  const u = new URL(PG_ADMIN);
  u.pathname = `/${db}`;
  const child = fork(path.join(HERE, 'reference.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  let stored = 0;
  // progress messages come unasked; every other message answers the last command
  let answer: ((m: { ok: boolean; error?: string }) => void) | undefined;
  child.on('message', (m: { progress?: number; ok: boolean; error?: string }) => {
    if (m.progress !== undefined) stored = m.progress;
    else answer?.(m);
  });
  const cmd = <T>(msg: object) =>
    new Promise<T>((resolve, reject) => {
      answer = (m) => (m.ok ? resolve(m as T) : reject(new Error(m.error)));
      child.send(msg);
    });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ cmd: 'exit' });
        setTimeout(() => {
          child.kill();
          resolve();
        }, 3000).unref();
      }),
  );
  const who = timeIndex ? 'reference+time' : 'reference';
  const topicPrefix = `bench-${timeIndex ? 'reft' : 'ref'}/traffic/`;
  await cmd({ cmd: 'init', mqttUrl, databaseUrl: u.toString(), topicPrefix, timeIndex });
  return {
    who,
    topicPrefix,
    stored: () => stored,
    probe: false,
    stepStart: () => cmd({ cmd: 'stepStart' }),
    stepEnd: () => cmd({ cmd: 'stepEnd' }),
    // the reference writes what it holds within 20 ms, and the step waits for the count
    flush: async () => {},
    rows: async () => (await cmd<{ rows: number }>({ cmd: 'count' })).rows,
    alive: true,
    sustained: 0,
    peak: 0,
  };
}

interface ScenarioResult {
  name: string;
  steps: StepResult[];
  sustained: number;
  reference?: { steps: StepResult[]; sustained: number; peak: number };
  referenceTime?: { steps: StepResult[]; sustained: number; peak: number };
  peak: number;
}

async function runScenario(name: 'embedded' | 'services', rates: number[]): Promise<ScenarioResult> {
  const { ioc, login, cookie, cleanups } = await startBenchIoc(name);
  const mqtt = new URL(ioc.mqttUrl);
  // the load and the latency probe each in a process of their own: a busy publisher would delay the probe's clock
  const spawnWorker = () =>
    fork(path.join(HERE, 'loadWorker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const child = spawnWorker();
  const prober = spawnWorker();
  cleanups.push(() => {
    child.kill();
    prober.kill();
  });
  const segments = ioc.city.segments.map((s) => s.id);
  const init = {
    cmd: 'init',
    mqttHost: mqtt.hostname,
    mqttPort: Number(mqtt.port),
    mqttUsername: login?.username,
    mqttPassword: login?.password,
    httpUrl: ioc.httpUrl,
    cookie,
    segments: segments.slice(1),
    probeSegment: segments[0],
    connections: 4,
  };
  await ask(child, { ...init, role: 'load' });
  await ask(prober, { ...init, role: 'probe' });

  // on Mosquitto + PostgreSQL the reference runs beside the product, step by step at the same rates, so
  // that whatever else the machine does weighs on both alike
  const product = productTarget(ioc);
  const targets: Target[] = [product];
  if (name === 'services' && !NO_REFERENCE) {
    if (REF_TIME_INDEX) targets.unshift(await referenceTarget(ioc.mqttUrl, cleanups, true));
    targets.unshift(await referenceTarget(ioc.mqttUrl, cleanups, false));
  }
  const steps: StepResult[] = [];
  // a first step of its own warms up each consumer and the load (the JIT, PGlite's WebAssembly tiering up,
  // the connections): without it the first measured step often failed at any rate, the publishers
  // held back by a consumer still compiling. Its messages are counted in the database check below.
  const warmups: StepResult[] = [];
  try {
    for (const t of targets) {
      const res = await runStep(name, t, Math.min(2000, rates[0]), child, t.probe ? prober : undefined, 5);
      warmups.push(res);
      console.log(`${name.padEnd(9)} ${t.who.padEnd(9)} warm-up ${JSON.stringify(res)}`);
      await sleep(1000);
    }
    for (const rate of rates) {
      for (const t of targets) {
        if (!t.alive) continue;
        const res = await runStep(name, t, rate, child, t.probe ? prober : undefined);
        steps.push(res);
        console.log(`${name.padEnd(9)} ${t.who.padEnd(9)} ${JSON.stringify(res)}`);
        t.peak = Math.max(t.peak, res.storedRate);
        if (!res.ok) t.alive = false;
        else t.sustained = res.storedRate;
        await sleep(1000);
      }
      if (!targets.some((t) => t.alive)) break;
    }
    // none lost, checked in the database too, not only by counters
    for (const t of targets) {
      const publishedTotal = [...warmups, ...steps]
        .filter((s) => s.who === t.who)
        .reduce((a, s) => a + s.published, 0);
      console.log(
        `${name.padEnd(9)} ${t.who}: rows in the database ${await t.rows()}, published ${publishedTotal}`,
      );
    }
  } finally {
    // 'exit' gets no answer: the worker ends; wait for that, a little
    await Promise.all(
      [child, prober].map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.send({ cmd: 'exit' });
            setTimeout(resolve, 3000).unref();
          }),
      ),
    );
    for (const c of cleanups.reverse()) await c();
  }
  const ref = targets.find((t) => t.who === 'reference');
  const refTime = targets.find((t) => t.who === 'reference+time');
  return {
    name,
    steps: steps.filter((s) => s.who === 'product'),
    sustained: product.sustained,
    peak: product.peak,
    ...(ref
      ? {
          reference: {
            steps: steps.filter((s) => s.who === 'reference'),
            sustained: ref.sustained,
            peak: ref.peak,
          },
        }
      : {}),
    ...(refTime
      ? {
          referenceTime: {
            steps: steps.filter((s) => s.who === refTime.who),
            sustained: refTime.sustained,
            peak: refTime.peak,
          },
        }
      : {}),
  };
}

/** One step of `rate` msg/s for `seconds` (STEP_S) into one target; with `--profile=<rate>`, the product's CPU profile. */
async function runStep(
  name: string,
  t: Target,
  rate: number,
  load: ChildProcess,
  prober: ChildProcess | undefined,
  seconds = STEP_S,
): Promise<StepResult> {
  const storedBefore = t.stored();
  const storedNow = () => t.stored() - storedBefore;
  await t.stepStart();
  const profiling = t.who === 'product' && PROFILE_RATE === rate ? await startProfile() : undefined;
  const t0 = Date.now();
  // when was each count reached: the moment the last message of the step is stored ends the step
  const progress: Array<[number, number]> = [];
  const progressTimer = setInterval(() => progress.push([Date.now(), storedNow()]), 20);
  const prefix = `${name}-${t.who}-${rate}-${randomBytes(3).toString('hex')}`;
  const probing = prober
    ? ask<{ published: number; latenciesMs: number[] }>(prober, { cmd: 'step', prefix: `${prefix}-p` })
    : undefined;
  const l = await ask<{ published: number; acked: number; sendSeconds: number }>(load, {
    cmd: 'step',
    rate,
    seconds,
    prefix,
    topicPrefix: t.topicPrefix,
  });
  prober?.send({ cmd: 'stopProbe' });
  const p = probing ? await probing : { published: 0, latenciesMs: [] };
  const published = l.published + p.published;
  const sentAt = Date.now();
  while (storedNow() < published && Date.now() - sentAt < 20_000) await sleep(20);
  await t.flush();
  clearInterval(progressTimer);
  progress.push([Date.now(), storedNow()]);
  const end = progress.find(([, n]) => n >= published)?.[0] ?? Date.now();
  if (profiling) await profiling.stop(`${name}-${rate}`);
  const m = await t.stepEnd();
  const stored = storedNow();
  const res: StepResult = {
    who: t.who,
    targetRate: rate,
    published,
    stored,
    lost: Math.max(0, published - stored),
    publishRate: Math.round(published / l.sendSeconds),
    storedRate: Math.round(stored / ((end - t0) / 1000)),
    drainS: Math.round(Math.max(0, end - t0 - l.sendSeconds * 1000) / 100) / 10,
    latencyP50Ms: pct(p.latenciesMs, 50),
    latencyP99Ms: pct(p.latenciesMs, 99),
    loopLagP99Ms: m.loopLagP99Ms,
    loopLagMaxMs: m.loopLagMaxMs,
    // the product's only (undefined for the reference, left out of the JSON)
    commitLagP50Ms: m.commitLagP50Ms,
    commitLagP99Ms: m.commitLagP99Ms,
    writeP99Ms: m.writeP99Ms,
    peakRssMiB: m.rssMiB,
    ok: false,
  };
  // sustained: none lost, the publishers kept the pace, and storage kept up (≤ 1 s behind at the end)
  res.ok = res.lost === 0 && res.publishRate >= rate * 0.95 && res.drainS <= 1;
  return res;
}

/** A CPU profile of this process (the product's main thread), as `node --cpu-prof` writes it. */
async function startProfile(): Promise<{ stop(label: string): Promise<void> }> {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(label) {
      const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
      session.disconnect();
      mkdirSync(path.join(HERE, 'results'), { recursive: true });
      const file = path.join(HERE, 'results', `product-${label}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      console.log(
        `\nCPU profile of the product (${label} msg/s step): ${path.relative(process.cwd(), file)}`,
      );
      console.log(summariseProfile(profile));
    },
  };
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** The frames with the most self time, and the share of the process's time by package / project folder. */
export function summariseProfile(profile: CpuProfile, top = 25): string {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++)
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFrame = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const n of profile.nodes) {
    const us = self.get(n.id) ?? 0;
    if (!us) continue;
    const f = n.callFrame;
    const file = f.url.replace(/^file:\/\//, '');
    const short = file.includes('node_modules/')
      ? file.slice(file.lastIndexOf('node_modules/') + 13)
      : path.relative(path.join(HERE, '..'), file) || file || '(native)';
    const key = `${f.functionName || '(anonymous)'}  ${short}${file.includes('node_modules/') || file.startsWith('node:') ? `:${f.lineNumber + 1}` : ''}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + us);
    const place = !f.url
      ? f.functionName.startsWith('(')
        ? f.functionName
        : '(native)'
      : file.includes('node_modules/')
        ? (short.match(/^(@[^/]+\/[^/]+|[^/]+)/)?.[1] ?? short)
        : file.startsWith('node:')
          ? 'node:*'
          : short.split('/').slice(0, 2).join('/');
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  }
  const line = ([k, us]: [string, number]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`;
  const sorted = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(line);
  return [
    `self time by place (${(total / 1e6).toFixed(1)} s sampled):`,
    ...sorted(byPlace, 15),
    'top self-time frames:',
    ...sorted(byFrame, top),
  ].join('\n');
}

const ORDER = ['reference', 'reference+time', 'product'];

async function main() {
  const hasMosquitto = (() => {
    try {
      execFileSync('which', ['mosquitto']);
      return true;
    } catch {
      return false;
    }
  })();
  const results = [];
  if (!ONLY || ONLY === 'embedded') results.push(await runScenario('embedded', RATES_EMBEDDED));
  if ((!ONLY || ONLY === 'services') && hasMosquitto)
    results.push(await runScenario('services', RATES_SERVICES));
  const out = {
    date: new Date().toISOString(),
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    stepSeconds: STEP_S,
    results,
  };
  mkdirSync(path.join(HERE, 'results'), { recursive: true });
  writeFileSync(path.join(HERE, 'results', 'latest.json'), JSON.stringify(out, null, 2));
  console.log(
    '\nscenario  consumer        target/s  stored/s  lost  p50 ms  p99 ms  loop p99 ms  RSS MiB   (p50/p99: publish → browser)',
  );
  for (const r of results)
    for (const s of [...(r.reference?.steps ?? []), ...(r.referenceTime?.steps ?? []), ...r.steps].sort(
      (a, b) => a.targetRate - b.targetRate || ORDER.indexOf(a.who) - ORDER.indexOf(b.who),
    ))
      console.log(
        `${r.name.padEnd(9)} ${s.who.padEnd(14)} ${String(s.targetRate).padStart(8)} ${String(s.storedRate).padStart(9)} ${String(s.lost).padStart(5)} ${String(s.latencyP50Ms ?? '–').padStart(7)} ${String(s.latencyP99Ms ?? '–').padStart(7)} ${String(s.loopLagP99Ms).padStart(12)} ${String(s.peakRssMiB).padStart(8)}${s.ok ? '' : '  ✗'}`,
      );
  for (const r of results) {
    console.log(
      `${r.name}: product sustained ${r.sustained} msg/s stored with none lost (most in a step ${r.peak}/s)`,
    );
    if (r.reference)
      console.log(
        `${r.name}: reference sustained ${r.reference.sustained} msg/s (most in a step ${r.reference.peak}/s); ` +
          `product / reference: sustained ${(r.sustained / Math.max(1, r.reference.sustained)).toFixed(2)}, ` +
          `most in a step ${(r.peak / Math.max(1, r.reference.peak)).toFixed(2)}`,
      );
  }
  process.exit(0);
}

// bench/steady.ts imports the helpers above: run only when started as a script
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
