import type { AlarmRuleConfig } from '#contract/alarms.ts';
import { activation, clearOf, NOWHERE, type RuleResult } from '../signals.ts';
import { type Debounce, stepAll } from './debounce.ts';

export interface RejectSpikeState {
  d: Map<string, Debounce>;
}
export const rejectSpikeInit = (): RejectSpikeState => ({ d: new Map() });
const REJECT_KEY = 'reject_spike:ingest';

/**
 * `reject_spike`: ingest rejecting ≥ `threshold` messages per second for `delayMs` (a device sending
 * garbage, a broken firmware roll-out); it clears below `threshold` − `margin` for `clearDelayMs`.
 * Called with each rate sample (the live stats' `rejectRate`).
 */
export function rejectSpike(
  state: RejectSpikeState,
  sample: { ts: number; rejectRate: number } | null,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<RejectSpikeState> {
  if (!cfg.enabled)
    return {
      state: rejectSpikeInit(),
      signals: state.d.get('x')?.active ? [clearOf(cfg.rule, REJECT_KEY, now)] : [],
    };
  const trip = cfg.threshold ?? 20;
  const reset = trip - (cfg.margin ?? 0);
  const samples = sample
    ? [{ key: 'x', ts: sample.ts, tripped: sample.rejectRate >= trip, reset: sample.rejectRate < reset }]
    : [];
  const step = stepAll(state.d, samples, now, cfg.delayMs, cfg.clearDelayMs);
  const signals = [
    ...step.cleared.map(() => clearOf(cfg.rule, REJECT_KEY, now)),
    ...step.activated.map(() =>
      activation(cfg, REJECT_KEY, now, NOWHERE, {
        ratePerSec: Math.round(sample?.rejectRate ?? trip),
        thresholdPerSec: trip,
      }),
    ),
  ];
  return { state: { d: step.states }, signals };
}

/** The parts of the system the IOC watches in itself. */
export const SYSTEM_PARTS = ['db', 'broker', 'ingest_lag'] as const;
export type SystemPart = (typeof SYSTEM_PARTS)[number];

export interface SystemHealthSample {
  ts: number;
  dbUp: boolean;
  brokerUp: boolean;
  /** how far ingest is behind the newest message received, ms; null when idle */
  ingestLagMs: number | null;
}

export interface SystemHealthState {
  d: Map<string, Debounce>;
}
export const systemHealthInit = (): SystemHealthState => ({ d: new Map() });

/**
 * `system_health`: the database or the broker unreachable, or ingest more than `threshold` ms
 * behind, for `delayMs`; each clears after `clearDelayMs` of health. Critical and latched by default:
 * an outage in the night is still on the wall in the morning.
 */
export function systemHealth(
  state: SystemHealthState,
  sample: SystemHealthSample | null,
  cfg: AlarmRuleConfig,
  now: number,
): RuleResult<SystemHealthState> {
  const key = (part: string) => `system_health:${part}`;
  if (!cfg.enabled)
    return {
      state: systemHealthInit(),
      signals: [...state.d].filter(([, d]) => d.active).map(([p]) => clearOf(cfg.rule, key(p), now)),
    };
  const lagMax = cfg.threshold ?? 5_000;
  const lagging = sample?.ingestLagMs != null && sample.ingestLagMs > lagMax;
  const samples = sample
    ? [
        { key: 'db', ts: sample.ts, tripped: !sample.dbUp, reset: sample.dbUp },
        { key: 'broker', ts: sample.ts, tripped: !sample.brokerUp, reset: sample.brokerUp },
        { key: 'ingest_lag', ts: sample.ts, tripped: lagging, reset: !lagging },
      ]
    : [];
  const step = stepAll(state.d, samples, now, cfg.delayMs, cfg.clearDelayMs);
  const signals = [
    ...step.cleared.map((p) => clearOf(cfg.rule, key(p), now)),
    ...step.activated.map((p) =>
      activation(cfg, key(p), now, NOWHERE, {
        part: p,
        lagMs: p === 'ingest_lag' ? (sample?.ingestLagMs ?? null) : null,
      }),
    ),
  ];
  return { state: { d: step.states }, signals };
}
