import type { IncidentAction } from '../../server/contracts/incidentsApi.ts';
import type { IncidentItem } from '../../server/contracts/live.ts';
import type { IncidentState } from '../../server/contracts/vocab.ts';
// the same pure rule the server enforces, so the console offers only merges the server accepts
import { distanceM, mergeRefusal } from '../../server/domain/incidentLifecycle.ts';

/** The lifecycle buttons an operator gets for an incident in `state`, in the order shown. */
export function actionsFor(state: IncidentState): IncidentAction[] {
  switch (state) {
    case 'new':
      return ['acknowledge'];
    case 'acknowledged':
      return ['assign', 'resolve'];
    case 'dispatched':
      return ['assign', 'resolve'];
    case 'resolved':
      return ['close', 'reopen'];
    case 'closed':
      return ['reopen'];
    default:
      return [];
  }
}

const OPEN: ReadonlySet<IncidentState> = new Set(['new', 'acknowledged', 'dispatched']);

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
    out.push({ ...o, distanceM: distanceM(target.lat, target.lon, o.lat, o.lon) });
  }
  return out.sort((a, b) => a.distanceM - b.distanceM);
}
