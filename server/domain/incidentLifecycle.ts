import type { IncidentAction } from '../contracts/incidentsApi.ts';
import type { IncidentState } from '../contracts/vocab.ts';

/** The outcome of applying an action: the next state, or why it may not be applied. */
export type Transition = { ok: true; to: IncidentState } | { ok: false; message: string };

/** Where each action may start from, where it leads, and what to do first when it may not. */
const RULES: Record<IncidentAction, { from: readonly IncidentState[]; to: IncidentState; first: string }> = {
  acknowledge: { from: ['new'], to: 'acknowledged', first: '' },
  // assigning again while dispatched hands the incident to someone else
  assign: { from: ['acknowledged', 'dispatched'], to: 'dispatched', first: 'acknowledge it first' },
  // an incident can be resolved without a dispatch (a false alarm, fixed on the phone's word)
  resolve: { from: ['acknowledged', 'dispatched'], to: 'resolved', first: 'acknowledge it first' },
  close: { from: ['resolved'], to: 'closed', first: 'resolve it first' },
  reopen: {
    from: ['resolved', 'closed'],
    to: 'acknowledged',
    first: 'only resolved or closed incidents can be reopened',
  },
};

/** The column stamped when an action is applied (`reopen` keeps the first acknowledgement time). */
export const STAMPED_COLUMN: Record<IncidentAction, string | null> = {
  acknowledge: 'acknowledged_at',
  assign: 'dispatched_at',
  resolve: 'resolved_at',
  close: 'closed_at',
  reopen: null,
};

/** The state an incident in `current` goes to on `action`, or a message saying why it cannot. */
export function nextState(current: IncidentState, action: IncidentAction): Transition {
  const rule = RULES[action];
  if (rule.from.includes(current)) return { ok: true, to: rule.to };
  if (current === rule.to && action !== 'reopen')
    return { ok: false, message: `cannot ${action} an incident that is already ${current}` };
  if (current === 'closed' && action !== 'reopen')
    return { ok: false, message: `cannot ${action} an incident that is closed; reopen it first` };
  return {
    ok: false,
    message: `cannot ${action} an incident that is ${current}; ${rule.first || 'it is past that step'}`,
  };
}

/** Rules for merging incidents that report the same event. */
export const MERGE_MAX_DISTANCE_M = 300;
export const MERGE_MAX_GAP_MS = 2 * 3_600_000;

export interface MergeCandidate {
  id: string;
  category: string;
  status: IncidentState;
  lat: number;
  lon: number;
  ts: number;
}

/** Why `other` cannot be merged into `target`, or undefined when it can. */
export function mergeRefusal(target: MergeCandidate, other: MergeCandidate): string | undefined {
  if (other.id === target.id) return 'an incident cannot be merged into itself';
  if (other.status === 'closed') return `incident ${other.id} is closed`;
  if (other.category !== target.category)
    return `incident ${other.id} is ${other.category}, not ${target.category}`;
  const d = distanceM(target.lat, target.lon, other.lat, other.lon);
  if (d > MERGE_MAX_DISTANCE_M)
    return `incident ${other.id} is ${Math.round(d)} m away (at most ${MERGE_MAX_DISTANCE_M} m)`;
  const gap = Math.abs(target.ts - other.ts);
  if (gap > MERGE_MAX_GAP_MS)
    return `incident ${other.id} was reported ${Math.round(gap / 60_000)} min apart (at most ${MERGE_MAX_GAP_MS / 60_000} min)`;
  return undefined;
}

/** Distance in metres between two positions (haversine). */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}
