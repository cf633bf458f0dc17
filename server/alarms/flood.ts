// Flood control (EEMUA 191): many alarms of one cause become one the operator can answer; an alarm that
// keeps coming back is counted, not announced again; the rate announced is capped. Nothing is dropped:
// every activation is still recorded (the store keeps children, chattering counts and held ones).
import {
  type AlarmPriority,
  type AlarmRuleCode,
  CHATTER_ACTIVATIONS,
  CHATTER_WINDOW_MS,
  FLOOD_RATE_LIMIT,
  FLOOD_RATE_WINDOW_MS,
} from '#contract/alarms.ts';
import type { AlarmSignal } from './signals.ts';

export interface FloodConfig {
  /** this many alarms of one rule in one ward within `groupWindowMs` become one parent with children */
  groupMin: number;
  groupWindowMs: number;
  /** an alarm activating this many times within `chatterWindowMs` is chattering */
  chatterActivations: number;
  chatterWindowMs: number;
  /** announcements (banner, tone) to the operator per `rateWindowMs`; critical alarms always pass */
  rateLimit: number;
  rateWindowMs: number;
}

export const FLOOD_DEFAULTS: FloodConfig = {
  groupMin: 3,
  groupWindowMs: 5 * 60_000,
  chatterActivations: CHATTER_ACTIVATIONS,
  chatterWindowMs: CHATTER_WINDOW_MS,
  rateLimit: FLOOD_RATE_LIMIT,
  rateWindowMs: FLOOD_RATE_WINDOW_MS,
};

interface FloodGroup {
  parentKey: string;
  rule: AlarmRuleCode;
  wardId: string;
  /** active children */
  children: Set<string>;
  /** every child it has had: the parent's count */
  total: number;
  priority: AlarmPriority;
}

export interface FloodState {
  /** recent activation times per alarm key (chattering) */
  activations: Map<string, number[]>;
  /** per `rule|ward`: active alarms not in a group yet, with their activation time */
  recent: Map<string, Map<string, number>>;
  /** open groups by `rule|ward` */
  groups: Map<string, FloodGroup>;
  /** times of the announcements that reached the operator */
  announced: number[];
  /** times of every announcement asked for, held or not: the alarm rate EEMUA 191 measures */
  offered: number[];
  /** activations not announced because of the rate cap, since start (a metric) */
  heldTotal: number;
}

export const floodInit = (): FloodState => ({
  activations: new Map(),
  recent: new Map(),
  groups: new Map(),
  announced: [],
  offered: [],
  heldTotal: 0,
});

/** What happens to one activation. */
export interface FloodDecision {
  key: string;
  /** the flood parent it belongs to, or null */
  parentKey: string | null;
  /** activations within the chattering window, this one included */
  chatterCount: number;
  chattering: boolean;
  /**
   * Announced (banner, tone). False: a child (its parent speaks for it), chattering (collapsed with
   * its count), or held by the rate cap; it is recorded and listed all the same.
   */
  announce: boolean;
}

/** A flood parent opened or grown in this step: the store upserts it as an alarm (title `flood_group`). */
export interface FloodParent {
  key: string;
  rule: AlarmRuleCode;
  wardId: string;
  /** every child it has had */
  count: number;
  /** the most urgent child's priority */
  priority: AlarmPriority;
  /** opened in this step (announce it when `announce`) */
  opened: boolean;
  announce: boolean;
}

export interface FloodResult {
  state: FloodState;
  decisions: FloodDecision[];
  parents: FloodParent[];
  /** alarms raised before their group formed, now children of it */
  adopted: Array<{ key: string; parentKey: string }>;
  /** parents whose children have all cleared: the store clears them */
  closed: string[];
  /** activations held back by the rate cap in this step */
  held: number;
}

const groupKey = (rule: string, wardId: string) => `${rule}|${wardId}`;
export const floodParentKey = (rule: string, wardId: string) => `flood:${rule}:${wardId}`;
const minPriority = (a: AlarmPriority, b: AlarmPriority): AlarmPriority => (a < b ? a : b);

/**
 * One step of flood control over the signals of a rule pass (`signals` in order), at `now`. Only
 * alarms with a ward are grouped; the system's own alarms never are.
 */
