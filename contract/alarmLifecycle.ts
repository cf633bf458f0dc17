// The ISA-18.2 alarm state machine, pure: the server applies it, the console asks it which actions to offer.
import {
  type AlarmActionName,
  type AlarmShelf,
  type AlarmState,
  type AlarmSuppression,
  MAX_SHELVE_MS,
} from './alarmVocab.ts';

/** What the state machine looks at: the state and the flags. */
export interface AlarmCondition {
  state: AlarmState;
  latched: boolean;
  shelved: AlarmShelf | null;
  suppressed: AlarmSuppression | null;
}

/**
 * What can happen to an alarm. `activate`/`clear` come from the process (a rule) and are never
 * refused: a repeat is a no-op. The others come from people (or the clock ending a shelf, or an asset
 * going out of service) and are refused when they make no sense in the current state.
 */
export type AlarmEvent =
  | { type: 'activate' }
  | { type: 'clear' }
  | { type: 'acknowledge' }
  | { type: 'shelve'; by: string; reason: string; until: number | null }
  | { type: 'unshelve' }
  | { type: 'suppress'; by: string; reason: string }
  | { type: 'unsuppress' };
export type AlarmEventType = AlarmEvent['type'];
export const ALARM_EVENT_TYPES: readonly AlarmEventType[] = [
  'activate',
  'clear',
  'acknowledge',
  'shelve',
  'unshelve',
  'suppress',
  'unsuppress',
];

export type AlarmStep =
  | { ok: true; next: AlarmCondition; changed: boolean }
  | { ok: false; message: string; state: AlarmState };

const ok = (cur: AlarmCondition, next: AlarmCondition): AlarmStep => ({
  ok: true,
  next,
  changed:
    next.state !== cur.state ||
    next.shelved !== cur.shelved ||
    next.suppressed !== cur.suppressed ||
    next.latched !== cur.latched,
});
const refuse = (cur: AlarmCondition, message: string): AlarmStep => ({
  ok: false,
  message,
  state: cur.state,
});

/**
 * The condition after `ev` at `now`, or why it cannot be applied.
 *
 * - activate: normal and unack_cleared → unack_active; active states stay as they are.
 * - clear: unack_active → unack_cleared when latched, normal when not (a non-latched alarm that
 *   returns to normal before anyone looked needs no answer: its history keeps it and chattering
 *   catches repeats); ack_active → normal; a one-shot shelf ends with the clear.
 * - acknowledge: unack_active → ack_active, unack_cleared → normal; refused otherwise.
 * - shelve/unshelve, suppress/unsuppress: flags, the state keeps running underneath (a shelved alarm
 *   that clears and activates again is still tracked); refused when they change nothing.
 */
export function applyAlarmEvent(cur: AlarmCondition, ev: AlarmEvent, now: number): AlarmStep {
  switch (ev.type) {
    case 'activate':
      if (cur.state === 'normal' || cur.state === 'unack_cleared')
        return ok(cur, { ...cur, state: 'unack_active' });
      return ok(cur, cur);
    case 'clear': {
      const oneShotEnds = cur.shelved !== null && cur.shelved.until === null;
      const shelved = oneShotEnds ? null : cur.shelved;
      if (cur.state === 'unack_active')
        return ok(cur, { ...cur, shelved, state: cur.latched ? 'unack_cleared' : 'normal' });
      if (cur.state === 'ack_active') return ok(cur, { ...cur, shelved, state: 'normal' });
      return ok(cur, cur);
    }
    case 'acknowledge':
      if (cur.state === 'unack_active') return ok(cur, { ...cur, state: 'ack_active' });
      if (cur.state === 'unack_cleared') return ok(cur, { ...cur, state: 'normal' });
      return refuse(
        cur,
        cur.state === 'ack_active'
          ? 'cannot acknowledge an alarm that is already acknowledged'
          : 'cannot acknowledge an alarm that is normal',
      );
    case 'shelve':
      if (cur.state === 'normal') return refuse(cur, 'cannot shelve an alarm that is normal');
      if (cur.suppressed)
        return refuse(cur, 'cannot shelve an alarm that is suppressed (asset out of service)');
      if (cur.shelved)
        return refuse(cur, 'cannot shelve an alarm that is already shelved; unshelve it first');
      if (ev.until !== null && (ev.until <= now || ev.until - now > MAX_SHELVE_MS))
        return refuse(cur, `a timed shelf ends within ${MAX_SHELVE_MS / 3_600_000} h from now`);
      return ok(cur, { ...cur, shelved: { by: ev.by, reason: ev.reason, at: now, until: ev.until } });
    case 'unshelve':
      if (!cur.shelved) return refuse(cur, 'cannot unshelve an alarm that is not shelved');
      return ok(cur, { ...cur, shelved: null });
    case 'suppress':
      if (cur.suppressed) return refuse(cur, 'cannot suppress an alarm that is already suppressed');
      // out of service overrides a shelf: the asset, not the operator, explains the silence now
      return ok(cur, { ...cur, shelved: null, suppressed: { by: ev.by, reason: ev.reason, at: now } });
    case 'unsuppress':
      if (!cur.suppressed) return refuse(cur, 'cannot unsuppress an alarm that is not suppressed');
      return ok(cur, { ...cur, suppressed: null });
  }
}

/** true when a timed shelf has run out at `now` (the engine then applies `unshelve` as the system). */
export function shelfExpired(shelved: AlarmShelf | null, now: number): boolean {
  return shelved !== null && shelved.until !== null && shelved.until <= now;
}

/** Whether the operator sees it in the alarm list and hears it: open, not shelved, not suppressed. */
export function alarmVisible(c: AlarmCondition): boolean {
  return c.state !== 'normal' && c.shelved === null && c.suppressed === null;
}

/** The operator actions legal on `c`, in the order the console shows them. */
export function alarmActionsFor(c: AlarmCondition, now: number): AlarmActionName[] {
  const probe: Record<AlarmActionName, AlarmEvent> = {
    acknowledge: { type: 'acknowledge' },
    shelve: { type: 'shelve', by: '', reason: '', until: null },
    unshelve: { type: 'unshelve' },
  };
  return (Object.keys(probe) as AlarmActionName[]).filter((a) => applyAlarmEvent(c, probe[a], now).ok);
}
