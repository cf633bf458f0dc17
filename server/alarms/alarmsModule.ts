// The alarm engine (issue 13): the rules over the live state, flood control, and every transition
// stored; the live `alarms` layer follows the database, the truth between instances.
import { randomUUID } from 'node:crypto';
import type { AlarmEventType } from '#contract/alarmLifecycle.ts';
import { shelfExpired } from '#contract/alarmLifecycle.ts';
import {
  ALARM_RULE_DEFAULTS,
  type AlarmItem,
  type AlarmRuleCode,
  type AlarmRuleConfig,
} from '#contract/alarms.ts';
import type { IndicatorDef } from '#contract/indicatorVocab.ts';
import type { IncidentItem } from '#contract/live.ts';
import { noChanges, type StateChanges } from '../domain/cityState.ts';
import type { IocModule, ModuleDeps } from '../modules/module.ts';
import type { AlarmResult, AlarmsRepo } from '../store/alarmsRepo.ts';
import { FLOOD_DEFAULTS, type FloodConfig, type FloodState, floodInit, floodStep, inFlood } from './flood.ts';
import { BASELINE_DAYS, FIGURE_MAX_AGE_MS, IndicatorWindows, type WindowRecord } from './indicatorWindows.ts';
import { type CityPlaces, cityPlaces } from './places.ts';
import { type RuleInputs, type RuleStates, rulePass, rulesInit, seedStates } from './rulePass.ts';
import type { SilentAsset } from './rules/assetSilent.ts';
import type { IncidentInput } from './rules/incidents.ts';
import type { SecurityEventInput, SystemInput } from './rules/security.ts';

export interface AlarmsModuleOptions {
  repo: AlarmsRepo;
  /** whether the broker is reachable (system_health) */
  mqttConnected: () => boolean;
  /** this instance's name in the engine's lease; default a random one */
  instanceId?: string;
  /** how often the time-based rules run (SLA, offline, silent, shelf expiry); default 1 s */
  tickMs?: number;
  /** how often alarms changed elsewhere are read back from the database; default 1 s */
  pollMs?: number;
  flood?: FloodConfig;
  /**
   * The cameras' own hotspot thresholds (crowd_thresholds), read with the rules' settings; left out,
   * every camera has the `crowd_hotspot` rule's default.
   */
  crowdThresholds?: () => Promise<ReadonlyMap<string, number>>;
  /**
   * The indicator feed (issue 14): the catalogue with its thresholds (the indicators module's, renewed
   * when an admin changes it) and the aggregates' history the rules start from. Left out, the indicator
   * rules see nothing.
   */
  indicators?: {
    catalogue: () => ReadonlyMap<string, IndicatorDef>;
    history: (q: {
      figureIds: string[];
      figuresSince: number;
      eventIds: string[];
      eventsSince: number;
    }) => Promise<{ figures: WindowRecord[]; hours: WindowRecord[] }>;
  };
}

/**
 * The indicator history is read again this often (and when an indicator's basis or thresholds change):
 * the leader counts only what its own ingest wrote, other instances' share shows from the aggregates
 */
const INDICATOR_HISTORY_RELOAD_MS = 5 * 60_000;
const H = 3_600_000;

const LEASE = 'rules';
/** a lease not renewed for this long passes to another instance */
const LEASE_TTL_MS = 5_000;
/**
 * the lease is renewed at most this often: a pass soon after a renewal acts on it (well inside the TTL)
 * instead of writing to the database on every pass, which under full ingest ran after every batch
 */
const LEASE_RENEW_MS = 1_000;
/**
 * passes asked for by changes of the live state run at most this often (they come after every batch,
 * up to dozens a second under load); the samples in between are read by the next pass, so a condition
 * waits at most this long more
 */
