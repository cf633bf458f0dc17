// npm run bench: ingest throughput, end-to-end latency, event-loop lag and memory of the whole IOC,
// on the embedded defaults and on Mosquitto + PostgreSQL. Results: bench/results/*.json + a table.
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const RATES_SERVICES = rates(args.get('rates'), [5000, 10000, 20000, 30000, 40000, 50000, 60000]);
const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface StepResult {
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
  peakRssMiB: number;
  ok: boolean;
}

export function pct(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
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

async function runScenario(
  name: 'embedded' | 'services',
  rates: number[],
): Promise<{ name: string; steps: StepResult[]; sustained: number }> {
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

  const steps: StepResult[] = [];
  let sustained = 0;
  try {
    for (const rate of rates) {
      const storedBefore = ioc.ingest.stats.stored.traffic + ioc.ingest.stats.duplicates;
      const h = monitorEventLoopDelay({ resolution: 10 });
      h.enable();
      let peakRss = process.memoryUsage().rss;
      const rssTimer = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }, 100);
      const t0 = Date.now();
      // when was each count reached: the moment the last message of the step is stored ends the step
      const progress: Array<[number, number]> = [];
      const storedNow = () => ioc.ingest.stats.stored.traffic + ioc.ingest.stats.duplicates - storedBefore;
      const progressTimer = setInterval(() => progress.push([Date.now(), storedNow()]), 20);
      const prefix = `${name}-${rate}-${randomBytes(3).toString('hex')}`;
      const probing = ask<{ published: number; latenciesMs: number[] }>(prober, {
        cmd: 'step',
        prefix: `${prefix}-p`,
      });
      const load = await ask<{ published: number; acked: number; sendSeconds: number }>(child, {
        cmd: 'step',
        rate,
        seconds: STEP_S,
        prefix,
      });
      prober.send({ cmd: 'stopProbe' });
      const p = await probing;
      const r = { ...load, published: load.published + p.published, latenciesMs: p.latenciesMs };
      const sentAt = Date.now();
      while (storedNow() < r.published && Date.now() - sentAt < 20_000) await sleep(20);
      await ioc.ingest.flush();
      clearInterval(progressTimer);
      progress.push([Date.now(), storedNow()]);
      const end = progress.find(([, n]) => n >= r.published)?.[0] ?? Date.now();
      h.disable();
      clearInterval(rssTimer);
      const stored = storedNow();
      const res: StepResult = {
        targetRate: rate,
        published: r.published,
        stored,
        lost: Math.max(0, r.published - stored),
        publishRate: Math.round(r.published / r.sendSeconds),
        storedRate: Math.round(stored / ((end - t0) / 1000)),
        drainS: Math.round(Math.max(0, end - t0 - r.sendSeconds * 1000) / 100) / 10,
        latencyP50Ms: pct(r.latenciesMs, 50),
        latencyP99Ms: pct(r.latenciesMs, 99),
        loopLagP99Ms: Math.round(h.percentile(99) / 1e5) / 10,
        loopLagMaxMs: Math.round(h.max / 1e5) / 10,
        peakRssMiB: Math.round(peakRss / 2 ** 20),
        ok: false,
      };
      // sustained: none lost, the publishers kept the pace, and storage kept up (≤ 1 s behind at the end)
      res.ok = res.lost === 0 && res.publishRate >= rate * 0.95 && res.drainS <= 1;
      steps.push(res);
      console.log(`${name.padEnd(9)} ${JSON.stringify(res)}`);
      if (!res.ok) break;
      sustained = res.storedRate;
      await sleep(1000);
    }
    // none lost, checked in the database too, not only by counters
    const { rows } = await ioc.db.query<{ n: string }>('SELECT count(*) AS n FROM traffic_readings');
    const publishedTotal = steps.reduce((a, s) => a + s.published, 0);
    console.log(`${name.padEnd(9)} rows in traffic_readings: ${rows[0].n}, published: ${publishedTotal}`);
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
  return { name, steps, sustained };
}

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
  console.log('\nscenario   target/s  stored/s  lost  p50 ms  p99 ms  loop p99 ms  RSS MiB');
  for (const r of results)
    for (const s of r.steps)
      console.log(
        `${r.name.padEnd(9)} ${String(s.targetRate).padStart(8)} ${String(s.storedRate).padStart(9)} ${String(s.lost).padStart(5)} ${String(s.latencyP50Ms).padStart(7)} ${String(s.latencyP99Ms).padStart(7)} ${String(s.loopLagP99Ms).padStart(12)} ${String(s.peakRssMiB).padStart(8)}${s.ok ? '' : '  ✗'}`,
      );
  for (const r of results) console.log(`${r.name}: sustained ${r.sustained} msg/s stored with none lost`);
  process.exit(0);
}

// bench/steady.ts imports the helpers above: run only when started as a script
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
