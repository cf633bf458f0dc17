// Information-security monitoring (issue 15): the inventory of public systems, probed by the server itself
// every minute; the latest probes are announced on the bus (`security:probed`) for the alarm engine and kept
// for the console. The SIEM events come through ingest like every other feed.
import type { ProbeView, SecuritySystemView } from '#contract/securityVocab.ts';
import type { IocModule, ModuleDeps } from '../modules/module.ts';
import type { SystemRecord } from '../store/securityRepo.ts';
import { probe } from './probe.ts';

export interface SecurityModuleOptions {
  store: {
    systems(): Promise<SystemRecord[]>;
    latestProbes(): Promise<Map<string, { probe: ProbeView; downSince: number | null }>>;
    insertProbe(systemId: string, p: ProbeView): Promise<void>;
  };
  /** how often each system is probed (PROBE_INTERVAL_MS in production) */
  intervalMs: number;
  timeoutMs: number;
  now?: () => number;
}

export type SecurityModule = IocModule & {
  /** every system of the inventory with its latest probe */
  systems(): SecuritySystemView[];
  /** reads the inventory again (an admin changed it) and starts a round of probes */
  reload(): Promise<void>;
  /** probes every enabled system now and waits for it */
  probeNow(): Promise<void>;
};

/** The probe module; one round at a time, every system of a round in parallel. */
export function securityModule(o: SecurityModuleOptions): SecurityModule {
  const name = 'security';
  const now = o.now ?? Date.now;
  let deps: ModuleDeps | undefined;
  let inventory: SystemRecord[] = [];
  const latest = new Map<string, { probe: ProbeView; downSince: number | null }>();
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;
  let stopped = false;

  const views = (): SecuritySystemView[] =>
    inventory.map((s) => {
      const l = latest.get(s.id);
      return { ...s, probe: l?.probe ?? null, downSince: l?.downSince ?? null };
    });

  const announce = () => deps?.bus.emit('security:probed', { systems: views(), at: now() });

  const probeAll = async () => {
    const d = deps;
    if (!d) return;
    await Promise.all(
      inventory
        .filter((s) => !s.disabled)
        .map(async (s) => {
          const p = await probe(s.url, o.timeoutMs, now);
          if (stopped) return;
          const before = latest.get(s.id);
          const downSince = p.up
            ? null
            : (before?.downSince ?? (before?.probe.up === false ? before.probe.time : p.time));
          latest.set(s.id, { probe: p, downSince });
          await o.store
            .insertProbe(s.id, p)
            .catch((err) => d.log.warn({ err, system: s.id }, 'storing a probe failed'));
        }),
    );
    if (!stopped) announce();
  };

  /** One round at a time: a call during a round waits for it, then runs its own. */
  const runRound = async (): Promise<void> => {
    while (round) await round;
    round = probeAll()
      .catch((err) => deps?.log.warn({ err }, 'probing the public systems failed'))
      .finally(() => {
        round = undefined;
      });
    return round;
  };

  const load = async () => {
    inventory = await o.store.systems();
  };

  return {
    name,
    systems: views,
    async reload() {
      await load();
      announce();
      void runRound();
    },
    probeNow: runRound,
    async start(d) {
      deps = d;
      stopped = false;
      await load();
      for (const [id, l] of await o.store.latestProbes()) latest.set(id, l);
      announce();
      void runRound();
      timer = setInterval(() => void runRound(), o.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await round;
      deps = undefined;
    },
  };
}
