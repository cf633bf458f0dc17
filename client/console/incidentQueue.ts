// the lifecycle's own rules (the server enforces the same ones), so the console offers only what the server accepts
import { distanceM } from '#contract/geo.ts';
import { mergeRefusal, OPEN_INCIDENT_STATES } from '#contract/incidentLifecycle.ts';
import type { IncidentItem } from '#contract/live.ts';
import type { IncidentState } from '#contract/vocab.ts';

const OPEN: ReadonlySet<IncidentState> = new Set(OPEN_INCIDENT_STATES);

/** Open incidents as the operators work them: most severe first, then the longest waiting. */
export function queueOrder(items: Iterable<IncidentItem>): IncidentItem[] {
  return [...items]
    .filter((i) => OPEN.has(i.status))
    .sort((a, b) => b.severity - a.severity || a.ts - b.ts || a.id.localeCompare(b.id));
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
