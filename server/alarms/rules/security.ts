// The security rules (issue 15): a high SIEM rule level, a public system down, a certificate about to expire.
import type { AlarmRuleConfig } from '#contract/alarms.ts';
import { type ProbeError, severityBand } from '#contract/securityVocab.ts';
import { activation, clearOf, NOWHERE, type RuleResult } from '../signals.ts';
import { type Debounce, stepAll } from './debounce.ts';

/** An event older than this when it arrives (a SIEM catching up) raises nothing. */
export const SECURITY_EVENT_MAX_AGE_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/** A SIEM event as the rule reads it. */
export interface SecurityEventInput {
  time: number;
  level: number;
  agent: string;
  description: string;
  srcIp: string | null;
}

/** A system of the inventory with its latest probe, as the rules read it. */
export interface SystemInput {
  id: string;
  nameVi: string;
  nameEn: string;
  agent: string | null;
  probe: { time: number; up: boolean; error: ProbeError | null; certExpiresAt: number | null } | null;
}

export interface SecurityEventState {
  /** alarm key → time of the latest high event behind it, and the highest level its alarm shows */
  active: Map<string, { last: number; level: number }>;
}
export const securityEventInit = (): SecurityEventState => ({ active: new Map() });

/**
 * `security_event`: an event at or above the rule level `threshold` (default 12) raises one alarm per
 * system (agent); later ones keep it up (a higher level raises it again, worded by that event), and it
 * clears `clearDelayMs` after the last (latched: an unanswered one stays until acknowledged). Level 15
 * (critical) raises it as critical.
 */
export function securityEvent(
  state: SecurityEventState,
  events: readonly SecurityEventInput[],
  systems: readonly SystemInput[],
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<SecurityEventState> {
  const active = new Map(state.active);
  const signals: RuleResult<SecurityEventState>['signals'] = [];
  if (!cfg.enabled) {
    for (const k of active.keys()) signals.push(clearOf(cfg.rule, k, now));
    return { state: securityEventInit(), signals };
  }
  const minLevel = cfg.threshold ?? 12;
  const high = events.filter((e) => e.level >= minLevel && now - e.time <= SECURITY_EVENT_MAX_AGE_MS);
  // the worst event of each system first: it words the alarm
  for (const e of [...high].sort((a, b) => b.level - a.level || a.time - b.time)) {
    const key = `security_event:${e.agent}`;
    const was = active.get(key);
    active.set(key, {
      last: Math.max(was?.last ?? e.time, e.time),
      level: Math.max(was?.level ?? 0, e.level),
    });
    if (was !== undefined && e.level <= was.level) continue;
    const system = systems.find((s) => s.agent === e.agent);
    signals.push(
      activation(
        cfg,
        key,
        now,
        { ...NOWHERE, assetId: system?.id ?? null },
        {
          agent: e.agent,
          system: system?.id ?? null,
          level: e.level,
          band: severityBand(e.level),
          description: e.description,
          srcIp: e.srcIp,
          count: high.filter((x) => x.agent === e.agent).length,
        },
        e.level >= 15 ? 1 : cfg.priority,
      ),
    );
  }
  for (const [key, a] of active)
    if (now - a.last >= cfg.clearDelayMs) {
      active.delete(key);
      signals.push(clearOf(cfg.rule, key, now));
    }
  return { state: { active }, signals };
}

export interface SystemDownState {
  systems: Map<string, Debounce>;
}
export const systemDownInit = (): SystemDownState => ({ systems: new Map() });

/**
 * `system_down`: a system whose probes fail for `delayMs` (default 3 minutes); it clears once its probes
 * succeed for `clearDelayMs`. A disabled or removed system's alarm clears.
 */
export function systemDown(
  state: SystemDownState,
  systems: readonly SystemInput[],
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<SystemDownState> {
  const key = (id: string) => `system_down:${id}`;
  const known = new Map(systems.map((s) => [s.id, s]));
  const signals: RuleResult<SystemDownState>['signals'] = [];
  const before = new Map(state.systems);
  // a system gone from the inventory (or disabled) is no longer watched
  for (const [id, d] of before)
    if (!known.has(id)) {
      before.delete(id);
      if (d.active) signals.push(clearOf(cfg.rule, key(id), now));
    }
  if (!cfg.enabled) {
    for (const [id, d] of before) if (d.active) signals.push(clearOf(cfg.rule, key(id), now));
    return { state: systemDownInit(), signals };
  }
  const samples = systems.flatMap((s) =>
    s.probe ? [{ key: s.id, ts: s.probe.time, tripped: !s.probe.up, reset: s.probe.up }] : [],
  );
  const step = stepAll(before, samples, now, cfg.delayMs, cfg.clearDelayMs);
  signals.push(...step.cleared.map((id) => clearOf(cfg.rule, key(id), now)));
  for (const id of step.activated) {
    const s = known.get(id);
    if (!s) continue;
    const since = state.systems.get(id)?.tripSince ?? s.probe?.time ?? now;
    signals.push(
      activation(
        cfg,
        key(id),
        now,
        { ...NOWHERE, assetId: id },
        { system: id, nameVi: s.nameVi, nameEn: s.nameEn, since, error: s.probe?.error ?? null },
      ),
    );
  }
  return { state: { systems: step.states }, signals };
}

export interface CertExpiryState {
  active: Set<string>;
}
export const certExpiryInit = (): CertExpiryState => ({ active: new Set() });

/** `cert_expiry`: a system's TLS certificate ends within `threshold` days (default 14); it clears once renewed. */
export function certExpiry(
  state: CertExpiryState,
  systems: readonly SystemInput[],
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<CertExpiryState> {
  const key = (id: string) => `cert_expiry:${id}`;
  const signals: RuleResult<CertExpiryState>['signals'] = [];
  const active = new Set<string>();
  const days = cfg.threshold ?? 14;
  if (cfg.enabled)
    for (const s of systems) {
      const exp = s.probe?.certExpiresAt ?? null;
      if (exp === null || exp - now > days * DAY_MS) continue;
      active.add(s.id);
      if (state.active.has(s.id)) continue;
      signals.push(
        activation(
          cfg,
          key(s.id),
          now,
          { ...NOWHERE, assetId: s.id },
          {
            system: s.id,
            nameVi: s.nameVi,
            nameEn: s.nameEn,
            expiresAt: exp,
            days: Math.max(0, Math.floor((exp - now) / DAY_MS)),
          },
          exp <= now ? 1 : cfg.priority,
        ),
      );
    }
  for (const id of state.active) if (!active.has(id)) signals.push(clearOf(cfg.rule, key(id), now));
  return { state: { active }, signals };
}