const MIN_PASS_GAP_MS = 200;
/** the rules' settings are read again this often (an admin on another instance may have changed them) */
const RULES_RELOAD_MS = 10_000;
/** out-of-service periods that ran out are looked for this often */
const OOS_CHECK_MS = 15_000;
/** samples older than this when first seen (a restart's reload, a late device) decide nothing */
const SAMPLE_MAX_AGE_MS = 10 * 60_000;
/** the read-back looks this far behind its last look: writes of other instances commit late, clocks differ */
const POLL_OVERLAP_MS = 5_000;
const OPEN_STATUSES = new Set(['new', 'acknowledged', 'dispatched']);

export type AlarmsModule = IocModule & {
  /** runs a pass of the rules now (when this instance holds the lease) and waits for it */
  evaluate(): Promise<void>;
  /** whether this instance runs the rules */
  leading(): boolean;
};

/**
 * The alarm engine. One instance at a time (a lease in the database) runs the rules: after each
 * change of the live state and every `tickMs` for the time-based ones, never inside ingest (a pass
 * runs after the batch is written and applied, one at a time, at most every MIN_PASS_GAP_MS). Its decisions go through flood control
 * and into the store, each transition with its history row. Every instance reads back what changed
 * in the database every `pollMs` and announces it as `alarms:changed` (the live layer, the metrics).
 */
