import { distanceM } from './geo.ts';
import { INCIDENT_ACTIONS, type IncidentAction } from './incidentsApi.ts';
import type { IncidentState } from './vocab.ts';

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

/** States in which an incident still needs the operators (the console's queue). */
export const OPEN_INCIDENT_STATES: readonly IncidentState[] = ['new', 'acknowledged', 'dispatched'];

/** The actions that may be applied to an incident in `state`, in the order the console shows them. */
export function actionsFor(state: IncidentState): IncidentAction[] {
  return INCIDENT_ACTIONS.filter((a) => RULES[a].from.includes(state));
}

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
  const d = distanceM([target.lon, target.lat], [other.lon, other.lat]);
  if (d > MERGE_MAX_DISTANCE_M)
    return `incident ${other.id} is ${Math.round(d)} m away (at most ${MERGE_MAX_DISTANCE_M} m)`;
  const gap = Math.abs(target.ts - other.ts);
  if (gap > MERGE_MAX_GAP_MS)
    return `incident ${other.id} was reported ${Math.round(gap / 60_000)} min apart (at most ${MERGE_MAX_GAP_MS / 60_000} min)`;
  return undefined;
}
