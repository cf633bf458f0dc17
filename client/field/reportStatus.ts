import type { IncidentState } from '#contract/vocab.ts';
import type { MessageKey } from '../i18n/messages.ts';

export type ReportPhase = IncidentState | 'waiting' | 'rejected';

/** The label and chip tone of a report's phase on the reporter's list. */
export function reportStatusLabel(phase: ReportPhase): {
  key: MessageKey;
  tone: 'wait' | 'new' | 'work' | 'done' | 'bad';
} {
  switch (phase) {
    case 'waiting':
      return { key: 'field.status.waiting', tone: 'wait' };
    case 'rejected':
      return { key: 'field.status.rejected', tone: 'bad' };
    case 'new':
      return { key: 'state.new', tone: 'new' };
    case 'acknowledged':
      return { key: 'state.acknowledged', tone: 'work' };
    case 'dispatched':
      return { key: 'state.dispatched', tone: 'work' };
    case 'resolved':
      return { key: 'state.resolved', tone: 'done' };
    case 'closed':
      return { key: 'state.closed', tone: 'done' };
    default:
      return { key: 'state.new', tone: 'new' };
  }
}

/** Polling is pointless once the city has closed a report. */
export function needsPolling(status: IncidentState | undefined): boolean {
  return status !== 'closed';
}