export function alarmsModule(o: AlarmsModuleOptions): AlarmsModule {
  const name = 'alarms';
  const holder = o.instanceId ?? `ioc-${randomUUID()}`;
  const floodCfg = o.flood ?? FLOOD_DEFAULTS;
  let deps: ModuleDeps | undefined;
  let rules: Record<AlarmRuleCode, AlarmRuleConfig> = { ...ALARM_RULE_DEFAULTS };
  let ruleStates: RuleStates = rulesInit();
  let flood: FloodState = floodInit();
  let leader = false;
  /** when this instance last renewed the lease (Date.now()), 0 when it does not hold it */
  let leaseRenewedAt = 0;
  let places: CityPlaces | undefined;
  // what the rules have seen of the live state: newer samples are new
  const seen = {
    traffic: new Map<string, number>(),
    cameras: new Map<string, number>(),
    events: new Map<string, number>(),
    incidents: new Map<string, number>(),
    crowd: new Map<string, number>(),
  };
  let crowdThresholds: ReadonlyMap<string, number> = new Map();
  let rejected = 0;
  let lastRejectSample = Date.now();
  let lastLag: { at: number; lagMs: number } | undefined;
  let dbUp = true;
  let rulesLoadedAt = 0;
  let oosCheckedAt = 0;
  // the alarms this instance has announced (version per id): the read-back announces only newer ones
  const known = new Map<string, number>();
  // every open alarm as last announced: shelf and out-of-service expiry read it
  const open = new Map<string, AlarmItem>();
  let lastPoll = 0;
  let timer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let lastPassAt = 0;
  let soon: NodeJS.Timeout | undefined;
  const windows = new IndicatorWindows();
  // information security: events stored since the last pass, the inventory's latest probes (null until the first)
  const securityEvents: SecurityEventInput[] = [];
  let securitySystems: SystemInput[] | null = null;
  let historyLoadedAt = 0;
  let historyShape = '';
  const NO_INDICATORS: ReadonlyMap<string, IndicatorDef> = new Map();
  const catalogue = () => o.indicators?.catalogue() ?? NO_INDICATORS;

  /**
   * Reads the figures and hourly counts the indicator rules start from (the leader, at its first pass,
   * every INDICATOR_HISTORY_RELOAD_MS, and when an indicator's thresholds change their shape).
   */
  const loadIndicatorHistory = async (now: number) => {
    if (!o.indicators) return;
    const defs = [...catalogue().values()].filter(
      (d) => d.thresholds.warning !== null || d.thresholds.critical !== null,
    );
    const shape = JSON.stringify(defs.map((d) => [d.id, d.thresholds.basis]));
    if (shape === historyShape && now - historyLoadedAt < INDICATOR_HISTORY_RELOAD_MS) return;
    const events = defs.filter((d) => d.period === 'event');
    const figureIds = defs.filter((d) => d.period !== 'event').map((d) => d.id);
    const valueIds = events.filter((d) => d.thresholds.basis === 'value').map((d) => d.id);
    const baselineIds = events.filter((d) => d.thresholds.basis === 'baseline_ratio').map((d) => d.id);
    const hourNow = Math.floor(now / H) * H;
    const [a, b] = await Promise.all([
      o.indicators.history({
        figureIds,
        figuresSince: now - FIGURE_MAX_AGE_MS.quarterly,
        eventIds: valueIds,
        eventsSince: hourNow - H,
      }),
      o.indicators.history({
        figureIds: [],
        figuresSince: now,
        eventIds: baselineIds,
        eventsSince: hourNow - (BASELINE_DAYS * 24 + 1) * H,
      }),
    ]);
    windows.load(catalogue(), a.figures, [...a.hours, ...b.hours]);
    historyShape = shape;
    historyLoadedAt = now;
  };

  const announce = (items: AlarmItem[]) => {
    if (items.length && deps) deps.bus.emit('alarms:changed', items);
  };

  const placesOf = (d: ModuleDeps): CityPlaces => {
    const city = d.city();
    if (places?.city !== city) places = cityPlaces(city);
    return places;
  };

  const loadRules = async (d: ModuleDeps) => {
    const stored = await o.repo.listRules();
    const next = { ...ALARM_RULE_DEFAULTS };
    for (const r of stored) next[r.rule] = r;
    rules = next;
    if (o.crowdThresholds) crowdThresholds = await o.crowdThresholds();
    rulesLoadedAt = Date.now();
    d.log.debug({ rules: stored.length }, 'alarm rules loaded');
  };

  /** Takes the rule and flood states the stored alarms imply (at start, and when taking over). */
  const seed = async () => {
    const stored = await o.repo.listOpen();
    const s = seedStates(stored);
    ruleStates = s.rules;
    flood = s.flood;
  };

  const incidentInput = (p: CityPlaces, i: IncidentItem): IncidentInput => ({
    id: i.id,
    ts: i.ts,
    category: i.category,
    severity: i.severity,
    status: i.status,
    lat: i.lat,
    lon: i.lon,
    wardId: p.wardAt(i.lon, i.lat),
  });

  /** The samples that arrived since the last pass, read from the live state. */
  const inputs = (d: ModuleDeps, now: number): RuleInputs => {
    const p = placesOf(d);
    const st = d.state;
    const fresh = (m: Map<string, number>, id: string, ts: number) => {
      const before = m.get(id);
      if (before !== undefined && ts <= before) return false;
      m.set(id, ts);
      return now - ts <= SAMPLE_MAX_AGE_MS;
    };
    const readings: RuleInputs['readings'] = [];
    for (const t of st.traffic.values())
      if (fresh(seen.traffic, t.id, t.ts)) readings.push({ id: t.id, ts: t.ts, speedKmh: t.speedKmh });
    const statuses: RuleInputs['statuses'] = [];
    const detections: RuleInputs['detections'] = [];
    const counts: RuleInputs['crowd']['counts'] = [];
    for (const c of st.cameras.values()) {
      if (c.crowd && fresh(seen.crowd, c.id, c.crowd.ts))
        counts.push({ cameraId: c.id, ts: c.crowd.ts, count: c.crowd.count });
      if (fresh(seen.cameras, c.id, c.ts)) statuses.push({ id: c.id, ts: c.ts, online: c.online });
      const e = c.lastEvent;
      if (e && fresh(seen.events, c.id, e.ts))
        detections.push({ cameraId: c.id, time: e.ts, kind: e.kind, confidence: e.confidence ?? null });
    }
    const changedIncidents: IncidentInput[] = [];
    const openIncidents: IncidentInput[] = [];
    for (const i of st.incidents.values()) {
      const before = seen.incidents.get(i.id);
      if (before === undefined || i.updatedAt > before) {
        seen.incidents.set(i.id, i.updatedAt);
        changedIncidents.push(incidentInput(p, i));
      }
      if (OPEN_STATUSES.has(i.status)) openIncidents.push(incidentInput(p, i));
    }
    const assets: SilentAsset[] = [
      ...[...p.segments.values()].map((s) => ({
        id: s.id,
        name: s.name,
        wardId: s.wardId,
        lat: s.lat,
        lon: s.lon,
        kind: 'segment' as const,
        lastSeen: st.traffic.get(s.id)?.ts ?? null,
      })),
      ...[...p.cameras.values()].map((c) => ({
        ...c,
        kind: 'camera' as const,
        lastSeen: st.cameras.get(c.id)?.ts ?? null,
      })),
    ];
    const secs = Math.max(0.001, (now - lastRejectSample) / 1000);
    const rejects = { ts: now, rejectRate: rejected / secs };
    rejected = 0;
    lastRejectSample = now;
    const health = {
      ts: now,
      dbUp,
      brokerUp: o.mqttConnected(),
      ingestLagMs: lastLag && now - lastLag.at < 10_000 ? lastLag.lagMs : null,
    };
    return {
      now,
      places: p,
      readings,
      statuses,
      assets,
      detections,
      changedIncidents,
      openIncidents,
      rejects,
      health,
      indicators: { catalogue: catalogue(), ...windows.samples(catalogue(), now) },
      security: { events: securityEvents.splice(0), systems: securitySystems },
      crowd: { counts, thresholds: crowdThresholds },
    };
  };

  /** One pass: the rules, flood control, the store; what changed is announced. */
  const pass = async (d: ModuleDeps) => {
    const now = Date.now();
    let held = leader && now - leaseRenewedAt < LEASE_RENEW_MS;
    try {
      if (!held) {
        held = await o.repo.lease(LEASE, holder, LEASE_TTL_MS);
        leaseRenewedAt = held ? now : 0;
      }
      dbUp = true;
    } catch (err) {
      leaseRenewedAt = 0;
      // the rules cannot store anything without the database; system_health reports it once it is back
      dbUp = false;
      d.log.warn({ err }, 'alarm engine: the database did not answer');
      return;
    }
    if (!held) {
      leader = false;
      return;
    }
    if (!leader) {
      // taking over (or starting): the stored alarms are the truth
      await seed();
      await loadRules(d);
      leader = true;
      d.log.info({ holder }, 'alarm engine: this instance runs the rules');
    }
    if (now - rulesLoadedAt >= RULES_RELOAD_MS) await loadRules(d);
    await loadIndicatorHistory(now).catch((err) =>
      d.log.warn({ err }, 'reading the indicator history failed'),
    );
    const r = rulePass(ruleStates, rules, inputs(d, now));
    ruleStates = r.states;
    const changed = new Map<string, AlarmItem>();
    const transitions = new Map<AlarmEventType, number>();
    const note = (res: AlarmResult, ev: AlarmEventType) => {
      if (!res.ok) return;
      if (res.changed) transitions.set(ev, (transitions.get(ev) ?? 0) + 1);
      changed.set(res.item.id, res.item);
    };

    const expired = [...open.values()].filter((a) => shelfExpired(a.shelved, now));
    const oosDue = now - oosCheckedAt >= OOS_CHECK_MS;
    if (!r.signals.length && !expired.length && !oosDue) return;
    // one transaction for the pass's writes: on the embedded database one wait for its connection
    // (shared with ingest) instead of one per statement, which under full ingest made a pass take seconds
    await o.repo.batch(async (repo) => {
      if (r.signals.length) {
        const f = floodStep(flood, r.signals, now, floodCfg);
        flood = f.state;
        // parents first: their children point at them
        const parentIds = new Map<string, string>();
        for (const p of f.parents) {
          const centre = p.wardId ? placesOf(d).wardCentre.get(p.wardId) : undefined;
          const res = await repo.raise(
            {
              key: p.key,
              rule: p.rule,
              priority: p.priority,
              latched: false,
              assetId: null,
              wardId: p.wardId,
              titleCode: 'flood_group',
              params: { rule: p.rule, wardId: p.wardId, count: p.count },
              lat: centre?.lat ?? null,
              lon: centre?.lon ?? null,
            },
            { actor: 'system', at: now },
          );
          note(res, 'activate');
          if (res.ok) parentIds.set(p.key, res.item.id);
        }
        const decisions = new Map(f.decisions.map((x) => [x.key, x]));
        for (const s of r.signals) {
          if (s.type === 'activate') {
            const res = await repo.raise(
              {
                key: s.key,
                rule: s.rule,
                priority: s.priority,
                latched: s.latched,
                assetId: s.assetId,
                wardId: s.wardId,
                titleCode: s.rule,
                params: s.params,
                lat: s.lat,
                lon: s.lon,
              },
              { actor: 'system', at: s.at, chatterCount: decisions.get(s.key)?.chatterCount },
            );
            note(res, 'activate');
          } else note(await repo.clear(s.key, { actor: 'system', at: s.at }), 'clear');
        }
        // children under their parents (those raised now, and those raised before their group formed)
        const byParent = new Map<string, string[]>();
        for (const x of [...f.decisions, ...f.adopted])
          if (x.parentKey) byParent.set(x.parentKey, [...(byParent.get(x.parentKey) ?? []), x.key]);
        for (const [parentKey, keys] of byParent) {
          const parentId = parentIds.get(parentKey) ?? (await repo.getByKey(parentKey))?.id;
          if (!parentId) continue;
          if ((await repo.setParent(keys, parentId)) > 0) {
            for (const c of await repo.children(parentId)) changed.set(c.id, c);
            const parent = await repo.get(parentId);
            if (parent) changed.set(parent.id, parent);
          }
        }
        for (const k of f.closed) note(await repo.clear(k, { actor: 'system', at: now }), 'clear');
        d.bus.emit('alarms:flood', { inFlood: inFlood(flood, now, floodCfg), held: f.held });
      }

      // the clock: timed shelves that ran out, assets whose time out of service ended
      for (const a of expired)
        note(
          await repo.apply(a.id, { type: 'unshelve' }, { actor: 'system', at: now, note: 'shelf expired' }),
          'unshelve',
        );
      if (oosDue) {
        oosCheckedAt = now;
        const suppressed = [...open.values()].filter((a) => a.suppressed && a.assetId);
        if (suppressed.length) {
          const oos = new Set((await repo.listOutOfService(now)).map((x) => x.assetId));
          for (const a of suppressed)
            if (!oos.has(a.assetId as string))
              note(
                await repo.apply(
                  a.id,
                  { type: 'unsuppress' },
                  { actor: 'system', at: now, note: 'out-of-service period ended' },
                ),
                'unsuppress',
              );
        }
      }
    });
    for (const [event, count] of transitions) d.bus.emit('alarms:transitions', { event, count });
    announce([...changed.values()]);
  };

  /** Runs passes one at a time; a request during a pass runs one more after it. */
  const schedule = (): Promise<void> => {
    if (!deps || stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    const d = deps;
    running = (async () => {
      do {
        again = false;
        lastPassAt = Date.now();
        try {
          await pass(d);
        } catch (err) {
          d.log.error({ err }, 'alarm engine pass failed');
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  /**
   * A pass for a change of the live state: at once for what raises an alarm without delay (a serious
   * detection, a new or changed incident, a camera gone offline), else once MIN_PASS_GAP_MS has passed
   * since the last pass (readings: their rules wait minutes anyway).
   */
  const scheduleSoon = (ch: StateChanges) => {
    if (stopped) return;
    const urgent = ch.seriousEvents.length > 0 || ch.incidents.length > 0 || ch.wentOffline.length > 0;
    const wait = urgent ? 0 : Math.max(0, lastPassAt + MIN_PASS_GAP_MS - Date.now());
    if (soon) {
      if (!urgent) return;
      clearTimeout(soon);
    }
    soon = setTimeout(() => {
      soon = undefined;
      void schedule();
    }, wait);
  };

  /** Reads back what changed in the database since the last look (every instance's engine and operators). */
  const poll = async () => {
    if (!deps || stopped) return;
    const started = Date.now();
    try {
      const rows = await o.repo.changedSince(lastPoll - POLL_OVERLAP_MS);
      lastPoll = started;
      announce(rows.filter((a) => (known.get(a.id) ?? -1) < a.version));
    } catch (err) {
      deps.log.warn({ err }, 'alarm read-back failed');
    }
  };

  return {
    name,
    leading: () => leader,
    evaluate: () => schedule(),
    async start(d) {
      deps = d;
      stopped = false;
      const b = d.bus;
      // what is announced (here or read back) is what this instance knows
      b.on('alarms:changed', name, (items) => {
        for (const a of items) {
          if ((known.get(a.id) ?? -1) < a.version) known.set(a.id, a.version);
          if (a.state === 'normal') open.delete(a.id);
          else open.set(a.id, a);
        }
      });
      // after a batch is written and applied: never inside ingest itself
      b.on('state:changed', name, scheduleSoon);
      // the indicator feed's new values into the rules' memory (never a query here: this is ingest's path)
      b.on('ingest:written', name, ({ batch, indicatorStatus }) => {
        if (batch.securityEvents.length > 0) {
          // bounded: a pass takes them all; a SIEM flooding between two passes needs only its worst
          if (securityEvents.length < 10_000) securityEvents.push(...batch.securityEvents);
          // a few a minute at most: a pass at once, as for a serious detection
          void schedule();
        }
        if (!o.indicators || batch.indicators.length === 0) return;
        const cat = catalogue();
        let any = false;
        for (const r of batch.indicators) {
          const def = cat.get(r.indicatorId);
          // a duplicate was counted when it first came
          if (!def || !indicatorStatus.has(r)) continue;
          windows.add(def, r);
          any = true;
        }
        if (any) scheduleSoon(noChanges());
      });
      b.on('security:probed', name, ({ systems }) => {
        securitySystems = systems
          .filter((x) => !x.disabled)
          .map((x) => ({ id: x.id, nameVi: x.nameVi, nameEn: x.nameEn, agent: x.agent, probe: x.probe }));
        void schedule();
      });
      b.on('ingest:rejected', name, () => {
        rejected++;
      });
      b.on('ingest:stored', name, (e) => {
        lastLag = { at: Date.now(), lagMs: e.lagMs };
      });
      b.on('alarms:settings', name, (e) => {
        if (e.what === 'rules') rulesLoadedAt = 0;
        else oosCheckedAt = 0;
        void schedule();
      });
      lastPoll = Date.now();
      await loadRules(d);
      // the layer starts from what is stored: every open alarm
      announce(await o.repo.listOpen());
      await schedule();
      timer = setInterval(() => void schedule(), o.tickMs ?? 1000);
      timer.unref();
      pollTimer = setInterval(() => void poll(), o.pollMs ?? 1000);
      pollTimer.unref();
    },
    async stop() {
      stopped = true;
      deps?.bus.removeAll(name);
      if (timer) clearInterval(timer);
      if (pollTimer) clearInterval(pollTimer);
      if (soon) clearTimeout(soon);
      soon = undefined;
      await running;
      if (leader)
        await o.repo.releaseLease(LEASE, holder).catch((err) => deps?.log.warn({ err }, 'lease release'));
      leader = false;
      leaseRenewedAt = 0;
    },
  };
}
