// the lifecycle's own rules (the server enforces the same ones), so the console offers only what the server accepts
import type { SlaLevel } from '#contract/alarmVocab.ts';
import { distanceM } from '#contract/geo.ts';
import { mergeRefusal, OPEN_INCIDENT_STATES } from '#contract/incidentLifecycle.ts';
import { incidentSla, type SlaClock } from '#contract/incidentSla.ts';
import type { IncidentItem } from '#contract/live.ts';
import type { IncidentState } from '#contract/vocab.ts';
import { formatDuration, type Lang, translate } from '../i18n/format.ts';

const OPEN: ReadonlySet<IncidentState> = new Set(OPEN_INCIDENT_STATES);

/**
 * The clock a queue row shows: while new, the time to acknowledge against the category's target
 * (ACK_TARGET_MINUTES); once acknowledged, the time to resolve (RESOLVE_TARGET_HOURS). The same
 * figures the SLA alarm rules read (contract/incidentSla.ts): warning at 80 %, overdue past 100 %.
 */
export interface QueueTimer {
  kind: 'ack' | 'resolve';
  /** null while under the warning share */
  level: SlaLevel | null;
  /** negative once overdue */
  remainingMs: number;
}

export function queueTimer(i: IncidentItem, now: number): QueueTimer | null {
  const sla = incidentSla(i, now);
  const pick = (kind: QueueTimer['kind'], c: SlaClock | null): QueueTimer | null =>
    c && { kind, level: c.level, remainingMs: c.remainingMs };
  return pick('ack', sla.ack) ?? pick('resolve', sla.resolve);
}

/** Overdue on any of its clocks (to acknowledge, or to resolve). */
function overdue(i: IncidentItem, now: number): boolean {
  const sla = incidentSla(i, now);
  return sla.ack?.level === 'overdue' || sla.resolve?.level === 'overdue';
}

/**
 * Open incidents in the order they need action: new (not yet acknowledged) first, then those past
 * a target, then the most severe, then the longest waiting.
 */
export function queueOrder(items: Iterable<IncidentItem>, now: number): IncidentItem[] {
  const rows = [...items]
    .filter((i) => OPEN.has(i.status))
    .map((i) => ({ i, isNew: i.status === 'new' ? 0 : 1, late: overdue(i, now) ? 0 : 1 }));
  rows.sort(
    (a, b) =>
      a.isNew - b.isNew ||
      a.late - b.late ||
      b.i.severity - a.i.severity ||
      a.i.ts - b.i.ts ||
      a.i.id.localeCompare(b.i.id),
  );
  return rows.map((r) => r.i);
}

/** "Tiếp nhận: còn 12 phút" / "Acknowledge: 12 min left", "Xử lý: quá hạn 1 giờ 20 phút" / "Resolve: overdue 1 h 20 min". */
export function queueTimerText(lang: Lang, timer: QueueTimer): string {
  const d = formatDuration(lang, timer.remainingMs);
  const clock = translate(lang, timer.remainingMs > 0 ? 'sla.left' : 'sla.overdue', { d });
  return `${translate(lang, timer.kind === 'ack' ? 'sla.ack' : 'sla.resolve')}: ${clock}`;
}

/** Incidents that may be merged into `target` (same category, close in place and time, not closed), nearest first. */
export function mergeCandidates(
  target: IncidentItem,
  all: Iterable<IncidentItem>,
): Array<IncidentItem & { distanceM: number }> {
  const out: Array<IncidentItem & { distanceM: number }> = [];
  for (const o of all) {
    if (mergeRefusal(target, o) !== undefined) continue;
    out.push({ ...o, distanceM: distanceM([target.lon, target.lat], [o.lon, o.lat]) });
  }
  return out.sort((a, b) => a.distanceM - b.distanceM);
}
