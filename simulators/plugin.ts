// The simulators as the IOC's simulation plugin: simulated devices publishing live over MQTT, simulated
// duty officers working their incidents, history on a first start, and drawn camera frames. Talks to
// the IOC only through the host it is given (#contract/simulation.ts): it imports nothing of the server.

import mqtt from 'mqtt';
import type {
  HistoryWriter,
  RunningSimulation,
  SimulationHost,
  SimulationPlugin,
} from '#contract/simulation.ts';
import { generateCity } from './city.ts';
import { runSimulationLive } from './liveRunner.ts';
import { runOperatorSteps } from './operatorRunner.ts';
import { publishAll } from './publisher.ts';
import { createSimulation, type Simulation } from './simulation.ts';
import { renderSnapshotSvg } from './snapshot.ts';
import { serveSystems, siemAlerts } from './socModel.ts';
import { createUnitsModel, patrolUnits } from './unitsModel.ts';

/** How often the simulated duty officers look at their queue. */
const DESK_EVERY_MS = 30_000;

export const simulators: SimulationPlugin = {
  city: (seed) => generateCity(seed),
  units: () => patrolUnits(),

  async start(host: SimulationHost): Promise<RunningSimulation> {
    const { city, seed, log } = host;
    const stops: Array<() => Promise<void> | void> = [];
    // the city's devices and the province's other services (dossiers, mentions, the statistics office)
    const simulation = () => createSimulation({ city, seed, services: true });
    const runner = runSimulationLive({
      url: host.mqtt.url,
      sim: simulation(),
      clientId: host.mqtt.clientId,
      username: host.mqtt.username,
      password: host.mqtt.password,
      log,
    });
    stops.push(() => runner.stop());
    // patrol cars on their rounds, each reporting where it is every 10 s
    const patrols = createUnitsModel(city, seed, patrolUnits());
    let lastUnitsTick = Date.now() - 10_000;
    const unitsRunner = runSimulationLive({
      url: host.mqtt.url,
      sim: {
        tick: (now) => {
          const msgs = patrols.tick(Math.max(lastUnitsTick, now - 60_000), now);
          lastUnitsTick = now;
          return msgs;
        },
      },
      clientId: `${host.mqtt.clientId}-units`,
      username: host.mqtt.username,
      password: host.mqtt.password,
      log,
    });
    stops.push(() => unitsRunner.stop());
    // simulated duty officers work the simulated incidents, so the queue looks like a staffed centre's
    let deskBusy = false;
    const deskTimer = setInterval(() => {
      if (deskBusy) return;
      deskBusy = true;
      runOperatorSteps(host.desk, Date.now(), seed)
        .then((changed) => changed.length && host.incidentsChanged(changed))
        .catch((err) => log.warn({ err }, 'simulated operators failed'))
        .finally(() => {
          deskBusy = false;
        });
    }, DESK_EVERY_MS);
    stops.push(() => clearInterval(deskTimer));
    // the province's SOC: its public systems served here, its SIEM's alerts over MQTT every 30 s
    const soc = await serveSystems();
    stops.push(() => soc.stop());
    const siem = runSiemLive({ ...host.mqtt, clientId: `${host.mqtt.clientId}-soc`, seed, log });
    stops.push(() => siem.stop());
    log.info({ seed }, 'simulators running in-process');

    const stopAll = async () => {
      // in reverse: the history is abandoned, the officers go home, then the devices stop publishing
      for (const stop of stops.splice(0).reverse()) await stop();
    };
    let history: Promise<void> = Promise.resolve();
    let firstStart: boolean;
    try {
      firstStart = host.backfillDays > 0 && (await host.storedReadings()) === 0;
    } catch (err) {
      await stopAll();
      throw err;
    }
    // what the offices published (the last 24 months' figures, the plans) on every start: a month whose
    // report came out while the IOC was off shows too; sent again, each is a duplicate
    const abort = new AbortController();
    history = (async () => {
      await writePublished(host, simulation());
      // the SOC's last week (its alert ids dedupe a restart's second sending)
      await writeSiemWeek(host, seed);
      // history fills in behind the live view; a restart before it is done starts it again (ids dedupe)
      if (firstStart && !abort.signal.aborted) await backfill(host, simulation(), abort.signal);
    })().catch((err) => {
      if (!abort.signal.aborted) log.error({ err }, 'backfilling history failed');
    });
    stops.push(async () => {
      abort.abort();
      await history;
    });

    // every camera of the city is one of the simulation's: its frames are drawn from the live state
    const cameras = new Set(city.cameras.map((c) => c.id));
    return {
      history,
      securitySystems: soc.systems,
      snapshotSvg(cameraId, now) {
        const view = cameras.has(cameraId) ? host.cameraView(cameraId) : undefined;
        if (!view) return undefined;
        return renderSnapshotSvg({
          cameraId,
          cameraName: view.name,
          timeMs: now,
          online: view.online,
          speedKmh: view.speedKmh,
        });
      },
      stop: stopAll,
    };
  },
};