export function floodStep(
  before: FloodState,
  signals: ReadonlyArray<AlarmSignal>,
  now: number,
  cfg: FloodConfig = FLOOD_DEFAULTS,
): FloodResult {
  const state: FloodState = {
    activations: new Map(before.activations),
    recent: new Map([...before.recent].map(([k, v]) => [k, new Map(v)])),
    groups: new Map([...before.groups].map(([k, g]) => [k, { ...g, children: new Set(g.children) }])),
    announced: before.announced.filter((t) => now - t < cfg.rateWindowMs),
    offered: before.offered.filter((t) => now - t < cfg.rateWindowMs),
    heldTotal: before.heldTotal,
  };
  for (const [k, times] of state.activations) {
    const kept = times.filter((t) => now - t < cfg.chatterWindowMs);
    if (kept.length) state.activations.set(k, kept);
    else state.activations.delete(k);
  }
  for (const [gk, m] of state.recent) {
    for (const [k, at] of m) if (now - at >= cfg.groupWindowMs) m.delete(k);
    if (m.size === 0) state.recent.delete(gk);
  }

  const decisions: FloodDecision[] = [];
  const parents = new Map<string, FloodParent>();
  const adopted: FloodResult['adopted'] = [];
  const closed: string[] = [];
  let held = 0;

  // the rate cap: critical alarms always pass (and still count against it)
  const admit = (priority: AlarmPriority): boolean => {
    state.offered.push(now);
    if (priority !== 1 && state.announced.length >= cfg.rateLimit) {
      held++;
      return false;
    }
    state.announced.push(now);
    return true;
  };

  // A burst arriving in one step opens its group before any of it is announced on its own.
  const pending = new Map<string, Set<string>>();
  for (const s of signals)
    if (s.type === 'activate' && s.wardId !== null) {
      const gk = groupKey(s.rule, s.wardId);
      const set = pending.get(gk) ?? new Set(state.recent.get(gk)?.keys() ?? []);
      set.add(s.key);
      pending.set(gk, set);
    }
  const opensNow = new Set([...pending].filter(([, set]) => set.size >= cfg.groupMin).map(([gk]) => gk));

  for (const s of signals) {
    if (s.type === 'clear') {
      for (const [gk, m] of state.recent) if (m.delete(s.key) && m.size === 0) state.recent.delete(gk);
      for (const [gk, g] of state.groups)
        if (g.children.delete(s.key) && g.children.size === 0) {
          state.groups.delete(gk);
          closed.push(g.parentKey);
        }
      continue;
    }
    const times = [...(state.activations.get(s.key) ?? []), s.at];
    state.activations.set(s.key, times);
    const chatterCount = times.length;
    const chattering = chatterCount >= cfg.chatterActivations;

    let parentKey: string | null = null;
    if (s.wardId !== null) {
      const gk = groupKey(s.rule, s.wardId);
      let g = state.groups.get(gk);
      const recent = state.recent.get(gk) ?? new Map<string, number>();
      recent.set(s.key, s.at);
      if (!g && (opensNow.has(gk) || recent.size >= cfg.groupMin)) {
        g = {
          parentKey: floodParentKey(s.rule, s.wardId),
          rule: s.rule,
          wardId: s.wardId,
          children: new Set(),
          total: 0,
          priority: s.priority,
        };
        state.groups.set(gk, g);
        for (const k of recent.keys())
          if (k !== s.key && !signals.some((x) => x.type === 'activate' && x.key === k)) {
            g.children.add(k);
            g.total++;
            adopted.push({ key: k, parentKey: g.parentKey });
          }
        state.recent.delete(gk);
        parents.set(g.parentKey, {
          key: g.parentKey,
          rule: g.rule,
          wardId: g.wardId,
          count: 0,
          priority: g.priority,
          opened: true,
          announce: false,
        });
      }
      if (g) {
        if (!g.children.has(s.key)) g.total++;
        g.children.add(s.key);
        g.priority = minPriority(g.priority, s.priority);
        parentKey = g.parentKey;
        const p = parents.get(g.parentKey) ?? {
          key: g.parentKey,
          rule: g.rule,
          wardId: g.wardId,
          count: 0,
          priority: g.priority,
          opened: false,
          announce: false,
        };
        parents.set(g.parentKey, { ...p, count: g.total, priority: g.priority });
      } else state.recent.set(gk, recent);
    }

    const announce = parentKey === null && chatterCount < cfg.chatterActivations && admit(s.priority);
    decisions.push({ key: s.key, parentKey, chatterCount, chattering, announce });
  }

  // a new parent is announced once, after its children are counted (its priority is theirs)
  for (const p of parents.values()) if (p.opened) p.announce = admit(p.priority);
  state.heldTotal += held;
  return { state, decisions, parents: [...parents.values()], adopted, closed, held };
}

/** EEMUA 191: a flood is more alarms in the window than the rate limit (10 in 10 minutes), held ones included. */
export function inFlood(state: FloodState, now: number, cfg: FloodConfig = FLOOD_DEFAULTS): boolean {
  return state.offered.filter((t) => now - t < cfg.rateWindowMs).length > cfg.rateLimit;
}
