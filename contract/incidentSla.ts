// An incident's clocks against its category's targets: the console's timer ("còn 12 phút" / "quá hạn
// 1 giờ 20 phút", amber at 80 %) and the SLA alarm rules read the same figures.
import {
  ACK_TARGET_MINUTES,
  DEFAULT_ACK_TARGET_MINUTES,
  SLA_WARNING_SHARE,
  type SlaLevel,
} from './alarms.ts';
import { DEFAULT_RESOLVE_TARGET_HOURS, RESOLVE_TARGET_HOURS } from './dashboardApi.ts';
import type { IncidentState } from './vocab.ts';

export interface SlaClock {
  targetMs: number;
  elapsedMs: number;
  /** negative once overdue */
  remainingMs: number;
  /** elapsed / target */
  share: number;
  /** null while under the warning share */
  level: SlaLevel | null;
}

export interface IncidentSla {
  /** running while the incident is new */
  ack: SlaClock | null;
  /** running while it is open (new, acknowledged, dispatched), from the report */
  resolve: SlaClock | null;
}

export function ackTargetMs(category: string): number {
  return (
    (ACK_TARGET_MINUTES[category as keyof typeof ACK_TARGET_MINUTES] ?? DEFAULT_ACK_TARGET_MINUTES) * 60_000
  );
}

export function resolveTargetMs(category: string): number {
  return (
    (RESOLVE_TARGET_HOURS[category as keyof typeof RESOLVE_TARGET_HOURS] ?? DEFAULT_RESOLVE_TARGET_HOURS) *
    3_600_000
  );
}

function clock(targetMs: number, elapsedMs: number, warningShare: number): SlaClock {
  const share = elapsedMs / targetMs;
  const level: SlaLevel | null = share >= 1 ? 'overdue' : share >= warningShare ? 'warning' : null;
  return { targetMs, elapsedMs, remainingMs: targetMs - elapsedMs, share, level };
}

/** The clocks of an incident reported at `ts` (epoch ms) in `status`, at `now`. */
export function incidentSla(
  i: { ts: number; category: string; status: IncidentState },
  now: number,
  warningShare: { ack: number; resolve: number } = { ack: SLA_WARNING_SHARE, resolve: SLA_WARNING_SHARE },
): IncidentSla {
  const elapsed = Math.max(0, now - i.ts);
  const open = i.status === 'new' || i.status === 'acknowledged' || i.status === 'dispatched';
  return {
    ack: i.status === 'new' ? clock(ackTargetMs(i.category), elapsed, warningShare.ack) : null,
    resolve: open ? clock(resolveTargetMs(i.category), elapsed, warningShare.resolve) : null,
  };
}