/** The simulated SOC's alerts of the last 7 days, through the host's ingest path. */
async function writeSiemWeek(host: SimulationHost, seed: number): Promise<void> {
  const to = Date.now() - 60_000;
  const msgs = siemAlerts(seed, to - 7 * 86_400_000, to);
  const pipe = host.historyWriter({ maxAgeMs: 8 * 86_400_000 });
  for (const m of msgs) void pipe.accept(m.topic, JSON.stringify(m.payload));
  await pipe.stop();
  if (pipe.rejected() > 0)
    host.log.warn(
      { rejected: pipe.rejected(), of: msgs.length },
      "the simulated SOC's alerts were refused in part",
    );
}

/** Publishes the simulated SOC's alerts as they fall due, every 30 s. */
function runSiemLive(o: {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  seed: number;
  log: SimulationHost['log'];
}): { stop(): Promise<void> } {
  const pub = mqtt.connect(o.url, {
    clientId: o.clientId,
    clean: true,
    reconnectPeriod: 1000,
    ...(o.username ? { username: o.username, password: o.password } : {}),
  });
  pub.on('error', (err) => o.log.warn({ err: err.message }, 'simulated SIEM: MQTT error'));
  let last = Date.now() - 60_000;
  const timer = setInterval(() => {
    if (!pub.connected) return;
    const now = Date.now() - 60_000;
    const msgs = siemAlerts(o.seed, last, now);
    last = now;
    publishAll(pub, msgs).catch((err: unknown) => o.log.warn({ err }, 'simulated SIEM: publish failed'));
  }, 30_000);
  return {
    stop: async () => {
      clearInterval(timer);
      await new Promise<void>((r) => pub.end(false, {}, () => r()));
    },
  };
}

/** The figures and plans the simulated offices have published by now, through the host's ingest path. */
async function writePublished(host: SimulationHost, sim: Simulation): Promise<void> {
  const msgs = sim.published(Date.now());
  if (msgs.length === 0) return;
  // monthly figures may be years old (the contract's MAX_AGE_DAYS by period); maxAgeMs is for the rest
  const pipe = host.historyWriter({ maxAgeMs: 86_400_000 });
  for (const m of msgs) void pipe.accept(m.topic, JSON.stringify(m.payload));
  await pipe.stop();
  if (pipe.rejected() > 0)
    host.log.warn(
      { rejected: pipe.rejected(), of: msgs.length },
      "the simulated offices' figures were refused in part",
    );
}

/** Simulated history through the host's decode → validate → batch → store path, with no live push. */
async function backfill(host: SimulationHost, sim: Simulation, signal: AbortSignal): Promise<void> {
  const { log } = host;
  const t0 = Date.now();
  const to = t0;
  const from = to - host.backfillDays * 86_400_000;
  // the history is as old as it was asked to be
  const pipe: HistoryWriter = host.historyWriter({ maxAgeMs: (host.backfillDays + 1) * 86_400_000 });
  log.info(
    { days: host.backfillDays },
    'first start: simulating history in the background (about two minutes, once); the live view works meanwhile',
  );
  let n = 0;
  let lastLog = Date.now();
  let sliceStart = performance.now();
  for (const chunk of sim.backfill(from, to)) {
    if (signal.aborted) break;
    for (const m of chunk) {
      // durability is awaited once, at the end (pipe.stop): a wait per message would write one at a time
      void pipe.accept(m.topic, JSON.stringify(m.payload));
      const wait = pipe.backpressure();
      if (wait) await wait;
      // hand the event loop back every few milliseconds so live traffic, HTTP and sockets stay responsive
      if (performance.now() - sliceStart > 8) {
        await new Promise((r) => setImmediate(r));
        sliceStart = performance.now();
      }
    }
    n += chunk.length;
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      const done = (chunk.at(-1)?.payload as { ts?: number } | undefined)?.ts;
      const pct = typeof done === 'number' ? Math.round(((done - from) / (to - from)) * 100) : undefined;
      log.info(
        { messages: n, perSecond: Math.round(n / ((Date.now() - t0) / 1000)) },
        `backfilling history${pct !== undefined ? `: ${pct} %` : ''}`,
      );
    }
  }
  await pipe.stop();
  if (signal.aborted) return;
  const handled = await runOperatorSteps(host.desk, Date.now(), host.seed);
  log.info({ incidents: handled.length }, 'simulated operators worked the history');
  // the history was stored without live pushes: show the incidents still open from it
  host.incidentsChanged(await host.unclosedIncidents());
  log.info('history stored; computing the continuous aggregates');
  // a day at a time; a stop ends the refresh at its next step (each a small window) instead of waiting
  // for the rest of it
  for (let t = from; t < to && !signal.aborted; t += 86_400_000) {
    await host.refreshAggregates({ from: t, to: Math.min(to, t + 86_400_000) }, signal);
  }
  // the days before yesterday compressed now, not at the hourly maintenance (the data folder's size)
  if (!signal.aborted) await host.runPolicies(signal);
  if (signal.aborted) return;
  log.info(
    { messages: n, rejected: pipe.rejected(), seconds: Math.round((Date.now() - t0) / 100) / 10 },
    'history backfilled',
  );
}
