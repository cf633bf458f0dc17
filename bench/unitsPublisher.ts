// bench/units.ts's trackers, in a process of their own so that their CPU and event loop are not the
// IOC's: every unit publishes its position on ioc/unit/{id}/position (QoS 1) once per interval, the units
// spread evenly over it, each driving its own loop of the city's roads (the simulation's units model).
// A message's `ts` is the moment it is written to the socket, the clock the consoles time against.
// Parent → { cmd: 'init', ... } → { ok }; { cmd: 'run', ... } → { ok, ...UnitsPublisherResult };
// { cmd: 'exit' }.
import type { CityModel } from '#contract/assets.ts';
import { topics } from '#contract/mqtt.ts';
import { createUnitsModel, patrolUnits, type UnitsModel } from '../simulators/unitsModel.ts';
import { connectLoad, type LoadConnection } from './mqttLoad.ts';

export interface UnitsPublisherResult {
  published: number;
  /** published with a `ts` from the measured window's start on: what each console should time */
  publishedSince: number;
  acked: number;
  /** after publishing stopped and the acks had up to 30 s to come */
  unackedAtEnd: number;
  sendSeconds: number;
  /** how far behind its schedule a position went out at worst: a late publisher is not the IOC's fault */
  lateMaxMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let conns: LoadConnection[] = [];
let model: UnitsModel | undefined;

async function init(m: {
  mqttHost: string;
  mqttPort: number;
  username?: string;
  password?: string;
  city: CityModel;
  units: number;
  seed: number;
  connections: number;
}) {
  model = createUnitsModel(m.city, m.seed, patrolUnits(m.units));
  conns = await Promise.all(
    Array.from({ length: m.connections }, (_, k) =>
      connectLoad(m.mqttHost, m.mqttPort, `bench-units-${process.pid}-${k}`, {
        username: m.username,
        password: m.password,
      }),
    ),
  );
}

async function run(m: {
  seconds: number;
  intervalMs: number;
  prefix: string;
  since: number;
}): Promise<UnitsPublisherResult> {
  const units = model?.units ?? [];
  const n = units.length;
  const acked = () => conns.reduce((a, c) => a + c.acked(), 0);
  const inflight = () => conns.reduce((a, c) => a + c.inflight(), 0);
  const ackedBefore = acked();
  const cycles = Math.ceil((m.seconds * 1000) / m.intervalMs);
  const total = cycles * n;
  // message k: unit k % n in cycle ⌊k / n⌋, at its own offset within the interval
  const dueAt = (k: number) =>
    t0 + Math.floor(k / n) * m.intervalMs + Math.floor(((k % n) * m.intervalMs) / n);
  const t0 = Date.now();
  let sent = 0;
  let lateMaxMs = 0;
  let publishedSince = 0;
  while (sent < total) {
    while (sent < total && dueAt(sent) <= Date.now()) {
      const i = sent % n;
      const ts = Date.now();
      lateMaxMs = Math.max(lateMaxMs, ts - dueAt(sent));
      if (ts >= m.since) publishedSince++;
      const p = (model as UnitsModel).position(i, ts);
      // one unit always on the same connection: its positions arrive in order
      conns[i % conns.length].publish(
        topics.unitPosition(units[i].id),
        JSON.stringify({ ts, ...p, accuracyM: 8, id: `${m.prefix}-${sent}` }),
      );
      sent++;
    }
    await sleep(2);
  }
  const sendSeconds = (Date.now() - t0) / 1000;
  const deadline = Date.now() + 30_000;
  while (inflight() > 0 && Date.now() < deadline) await sleep(10);
  return {
    published: sent,
    publishedSince,
    acked: acked() - ackedBefore,
    unackedAtEnd: inflight(),
    sendSeconds,
    lateMaxMs,
  };
}

process.on('message', async (m: { cmd: 'init' | 'run' | 'exit' } & Record<string, unknown>) => {
  try {
    if (m.cmd === 'init') {
      await init(m as unknown as Parameters<typeof init>[0]);
      process.send?.({ ok: true });
    } else if (m.cmd === 'run') {
      process.send?.({ ok: true, ...(await run(m as unknown as Parameters<typeof run>[0])) });
    } else if (m.cmd === 'exit') {
      await Promise.all(conns.map((c) => c.end()));
      process.exit(0);
    }
  } catch (e) {
    process.send?.({ ok: false, error: String(e) });
  }
});
// the benchmark ended without telling us (killed): do not linger
process.on('disconnect', () => process.exit(0));
