import { type AlarmPriority, type AlarmRuleConfig, lowerPriority, type SlaLevel } from '#contract/alarms.ts';
import { incidentSla } from '#contract/incidentSla.ts';
import { incidentNumber } from '#contract/incidentsApi.ts';
import type { IncidentCategory, IncidentState } from '#contract/vocab.ts';
import { activation, clearOf, type RuleResult } from '../signals.ts';

/** What the incident rules read of an incident (a live IncidentItem plus its ward, when known). */
export interface IncidentInput {
  id: string;
  /** when it was reported */
  ts: number;
  category: IncidentCategory;
  severity: number;
  status: IncidentState;
  lat: number;
  lon: number;
  wardId?: string | null;
}

/** A new incident reported longer ago than this when first seen (a restart's reload) raises no `incident_new`. */
export const NEW_INCIDENT_MAX_AGE_MS = 10 * 60_000;

const place = (i: IncidentInput) => ({ assetId: i.id, wardId: i.wardId ?? null, lat: i.lat, lon: i.lon });

/** Severity 5 is critical and 4 high whatever the rule says; below, the rule's priority. */
const bySeverity = (severity: number, p: AlarmPriority): AlarmPriority =>
  severity >= 5 ? 1 : severity >= 4 ? (Math.min(p, 2) as AlarmPriority) : p;

export interface IncidentNewState {
  /** incident ids with an active alarm */
  active: Set<string>;
}
export const incidentNewInit = (): IncidentNewState => ({ active: new Set() });

/**
 * `incident_new`: a new incident of severity ≥ `threshold`; it clears once the incident is no
 * longer new (acknowledged, merged, closed): answering the incident answers the alarm's cause.
 * `changed` are the incidents that changed since the last call.
 */
export function incidentNew(
  state: IncidentNewState,
  changed: ReadonlyArray<IncidentInput>,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<IncidentNewState> {
  const key = (id: string) => `incident_new:${id}`;
  const active = new Set(state.active);
  const signals: RuleResult<IncidentNewState>['signals'] = [];
  if (!cfg.enabled) {
    for (const id of active) signals.push(clearOf(cfg.rule, key(id), now));
    return { state: incidentNewInit(), signals };
  }
  for (const i of changed) {
    if (i.status !== 'new') {
      if (active.delete(i.id)) signals.push(clearOf(cfg.rule, key(i.id), now));
      continue;
    }
    if (active.has(i.id) || i.severity < (cfg.threshold ?? 3) || now - i.ts > NEW_INCIDENT_MAX_AGE_MS)
      continue;
    active.add(i.id);
    signals.push(
      activation(
        cfg,
        key(i.id),
        now,
        place(i),
        { number: incidentNumber(i.id), category: i.category, severity: i.severity },
        bySeverity(i.severity, cfg.priority),
      ),
    );
  }
  return { state: { active }, signals };
}

export interface IncidentOverdueState {
  /** incident id → the level whose alarm is active */
  active: Map<string, SlaLevel>;
}
export const incidentOverdueInit = (): IncidentOverdueState => ({ active: new Map() });

/**
 * `incident_ack_overdue` (while new, against ACK_TARGET_MINUTES) and `incident_resolve_overdue`
 * (while open, against RESOLVE_TARGET_HOURS), both from the report: a warning at `threshold` of the
 * target (80 % by default) one priority below the rule's, the alarm at 100 % at the rule's priority.
 * They are two alarms (`…:warning`, `…:overdue`), as ISA-18.2 keeps a high and a high-high apart;
 * the overdue one replaces the warning. `open` is every open incident: one no longer listed clears.
 */
export function incidentOverdue(
  state: IncidentOverdueState,
  open: ReadonlyArray<IncidentInput>,
  cfg: AlarmRuleConfig & { rule: 'incident_ack_overdue' | 'incident_resolve_overdue' },
  now: number,
): RuleResult<IncidentOverdueState> {
  const key = (id: string, level: SlaLevel) => `${cfg.rule}:${id}:${level}`;
  const active = new Map<string, SlaLevel>();
  const signals: RuleResult<IncidentOverdueState>['signals'] = [];
  const share = cfg.threshold ?? 0.8;
  if (cfg.enabled)
    for (const i of open) {
      const sla = incidentSla(i, now, { ack: share, resolve: share });
      const clock = cfg.rule === 'incident_ack_overdue' ? sla.ack : sla.resolve;
      if (!clock?.level) continue;
      active.set(i.id, clock.level);
      const before = state.active.get(i.id);
      if (before === clock.level) continue;
      if (before) signals.push(clearOf(cfg.rule, key(i.id, before), now));
      signals.push(
        activation(
          cfg,
          key(i.id, clock.level),
          now,
          place(i),
          {
            number: incidentNumber(i.id),
            category: i.category,
            level: clock.level,
            targetMin: Math.round(clock.targetMs / 60_000),
          },
          clock.level === 'overdue' ? cfg.priority : lowerPriority(cfg.priority),
        ),
      );
    }
  for (const [id, level] of state.active)
    if (!active.has(id)) signals.push(clearOf(cfg.rule, key(id, level), now));
  return { state: { active }, signals };
}
