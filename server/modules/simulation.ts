import type {
  RunningSimulation,
  SimulatedSystem,
  SimulationHost,
  SimulationPlugin,
} from '#contract/simulation.ts';
import type { DevicesRepo } from '../auth/devices.ts';
import { Bus } from '../bus.ts';
import { type IngestOptions, IngestPipeline } from '../ingest/ingestPipeline.ts';
import { refreshAggregates, runPolicies } from '../store/aggregates.ts';
import { type IncidentsRepo, toListItem } from '../store/incidentsRepo.ts';
import { countReadings, openIncidents } from '../store/stateRepo.ts';
import type { IocModule, ModuleDeps } from './module.ts';

export interface SimulationModuleOptions {
  plugin: SimulationPlugin;
  seed: number;
  backfillDays: number;
  mqtt: { url: string; clientId: string };
  /** the embedded broker's devices: the simulators log in as one (an external broker: none, see the README) */
  devices?: DevicesRepo;
  incidents: IncidentsRepo;
  /** where the simulation's patrol units are registered (their positions are then taken) */
  units?: { register(defs: Array<{ id: string; name: string; kind: 'patrol' }>): Promise<void> };
  /** the live pipeline's store, asset index and indicator catalogue: the history takes the same path */
  ingest: Pick<IngestOptions, 'store' | 'assets' | 'indicators'>;
  /**
   * the indicator feed's side: the catalogue's ids (the simulators' device owns them, to publish
   * ioc/kpi/{id}) and the refresh that folds values below the aggregates' watermark in (a past month's figure)
   */
  indicators?: { ids(): string[]; refreshFor(times: readonly number[]): Promise<void> };
}

/**
 * The host's side of a simulation plugin: gives it the IOC's parts it may use (a broker login, the
 * operators' desk, a history writer on the ingest path, the aggregates, the live state for drawn
 * frames) and starts and stops it. Nothing here knows what the simulation does.
 */
export function simulationModule(o: SimulationModuleOptions): IocModule & {
  history(): Promise<void>;
  snapshotSvg(cameraId: string, now: number): string | undefined;
  /** the public systems the simulation serves (information security's simulated targets) */
  securitySystems(): SimulatedSystem[];
} {
  let running: RunningSimulation | undefined;
  const host = (
    { city: cityOf, db, bus, state, log }: ModuleDeps,
    login?: { username: string; password?: string },
  ): SimulationHost => {
    const city = cityOf();
    return {
      city,
      seed: o.seed,
      backfillDays: o.backfillDays,
      mqtt: { ...o.mqtt, ...login },
      desk: {
        openIncidents: async () =>
          (await o.incidents.list({ status: 'open', limit: 20_000, order: 'rank' })).map(toListItem),
        apply: async (id, step) => {
          const r = await o.incidents.applyAction(id, step.action, step);
          return r.ok ? r.item : undefined;
        },
      },
      incidentsChanged: (items) => bus.emit('incidents:changed', items),
      unclosedIncidents: () => openIncidents(db),
      storedReadings: () => countReadings(db),
      historyWriter: ({ maxAgeMs }) => {
        // no live pushes for history; its indicator values' times, for the refresh when it is written
        const quiet = new Bus();
        const times: number[] = [];
        quiet.on('ingest:written', 'history', ({ batch }) => {
          for (const r of batch.indicators) if (r.kind !== 'plan') times.push(r.time);
        });
        const pipe = new IngestPipeline({
          ...o.ingest,
          bus: quiet,
          batchMax: 10_000,
          flushMs: 50,
          maxAgeMs,
          log,
        });
        return {
          accept: (topic, payload) => pipe.accept(topic, payload),
          backpressure: () => pipe.backpressure(),
          stop: async () => {
            await pipe.stop();
            // a past month's figure lies below the aggregates' watermark: it shows once refreshed
            if (times.length) await o.indicators?.refreshFor(times.splice(0));
          },
          rejected: () => Object.values(pipe.stats.rejected).reduce((a, b) => a + b, 0),
        };
      },
      refreshAggregates: (window, signal) => refreshAggregates(db, window, { closedOnly: true, signal }),
      runPolicies: async (signal) => {
        await runPolicies(db, { signal });
      },
      cameraView: (cameraId) => {
        const cam = city.cameras.find((c) => c.id === cameraId);
        if (!cam) return undefined;
        const seg = cam.segmentId ? state.traffic.get(cam.segmentId) : undefined;
        return {
          name: cam.name,
          online: state.cameras.get(cameraId)?.online ?? true,
          speedKmh: seg?.speedKmh,
        };
      },
      log,
    };
  };
  return {
    name: 'simulation',
    async start(deps) {
      const city = deps.city();
      const simUnits = o.plugin.units?.(city, o.seed) ?? [];
      if (simUnits.length && o.units) await o.units.register(simUnits.map((u) => ({ ...u, kind: 'patrol' })));
      // on the embedded broker the simulators are a device owning every asset, with a new secret each start;
      // an external broker gets no credentials from here (see the README: Devices and MQTT credentials)
      const login = o.devices
        ? await o.devices.ensureSimulatorDevice([
            ...city.segments.map((s) => s.id),
            ...city.cameras.map((c) => c.id),
            ...(o.indicators?.ids() ?? []),
            ...(o.units ? simUnits.map((u) => u.id) : []),
          ])
        : undefined;
      if (login?.device.disabled)
        deps.log.warn(
          { device: login.device.id },
          "the simulators' MQTT device is disabled: simulated data is refused",
        );
      running = await o.plugin.start(
        host(deps, login ? { username: login.device.username, password: login.secret } : undefined),
      );
    },
    async stop() {
      await running?.stop();
    },
    history: () => running?.history ?? Promise.resolve(),
    snapshotSvg: (cameraId, now) => running?.snapshotSvg?.(cameraId, now),
    securitySystems: () => running?.securitySystems ?? [],
  };
}
