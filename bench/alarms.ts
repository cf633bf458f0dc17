// npm run bench:alarms: how long an operator waits for an alarm while the IOC ingests at full load
// (issue 13: condition → alarm on the console, p99 ≤ 1 s at 10,000 msg/s). The load worker publishes
// traffic readings at the rate; meanwhile a camera reports a fire every `--every` ms (each camera once,
// a critical alarm, so flood control's rate cap never holds it) and an operator's socket, subscribed to
// the `alarms` layer as the console is, times the first delta carrying that camera's alarm.
// Results: bench/results/alarms.json + a table.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type { AlarmItem } from '#contract/alarms.ts';
import type { ClientToServerEvents, Delta, ServerToClientEvents } from '#contract/live.ts';
import { connectLoad } from './mqttLoad.ts';
import { ask, pct, sleep, startBenchIoc } from './run.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const RATE = Number(args.get('rate') ?? 10_000);
const SECONDS = Number(args.get('seconds') ?? 30);
const EVERY_MS = Number(args.get('every') ?? 500);
const ONLY = args.get('only');

interface AlarmBenchResult {
  name: string;
  targetRate: number;
  publishRate: number;
  conditions: number;
  alarms: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

async function scenario(name: 'embedded' | 'services'): Promise<AlarmBenchResult> {
  const { ioc, login, cookie, cleanups } = await startBenchIoc(name);
  try {
    const mqtt = new URL(ioc.mqttUrl);
    const segments = ioc.city.segments.map((s) => s.id);
    const cameras = ioc.city.cameras.map((c) => c.id);
    const load = fork(path.join(HERE, 'loadWorker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    cleanups.push(() => {
      load.kill();
    });
    await ask(load, {
      cmd: 'init',
      role: 'load',
      mqttHost: mqtt.hostname,
      mqttPort: Number(mqtt.port),
      mqttUsername: login?.username,
      mqttPassword: login?.password,
      httpUrl: ioc.httpUrl,
      cookie,
      segments,
      probeSegment: segments[0],
      connections: 4,
    });

    // the operator's console
    const s = io(ioc.httpUrl, { transports: ['websocket'], extraHeaders: { cookie } }) as unknown as Socket<
      ServerToClientEvents,
      ClientToServerEvents
    >;
    cleanups.push(() => {
      s.close();
    });
    await new Promise<void>((r) => s.on('connect', () => r()));
    await s.timeout(10_000).emitWithAck('subscribe', { layers: ['alarms'] });
    const arrived = new Map<string, number>();
    s.on('delta', (d: Delta) => {
      if (d.layer !== 'alarms') return;
      const now = Date.now();
      for (const a of d.items as AlarmItem[])
        if (a.rule === 'camera_detection' && a.assetId && !arrived.has(a.assetId))
          arrived.set(a.assetId, now);
    });

    const pub = await connectLoad(
      mqtt.hostname,
      Number(mqtt.port),
      `bench-alarm-${process.pid}`,
      login ?? {},
    );
    cleanups.push(() => pub.end());
    const sent = new Map<string, number>();
    const loaded = ask<{ published: number; sendSeconds: number }>(load, {
      cmd: 'step',
      rate: RATE,
      seconds: SECONDS,
      prefix: `alarms-${name}-${Date.now()}`,
    });
    // conditions only while the load runs at full rate: not in its first and last seconds
    const t0 = Date.now();
    await sleep(2000);
    for (const cam of cameras) {
      if (Date.now() - t0 > (SECONDS - 2) * 1000) break;
      const ts = Date.now();
      sent.set(cam, ts);
      pub.publish(
        `ioc/camera/${cam}/event`,
        JSON.stringify({ ts, kind: 'fire', confidence: 0.97, id: `bench-fire-${cam}-${ts}` }),
      );
      await sleep(EVERY_MS);
    }
    const l = await loaded;
    const deadline = Date.now() + 10_000;
    while (arrived.size < sent.size && Date.now() < deadline) await sleep(50);
    const latencies = [...sent]
      .filter(([c]) => arrived.has(c))
      .map(([c, t]) => (arrived.get(c) as number) - t);
    return {
      name,
      targetRate: RATE,
      publishRate: Math.round(l.published / l.sendSeconds),
      conditions: sent.size,
      alarms: latencies.length,
      p50Ms: pct(latencies, 50),
      p99Ms: pct(latencies, 99),
      maxMs: latencies.length ? Math.max(...latencies) : null,
    };
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

async function main() {
  const results: AlarmBenchResult[] = [];
  if (!ONLY || ONLY === 'embedded') results.push(await scenario('embedded'));
  if (!ONLY || ONLY === 'services') results.push(await scenario('services'));
  mkdirSync(path.join(HERE, 'results'), { recursive: true });
  writeFileSync(
    path.join(HERE, 'results', 'alarms.json'),
    JSON.stringify(
      { date: new Date().toISOString(), host: { cpus: os.cpus().length, node: process.version }, results },
      null,
      2,
    ),
  );
  console.log('\nscenario   target/s  sent/s  conditions  alarms  p50 ms  p99 ms  max ms');
  for (const r of results)
    console.log(
      `${r.name.padEnd(9)} ${String(r.targetRate).padStart(8)} ${String(r.publishRate).padStart(7)} ${String(r.conditions).padStart(11)} ${String(r.alarms).padStart(7)} ${String(r.p50Ms).padStart(7)} ${String(r.p99Ms).padStart(7)} ${String(r.maxMs).padStart(7)}`,
    );
  process.exit(0);
}

void main();
